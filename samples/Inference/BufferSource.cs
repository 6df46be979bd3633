using System;

namespace Orthotope.Pooling.Samples.Inference;

/// <summary>Where a request's activation buffers come from: the three ways the sample compares.</summary>
/// <remarks>
/// A buffer is an opaque handle (the owner or the array) plus exactly the floats asked for. Not thread-safe: one
/// <see cref="InferenceLoop"/> per thread.
/// </remarks>
internal abstract class BufferSource
{
    /// <summary>The mode's name, as printed.</summary>
    public abstract string Name { get; }

    /// <summary>Rents a buffer of at least <paramref name="count"/> floats and returns its handle.</summary>
    public abstract object Rent(int count);

    /// <summary>The first <paramref name="count"/> floats of a buffer from <see cref="Rent"/>.</summary>
    public abstract Span<float> GetSpan(object handle, int count);

    /// <summary>Gives a buffer from <see cref="Rent"/> back (or drops it).</summary>
    public abstract void Return(object handle);

    /// <summary>
    /// The bytes set aside for the buffers in <paramref name="handles"/>, all still rented: what they hold, which may
    /// be more than was asked for (a pool rounds up).
    /// </summary>
    public abstract long HeldBytes(ReadOnlySpan<object?> handles);
}
