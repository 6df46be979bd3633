using System;

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

    internal OrthotopePoolExhaustedException(string poolName, long limit, long reserved, long requestBytes)
        : base($"Pool '{poolName}' cannot reserve {requestBytes} more bytes: it holds {reserved} bytes and " +
               $"OrthotopePoolOptions.MaxReservedBytes is {limit}.")
    {
        MaxReservedBytes = limit;
        RequestedBytes = requestBytes;
    }

    /// <summary>The limit in force, <see cref="OrthotopePoolOptions.MaxReservedBytes"/>.</summary>
    public long MaxReservedBytes { get; }

    /// <summary>The bytes the pool needed to reserve to serve the rent.</summary>
    public long RequestedBytes { get; }
}
