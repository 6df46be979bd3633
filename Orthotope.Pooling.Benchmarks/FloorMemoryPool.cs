using System;
using System.Buffers;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// The least a <see cref="MemoryPool{T}"/> of reused owners with a per-thread cache can do for a rent and a dispose:
/// a thread-local stack of owners (no size classes, no central pool, no trimming, no handshake with a trimmer, no
/// statistics), a plain state flag so that a second dispose does nothing, and array-backed pinned memory. Not a pool
/// anyone should use: a floor to measure the real ones against, called the same way (through
/// <see cref="MemoryPool{T}"/> and <see cref="IMemoryOwner{T}"/>).
/// </summary>
/// <remarks>
/// Every size gets a 4 KiB block (the workloads that use it rent 4 KiB). Each thread keeps up to
/// <see cref="StackDepth"/> owners; an owner disposed on another thread than it was rented on moves there.
/// </remarks>
public sealed class FloorMemoryPool : MemoryPool<byte>
{
    private const int BlockSize = 4096;

    /// <summary>How many free owners a thread keeps: enough for a burst of 64.</summary>
    private const int StackDepth = 128;

    [ThreadStatic]
    private static OwnerStack? t_stack;

    /// <inheritdoc/>
    public override int MaxBufferSize => BlockSize;

    /// <inheritdoc/>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        OwnerStack? stack = t_stack;
        if (stack is not null && stack.Count > 0)
        {
            Owner owner = stack.Items[--stack.Count]!;
            stack.Items[stack.Count] = null;
            owner.Rented = true;
            return owner;
        }

        return RentNew();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
    }

    private static Owner RentNew() => new() { Rented = true };

    private static void Return(Owner owner)
    {
        OwnerStack stack = t_stack ??= new OwnerStack();
        if (stack.Count < StackDepth)
        {
            stack.Items[stack.Count++] = owner;
        }
    }

    private sealed class OwnerStack
    {
        public readonly Owner?[] Items = new Owner?[StackDepth];
        public int Count;
    }

    private sealed class Owner : IMemoryOwner<byte>
    {
        private readonly Memory<byte> _memory = GC.AllocateArray<byte>(BlockSize, pinned: true);

        public bool Rented;

        public Memory<byte> Memory => Rented ? _memory : throw new ObjectDisposedException(nameof(Owner));

        public void Dispose()
        {
            if (Rented)
            {
                Rented = false;
                Return(this);
            }
        }
    }
}
