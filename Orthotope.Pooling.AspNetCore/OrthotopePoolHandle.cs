using System;
using System.Buffers;
using System.Threading;

namespace Orthotope.Pooling.AspNetCore;

/// <summary>
/// What <see cref="OrthotopeMemoryPoolFactory.Create"/> hands out: a <see cref="MemoryPool{T}"/> that rents from an
/// owner's shared <see cref="OrthotopeMemoryPool"/> and whose disposal ends only the handle.
/// </summary>
/// <remarks>
/// Thread-safe. The caller owns the handle; the factory owns the pool behind it. Kestrel disposes its pools when a
/// listener unbinds while other listeners of the same transport may still be renting, so the handle must not pass
/// its disposal on to the shared pool. Blocks rented through the handle stay valid after it is disposed and go
/// back to the pool when their owners are disposed.
/// </remarks>
internal sealed class OrthotopePoolHandle : MemoryPool<byte>
{
    private readonly OrthotopeMemoryPool _pool;

    // 0 while the handle may rent, 1 once disposed.
    private int _disposed;

    public OrthotopePoolHandle(OrthotopeMemoryPool pool)
    {
        _pool = pool;
    }

    /// <summary>The shared pool behind the handle.</summary>
    public OrthotopeMemoryPool Pool => _pool;

    public override int MaxBufferSize => _pool.MaxBufferSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _pool.Rent(minBufferSize);
    }

    protected override void Dispose(bool disposing) => Volatile.Write(ref _disposed, 1);

    public override string ToString() => $"handle on {_pool}";
}
