using System;
using System.Buffers;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// The least a <see cref="MemoryPool{T}"/> can do for a rent and a dispose of a reused owner: one cached owner per
/// thread (no size classes, no central pool, no trimming), a plain state flag so that a second dispose does nothing,
/// and array-backed pinned memory. Not a pool anyone should use: a floor to measure the real ones against, called the
/// same way (through <see cref="MemoryPool{T}"/> and <see cref="IMemoryOwner{T}"/>).
/// </summary>
/// <remarks>Each thread has its own owner; an owner disposed on another thread than it was rented on moves there.</remarks>
public sealed class FloorMemoryPool : MemoryPool<byte>
{
    private const int BlockSize = 4096;

    [ThreadStatic]
    private static Owner? t_cached;

    /// <inheritdoc/>
    public override int MaxBufferSize => BlockSize;

    /// <inheritdoc/>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        Owner? owner = t_cached;
        if (owner is null)
        {
            return RentNew();
        }

        t_cached = null;
        owner.Rented = true;
        return owner;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
    }

    private static Owner RentNew() => new() { Rented = true };

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
                t_cached = this;
            }
        }
    }
}
