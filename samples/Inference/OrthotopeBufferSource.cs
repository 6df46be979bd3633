using System;
using System.Buffers;

namespace Orthotope.Pooling.Samples.Inference;

/// <summary>Buffers from an <see cref="OrthotopeMemoryPool{T}"/>, called through <see cref="MemoryPool{T}"/> as an application would.</summary>
internal sealed class OrthotopeBufferSource : BufferSource
{
    private readonly MemoryPool<float> _pool;
    private readonly OrthotopeMemoryPool _bytes;

    /// <summary>Rents from <paramref name="pool"/>; <see cref="HeldBytes"/> needs nothing else rented from its byte pool meanwhile.</summary>
    public OrthotopeBufferSource(OrthotopeMemoryPool<float> pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _pool = pool;
        _bytes = pool.BytePool;
    }

    public override string Name => "OrthotopeMemoryPool<float>";

    public override object Rent(int count) => _pool.Rent(count);

    public override Span<float> GetSpan(object handle, int count) => ((IMemoryOwner<float>)handle).Memory.Span[..count];

    public override void Return(object handle) => ((IMemoryOwner<float>)handle).Dispose();

    /// <summary>The bytes of the blocks behind the owners (their size classes), from the byte pool's statistics.</summary>
    public override long HeldBytes(ReadOnlySpan<object?> handles) => _bytes.GetStatistics().OutstandingBytes;
}
