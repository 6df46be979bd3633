using System;
using System.Buffers;
using System.Threading;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// The least a <see cref="MemoryPool{T}"/> can do when one thread rents and another disposes (W4, a <c>Pipe</c>):
/// disposed owners go into a single-producer, single-consumer ring with one volatile write each way, and rents take
/// them out; a rent that finds the ring empty makes a new owner. No size classes, no per-thread caches, no trimming,
/// no statistics. Not a pool anyone should use (it is correct only with one renting and one disposing thread): a
/// floor to measure the real ones against, called the same way.
/// </summary>
/// <remarks>Every size gets a 4 KiB block. An owner disposed when the ring is full is dropped.</remarks>
public sealed class HandoffFloorMemoryPool : MemoryPool<byte>
{
    private const int BlockSize = 4096;

    /// <summary>The ring's size: a power of two, more than a workload keeps in flight.</summary>
    private const int Capacity = 4096;

    private readonly Owner?[] _ring = new Owner?[Capacity];

    /// <summary>The next slot the renter reads; written by the renter only.</summary>
    private long _head;

    /// <summary>The next slot the disposer writes; written by the disposer only.</summary>
    private long _tail;

    /// <inheritdoc/>
    public override int MaxBufferSize => BlockSize;

    /// <inheritdoc/>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        long head = _head;
        if (head < Volatile.Read(ref _tail))
        {
            int slot = (int)(head & (Capacity - 1));
            Owner owner = _ring[slot]!;
            _ring[slot] = null;
            Volatile.Write(ref _head, head + 1);
            owner.Rented = true;
            return owner;
        }

        return new Owner(this) { Rented = true };
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
    }

    private void Return(Owner owner)
    {
        long tail = _tail;
        if (tail - Volatile.Read(ref _head) < Capacity)
        {
            _ring[(int)(tail & (Capacity - 1))] = owner;
            Volatile.Write(ref _tail, tail + 1);
        }
    }

    private sealed class Owner(HandoffFloorMemoryPool pool) : IMemoryOwner<byte>
    {
        private readonly Memory<byte> _memory = GC.AllocateArray<byte>(BlockSize, pinned: true);

        public bool Rented;

        public Memory<byte> Memory => Rented ? _memory : throw new ObjectDisposedException(nameof(Owner));

        public void Dispose()
        {
            if (Rented)
            {
                Rented = false;
                pool.Return(this);
            }
        }
    }
}
