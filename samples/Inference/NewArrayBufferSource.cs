using System;

namespace Orthotope.Pooling.Samples.Inference;

/// <summary>A new, zeroed <c>float[]</c> per buffer, left to the garbage collector: what code without a pool does.</summary>
internal sealed class NewArrayBufferSource : BufferSource
{
    public override string Name => "new float[]";

    public override object Rent(int count) => new float[count];

    public override Span<float> GetSpan(object handle, int count) => ((float[])handle).AsSpan(0, count);

    public override void Return(object handle)
    {
        // Nothing to give back: the array becomes garbage.
    }

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
