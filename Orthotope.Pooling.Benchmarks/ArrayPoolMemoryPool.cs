using System;
using System.Buffers;
using System.Threading;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// A <see cref="MemoryPool{T}"/> over any <see cref="ArrayPool{T}"/>, so that array pools can feed a <c>Pipe</c>:
/// each rent allocates one small owner object that returns the array when disposed.
/// </summary>
/// <remarks>
/// This is the same shape as <see cref="MemoryPool{T}.Shared"/> (which wraps <see cref="ArrayPool{T}.Shared"/>),
/// so <see cref="ArrayPool{T}.Shared"/> and <see cref="OrthotopeArrayPool"/> pay the same adapter cost when compared
/// through it. Thread-safe; an owner returns its array once, however often it is disposed.
/// </remarks>
public sealed class ArrayPoolMemoryPool : MemoryPool<byte>
{
    private readonly ArrayPool<byte> _arrays;

    /// <summary>Wraps <paramref name="arrays"/>.</summary>
    public ArrayPoolMemoryPool(ArrayPool<byte> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        _arrays = arrays;
    }

    /// <inheritdoc/>
    public override int MaxBufferSize => Array.MaxLength;

    /// <inheritdoc/>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
        => new Owner(_arrays, _arrays.Rent(minBufferSize == -1 ? 4096 : minBufferSize));

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Owner : IMemoryOwner<byte>
    {
        private readonly ArrayPool<byte> _arrays;
        private byte[]? _array;

        public Owner(ArrayPool<byte> arrays, byte[] array)
        {
            _arrays = arrays;
            _array = array;
        }

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(ArrayPoolMemoryPool));

        public void Dispose()
        {
            byte[]? array = Interlocked.Exchange(ref _array, null);
            if (array is not null)
            {
                _arrays.Return(array);
            }
        }
    }
}
