using System.Buffers;
using System.Threading;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// One place in <see cref="CrossThread"/>'s bounded hand-off queue: a batch of rented buffers and a flag saying
/// which side owns it.
/// </summary>
/// <remarks>
/// Single producer, single consumer. The producer fills the arrays only while <see cref="IsFull"/> is false and
/// then sets it; the consumer empties them only while it is true and then clears it. The volatile write that flips
/// the flag publishes the buffers written before it.
/// </remarks>
public sealed class BatchSlot
{
    private volatile bool _full;

    /// <summary>Creates an empty slot for batches of <paramref name="batchSize"/> buffers.</summary>
    public BatchSlot(int batchSize)
    {
        Owners = new IMemoryOwner<byte>?[batchSize];
        Arrays = new byte[]?[batchSize];
    }

    /// <summary>The batch, for MemoryPool contenders.</summary>
    public IMemoryOwner<byte>?[] Owners { get; }

    /// <summary>The batch, for ArrayPool contenders.</summary>
    public byte[]?[] Arrays { get; }

    /// <summary>True from the producer's hand-over until the consumer has emptied the batch.</summary>
    public bool IsFull
    {
        get => _full;
        set => _full = value;
    }

    /// <summary>Spins (yielding, never sleeping) until <see cref="IsFull"/> equals <paramref name="full"/>.</summary>
    public void WaitUntil(bool full)
    {
        SpinWait spinner = default;
        while (_full != full)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }
}
