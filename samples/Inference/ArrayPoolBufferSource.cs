using System;
using System.Buffers;

namespace Orthotope.Pooling.Samples.Inference;

/// <summary>Buffers from <see cref="ArrayPool{T}.Shared"/>: arrays rounded up to a power of two, sliced to the count.</summary>
internal sealed class ArrayPoolBufferSource : BufferSource
{
    public override string Name => "ArrayPool<float>.Shared";

    public override object Rent(int count) => ArrayPool<float>.Shared.Rent(count);

    public override Span<float> GetSpan(object handle, int count) => ((float[])handle).AsSpan(0, count);

    public override void Return(object handle) => ArrayPool<float>.Shared.Return((float[])handle);

    public override long HeldBytes(ReadOnlySpan<object?> handles)
    {
        long bytes = 0;
        foreach (object? handle in handles)
        {
            bytes += (long)((float[])handle!).Length * sizeof(float);
        }

        return bytes;
    }
}
