using System;
using Microsoft.Extensions.ObjectPool;
using Orthotope.Pooling.Writers;

namespace Orthotope.Pooling;

/// <summary>
/// Creates <see cref="OrthotopeBufferWriter"/>s on an <see cref="OrthotopeMemoryPool"/>, one at a time or from an
/// <see cref="ObjectPool{T}"/> of them.
/// </summary>
/// <remarks>The methods are stateless and thread-safe; what they return is documented on each.</remarks>
public static class OrthotopeBufferWriters
{
    /// <summary>The default for <see cref="CreateBufferWriterPool"/>'s <c>maximumRetained</c>: 64 writers.</summary>
    public const int DefaultMaximumRetained = 64;

    /// <summary>Creates a writer that rents its blocks from <paramref name="pool"/>; the caller owns it and disposes it.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="pool"/> is null.</exception>
    public static OrthotopeBufferWriter CreateBufferWriter(this OrthotopeMemoryPool pool) => new(pool);

    /// <summary>
    /// Creates a thread-safe <see cref="ObjectPool{T}"/> of writers on <paramref name="pool"/>
    /// (Microsoft.Extensions.ObjectPool's <see cref="DefaultObjectPool{T}"/>). <see cref="ObjectPool{T}.Get"/> hands
    /// out an empty writer; <see cref="ObjectPool{T}.Return"/> resets it (its blocks go back to the memory pool) and
    /// keeps it for the next <c>Get</c> if fewer than <paramref name="maximumRetained"/> are kept, else drops it.
    /// </summary>
    /// <remarks>
    /// A writer taken with <c>Get</c> belongs to the caller until it is returned; it must not be used afterwards. One
    /// that is not returned is collected like any object, its blocks counted as outstanding by the memory pool until
    /// then. Writers kept by the object pool hold no blocks, only their segment objects.
    /// </remarks>
    /// <param name="pool">The memory pool the writers rent from.</param>
    /// <param name="maximumRetained">How many idle writers the object pool keeps; at least 1. Default 64.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pool"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maximumRetained"/> is less than 1.</exception>
    public static ObjectPool<OrthotopeBufferWriter> CreateBufferWriterPool(this OrthotopeMemoryPool pool, int maximumRetained = DefaultMaximumRetained)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximumRetained, 1);
        return new DefaultObjectPool<OrthotopeBufferWriter>(new BufferWriterPoolPolicy(pool), maximumRetained);
    }
}
