using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using Microsoft.AspNetCore.Connections;

namespace Orthotope.Pooling.AspNetCore;

/// <summary>
/// An <see cref="IMemoryPoolFactory{T}"/> that gives Kestrel's transports <see cref="OrthotopeMemoryPool"/>s instead
/// of Kestrel's pinned block pools: one pool per <see cref="MemoryPoolOptions.Owner"/>, named
/// <c>"&lt;prefix&gt;/&lt;owner&gt;"</c>; with Kestrel 10's socket transport, which passes the owner <c>"kestrel"</c>,
/// that is <c>"aspnetcore/kestrel"</c>.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe: every member may be called from any thread.
/// </para>
/// <para>
/// <b>One pool per owner, not per call.</b> Kestrel's socket transport calls <see cref="Create"/> once per I/O queue of
/// every listener (up to 16 per endpoint), each time with the same owner. Kestrel's own factory makes a pool per call,
/// each a queue of 4 KiB blocks; an <see cref="OrthotopeMemoryPool"/> already keeps a cache per
/// thread and hands blocks freed on one thread back to the others through its central lists, so splitting a
/// transport into one pool per queue would only multiply the slabs reserved and split the statistics. Every call
/// with the same owner therefore gets its own lightweight handle on the owner's single pool, and the pool's
/// <see cref="OrthotopePoolOptions.Name"/> (the tag its statistics and metrics carry) is the factory's prefix, a
/// slash and the owner, or <see cref="UnnamedOwner"/> when the owner is null or blank.
/// </para>
/// <para>
/// <b>Ownership.</b> The factory owns the pools it creates. The <see cref="MemoryPool{T}"/> that
/// <see cref="Create"/> returns belongs to the caller: disposing it ends that handle (a later rent through it throws
/// <see cref="ObjectDisposedException"/>) but leaves the owner's pool, and blocks rented through it, alone.
/// Disposing the factory disposes every pool it created; blocks still rented may be disposed afterwards and are
/// then dropped quietly, and <see cref="Create"/> throws <see cref="ObjectDisposedException"/>. Registered through
/// <c>AddOrthotopeMemoryPool</c>, the factory is a container-owned singleton, so the host disposes it after the
/// server has stopped.
/// </para>
/// <para>
/// <b>Trimming.</b> Kestrel evicts idle blocks from its own pools on its heartbeat, but only for pools its own factory
/// made. The pools made here trim themselves through their options (<c>TrimInterval</c> and
/// <c>TrimOnMemoryPressure</c> on <see cref="OrthotopePoolOptions"/>: every 10 s and on gen-2 collections under
/// memory pressure by default), and
/// <see cref="Trim"/> trims them all on demand.
/// </para>
/// </remarks>
public sealed class OrthotopeMemoryPoolFactory : IMemoryPoolFactory<byte>, IDisposable
{
    /// <summary>The name prefix of the pools when the options leave <see cref="OrthotopePoolOptions.Name"/> at its default.</summary>
    public const string DefaultNamePrefix = "aspnetcore";

    /// <summary>The owner part of a pool's name when <see cref="MemoryPoolOptions.Owner"/> is null or blank.</summary>
    public const string UnnamedOwner = "unnamed";

    private static readonly string s_coreDefaultName = new OrthotopePoolOptions().Name;

    // The template every pool is cloned from; its Name is the prefix. Never mutated after construction.
    private readonly OrthotopePoolOptions _options;

    // Guards _pools and _disposed. Create is called a handful of times per listener, never on a hot path.
    private readonly Lock _lock = new();

    // Owner -> pool. Only grows until Dispose empties it for good.
    private readonly Dictionary<string, OrthotopeMemoryPool> _pools = new(StringComparer.Ordinal);

    private bool _disposed;

    /// <summary>Creates a factory whose pools use the default options and the <see cref="DefaultNamePrefix"/> prefix.</summary>
    public OrthotopeMemoryPoolFactory()
        : this(null)
    {
    }

    /// <summary>
    /// Creates a factory whose pools are built from a copy of <paramref name="options"/>. The options'
    /// <see cref="OrthotopePoolOptions.Name"/> is the prefix of the pools' names; left at the core library's default
    /// it becomes <see cref="DefaultNamePrefix"/>.
    /// </summary>
    /// <param name="options">The pool options, or null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range; the exception's parameter name is the option.</exception>
    public OrthotopeMemoryPoolFactory(OrthotopePoolOptions? options)
    {
        OrthotopePoolOptions template = options?.Clone() ?? new OrthotopePoolOptions();
        if (string.Equals(template.Name, s_coreDefaultName, StringComparison.Ordinal))
        {
            template.Name = DefaultNamePrefix;
        }

        template.Validate();
        _options = template;
    }

    /// <summary>The prefix of the pools' names.</summary>
    public string NamePrefix => _options.Name;

    /// <summary>The pools created so far, in no particular order; empty once the factory is disposed.</summary>
    public IReadOnlyList<OrthotopeMemoryPool> Pools
    {
        get
        {
            lock (_lock)
            {
                var pools = new OrthotopeMemoryPool[_pools.Count];
                _pools.Values.CopyTo(pools, 0);
                return pools;
            }
        }
    }

    /// <summary>
    /// Returns a handle on the pool of <paramref name="options"/>'s owner, creating the pool on the owner's first call.
    /// </summary>
    /// <param name="options">Kestrel's options for the pool; only <see cref="MemoryPoolOptions.Owner"/> is read.</param>
    /// <returns>A pool the caller owns and should dispose when it no longer rents from it.</returns>
    /// <exception cref="ObjectDisposedException">The factory has been disposed.</exception>
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        string owner = string.IsNullOrWhiteSpace(options?.Owner) ? UnnamedOwner : options.Owner;
        OrthotopeMemoryPool pool;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_pools.TryGetValue(owner, out pool!))
            {
                OrthotopePoolOptions poolOptions = _options.Clone();
                poolOptions.Name = string.Concat(_options.Name, "/", owner);
                pool = new OrthotopeMemoryPool(poolOptions);
                _pools.Add(owner, pool);
            }
        }

        return new OrthotopePoolHandle(pool);
    }

    /// <summary>Returns the pool created for <paramref name="owner"/>, if any (null or blank means <see cref="UnnamedOwner"/>).</summary>
    public bool TryGetPool(string? owner, [NotNullWhen(true)] out OrthotopeMemoryPool? pool)
    {
        lock (_lock)
        {
            return _pools.TryGetValue(string.IsNullOrWhiteSpace(owner) ? UnnamedOwner : owner, out pool);
        }
    }

    /// <summary>Trims every pool (see <see cref="OrthotopeMemoryPool.Trim"/>) and returns the bytes released.</summary>
    public long Trim()
    {
        long released = 0;
        foreach (OrthotopeMemoryPool pool in Pools)
        {
            released += pool.Trim();
        }

        return released;
    }

    /// <summary>
    /// Disposes every pool the factory created. Blocks still rented may be disposed later; they are dropped quietly.
    /// Calling it again does nothing.
    /// </summary>
    public void Dispose()
    {
        OrthotopeMemoryPool[] pools;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            pools = new OrthotopeMemoryPool[_pools.Count];
            _pools.Values.CopyTo(pools, 0);
            _pools.Clear();
        }

        foreach (OrthotopeMemoryPool pool in pools)
        {
            pool.Dispose();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"OrthotopeMemoryPoolFactory '{NamePrefix}'";
}
