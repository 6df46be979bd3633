using System;
using System.Globalization;

namespace Orthotope.Pooling;

/// <summary>
/// Thrown when a rent would take a pool past <see cref="OrthotopePoolOptions.MaxReservedBytes"/> even after the
/// pool released what it could. The pool is left intact and serves again once blocks come back.
/// </summary>
/// <remarks>It derives from <see cref="OutOfMemoryException"/> so code that already handles running out of memory
/// handles a pool at its limit the same way.</remarks>
public sealed class OrthotopePoolExhaustedException : OutOfMemoryException
{
    /// <summary>Creates the exception with a default message.</summary>
    public OrthotopePoolExhaustedException()
        : base("The pool reached its MaxReservedBytes limit.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public OrthotopePoolExhaustedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public OrthotopePoolExhaustedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a rent of <paramref name="requestedSize"/> bytes that needed <paramref name="what"/>.</summary>
    internal OrthotopePoolExhaustedException(string poolName, long limit, long reserved, int requestedSize, long requestBytes, string what)
        : base(string.Format(
            CultureInfo.InvariantCulture,
            "Pool '{0}' cannot serve a rent of {1} bytes: it needed {2} ({3} bytes), and it holds {4} bytes of its " +
            "OrthotopePoolOptions.MaxReservedBytes limit of {5} bytes even after releasing what it could. Raise " +
            "MaxReservedBytes; lower SlabSize, so that slabs grow in smaller steps; return rented blocks sooner; or set " +
            "LimitBehavior = OrthotopeLimitBehavior.AllocateUnpooled to serve such rents outside the pool.",
            poolName, requestedSize, what, requestBytes, reserved, limit))
    {
        MaxReservedBytes = limit;
        RequestedSize = requestedSize;
        RequestedBytes = requestBytes;
    }

    /// <summary>The limit in force, <see cref="OrthotopePoolOptions.MaxReservedBytes"/>.</summary>
    public long MaxReservedBytes { get; }

    /// <summary>The size of the rent that could not be served (a block's or array's length in bytes).</summary>
    public int RequestedSize { get; }

    /// <summary>The bytes the pool needed to reserve to serve the rent: a whole slab, a batch of arrays, or a large block.</summary>
    public long RequestedBytes { get; }
}
