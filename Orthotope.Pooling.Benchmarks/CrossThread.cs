using System.Buffers;
using System.Threading;
using BenchmarkDotNet.Attributes;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// W4: one thread rents 4 KiB buffers in batches of 64 (writing a byte into each), another gives them back: the
/// Pipelines pattern, where the socket side rents and the application side disposes. Reported per buffer
/// (<see cref="BenchmarkAttribute.OperationsPerInvoke"/> = <see cref="Operations"/>).
/// </summary>
/// <remarks>
/// <para>
/// The benchmark thread is the producer; a consumer thread started in setup is the other side. Batches travel
/// through a bounded queue of <see cref="SlotCount"/> <see cref="BatchSlot"/>s, each handed over by a volatile
/// flag and awaited with a yielding <see cref="SpinWait"/>, so the producer can run at most four batches ahead.
/// </para>
/// <para>
/// Each invocation releases the consumer through a semaphore (its wake-up, tens of microseconds, is small against
/// an invocation of <see cref="Operations"/> rents) and ends when the consumer has emptied the last batch, so every
/// buffer rented in an invocation is also returned in it.
/// </para>
/// </remarks>
[MemoryDiagnoser]
public class CrossThread : ContenderBenchmark
{
    /// <summary>Buffers per batch.</summary>
    public const int BatchSize = 64;

    /// <summary>Batches per invocation; a multiple of <see cref="SlotCount"/>.</summary>
    public const int Batches = 256;

    /// <summary>Buffers per invocation.</summary>
    public const int Operations = BatchSize * Batches;

    /// <summary>Batches the queue holds: how far the producer may run ahead.</summary>
    public const int SlotCount = 4;

    private const int Size = 4096;

    private readonly BatchSlot[] _slots = CreateSlots();
    private readonly SemaphoreSlim _start = new(0);
    private Thread _consumer = null!;
    private volatile bool _stopping;
    private Contender _contender;

    /// <summary>The baseline: Kestrel's pinned block pool, from its factory.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public void Kestrel() => Produce(Contender.Kestrel);

    /// <summary>Kestrel's pinned block pool, built bare.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void KestrelBare() => Produce(Contender.KestrelBare);

    /// <summary><c>ArrayPool&lt;byte&gt;.Shared</c>.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void ArrayPoolShared() => Produce(Contender.ArrayPoolShared);

    /// <summary><c>MemoryPool&lt;byte&gt;.Shared</c>.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void MemoryPoolShared() => Produce(Contender.MemoryPoolShared);

    /// <summary><see cref="OrthotopeMemoryPool"/>.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void OrthotopeMemory() => Produce(Contender.OrthotopeMemory);

    /// <summary><see cref="OrthotopeArrayPool"/>.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void OrthotopeArray() => Produce(Contender.OrthotopeArray);

    /// <summary>The floor of a handoff between two threads: <see cref="HandoffFloorMemoryPool"/>.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void Floor() => Produce(Contender.Floor);

    /// <inheritdoc/>
    protected override void Setup()
    {
        FloorBlocks = new HandoffFloorMemoryPool();
        _consumer = new Thread(ConsumerLoop) { IsBackground = true, Name = "CrossThread consumer" };
        _consumer.Start();
    }

    /// <inheritdoc/>
    protected override void Cleanup()
    {
        _stopping = true;
        _start.Release();
        _consumer.Join();
        _start.Dispose();
    }

    private static BatchSlot[] CreateSlots()
    {
        var slots = new BatchSlot[SlotCount];
        for (int i = 0; i < slots.Length; i++)
        {
            slots[i] = new BatchSlot(BatchSize);
        }

        return slots;
    }

    private void Produce(Contender contender)
    {
        // Written before the release, which orders it before the consumer reads it.
        _contender = contender;
        _start.Release();
        if (IsArrayPool(contender))
        {
            ArrayPool<byte> pool = ArrayPoolOf(contender);
            for (int batch = 0; batch < Batches; batch++)
            {
                BatchSlot slot = _slots[batch % SlotCount];
                slot.WaitUntil(full: false);
                byte[]?[] arrays = slot.Arrays;
                for (int i = 0; i < arrays.Length; i++)
                {
                    byte[] array = pool.Rent(Size);
                    array[0] = 1;
                    arrays[i] = array;
                }

                slot.IsFull = true;
            }
        }
        else
        {
            MemoryPool<byte> pool = MemoryPoolOf(contender);
            for (int batch = 0; batch < Batches; batch++)
            {
                BatchSlot slot = _slots[batch % SlotCount];
                slot.WaitUntil(full: false);
                IMemoryOwner<byte>?[] owners = slot.Owners;
                for (int i = 0; i < owners.Length; i++)
                {
                    IMemoryOwner<byte> owner = pool.Rent(Size);
                    owner.Memory.Span[0] = 1;
                    owners[i] = owner;
                }

                slot.IsFull = true;
            }
        }

        // The consumer empties slots in order, so once the last batch's slot is empty every buffer is back.
        _slots[(Batches - 1) % SlotCount].WaitUntil(full: false);
    }

    private void ConsumerLoop()
    {
        while (true)
        {
            _start.Wait();
            if (_stopping)
            {
                return;
            }

            Contender contender = _contender;
            if (IsArrayPool(contender))
            {
                ArrayPool<byte> pool = ArrayPoolOf(contender);
                for (int batch = 0; batch < Batches; batch++)
                {
                    BatchSlot slot = _slots[batch % SlotCount];
                    slot.WaitUntil(full: true);
                    byte[]?[] arrays = slot.Arrays;
                    for (int i = 0; i < arrays.Length; i++)
                    {
                        pool.Return(arrays[i]!);
                        arrays[i] = null;
                    }

                    slot.IsFull = false;
                }
            }
            else
            {
                for (int batch = 0; batch < Batches; batch++)
                {
                    BatchSlot slot = _slots[batch % SlotCount];
                    slot.WaitUntil(full: true);
                    IMemoryOwner<byte>?[] owners = slot.Owners;
                    for (int i = 0; i < owners.Length; i++)
                    {
                        owners[i]!.Dispose();
                        owners[i] = null;
                    }

                    slot.IsFull = false;
                }
            }
        }
    }
}
