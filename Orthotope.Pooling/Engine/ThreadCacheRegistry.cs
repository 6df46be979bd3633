using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// The thread caches of one engine: finds the calling thread's, registers new ones, recovers the blocks of threads
/// that exited, drains idle caches into the central free lists (stealing), and keeps the counts of caches swept away.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe. <see cref="Current"/> is the hot-path lookup: a thread-static read, no lock. Everything else takes
/// <see cref="_lock"/>, briefly. Exited threads are noticed when a new thread registers and on every trim, so a
/// program that keeps starting short-lived threads keeps reusing what the dead ones cached.
/// </para>
/// <para>
/// Lock order (see docs/architecture.md): a cache's <see cref="ThreadCache{TBlock}.StealLock"/>, then the trim lock
/// (<see cref="PoolTrimmer{TBlock}"/>), then <see cref="_lock"/>, then the steal lock of an exited thread's cache. A
/// live cache's steal lock is only ever tried (<see cref="CacheLock.TryEnter"/>) by a thread holding a later lock,
/// never waited for.
/// </para>
/// </remarks>
internal sealed class ThreadCacheRegistry<TBlock>
    where TBlock : class
{
    /// <summary>This registry's slot in every thread's <see cref="ThreadCacheTable"/>.</summary>
    private readonly int _id;

    private readonly CacheLimits _limits;
    private readonly CentralFreeList<TBlock>[] _central;

    private readonly Lock _lock = new();

    /// <summary>Every live thread's cache. Guarded by <see cref="_lock"/>.</summary>
    private readonly List<ThreadCache<TBlock>> _caches = [];

    /// <summary>Per class: rents counted by caches since swept away. Guarded by <see cref="_lock"/>.</summary>
    private readonly long[] _retiredRents;

    /// <summary>Set once by <see cref="Close"/>; then nothing registers. Guarded by <see cref="_lock"/>.</summary>
    private bool _closed;

    public ThreadCacheRegistry(CacheLimits limits, CentralFreeList<TBlock>[] central)
    {
        _limits = limits;
        _central = central;
        _retiredRents = new long[central.Length];
        _id = ThreadCacheTable.AllocateId();
    }

    /// <summary>How many caches are registered (live threads that have used the pool).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _caches.Count;
            }
        }
    }

    /// <summary>The calling thread's cache, or null when it has none yet (or caches are off).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ThreadCache<TBlock>? Current()
    {
        ThreadCache? found = ThreadCacheTable.Get(_id);

        // Ids are reused after a registry is closed, so a cache found in our slot may belong to a dead engine.
        // Safe: a cache whose Registry is this registry was created by GetOrCreate as a ThreadCache<TBlock>.
        return found is not null && found.Registry == this ? Unsafe.As<ThreadCache<TBlock>>(found) : null;
    }

    /// <summary>The calling thread's cache, registering one on its first call; null when caches are off or the registry is closed.</summary>
    public ThreadCache<TBlock>? GetOrCreate()
    {
        ThreadCache<TBlock>? existing = Current();
        if (existing is not null || !_limits.Enabled)
        {
            return existing;
        }

        var cache = new ThreadCache<TBlock>(this, Thread.CurrentThread, _limits);
        lock (_lock)
        {
            if (_closed)
            {
                return null;
            }

            // Registration is rare (once per thread), so it is where exited threads' blocks are recovered.
            SweepExitedLocked(moved: null);
            _caches.Add(cache);
        }

        ThreadCacheTable.Set(_id, cache);
        return cache;
    }

    /// <summary>
    /// The trim's pass over the caches: recovers exited threads' caches, then drains every live cache that is not in
    /// the middle of a rent or return (when <paramref name="all"/>) or that has been idle since the last pass.
    /// Adds the blocks moved to the central lists, per class, to <paramref name="moved"/>.
    /// </summary>
    /// <remarks>The caller holds the trim lock (<see cref="PoolTrimmer{TBlock}"/>), so passes never overlap.</remarks>
    public void DrainIdle(bool all, int[] moved)
    {
        ThreadCache<TBlock>[] caches;
        lock (_lock)
        {
            SweepExitedLocked(moved);
            caches = [.. _caches];
        }

        foreach (ThreadCache<TBlock> cache in caches)
        {
            long signature = cache.ActivitySignature();
            bool idle = signature == cache.LastSignature;
            if (all || idle)
            {
                TrySteal(cache, moved);
                signature = cache.ActivitySignature();
            }

            cache.LastSignature = signature;
        }
    }

    /// <summary>Adds every registered cache's free blocks and rents, and the rents of caches swept away, per class.</summary>
    public void AddCounts(long[] cachedBlocks, long[] rents)
    {
        lock (_lock)
        {
            for (int c = 0; c < rents.Length; c++)
            {
                rents[c] += _retiredRents[c];
            }

            foreach (ThreadCache<TBlock> cache in _caches)
            {
                cache.AddCounts(cachedBlocks, rents);
            }
        }
    }

    /// <summary>
    /// Stops registering caches and closes every cache (the engine is being disposed): each one's free blocks go to
    /// the central lists, and its owner's every later rent or return takes the slow path, which sees the engine
    /// disposed. Gives the thread-table slot back for reuse.
    /// </summary>
    /// <remarks>Waits for each cache's lock, so the caller must hold no lock a cache's owner could wait for.</remarks>
    public void Close()
    {
        ThreadCache<TBlock>[] caches;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            caches = [.. _caches];
            _caches.Clear();
            foreach (ThreadCache<TBlock> cache in caches)
            {
                cache.AddCounts(cachedBlocks: null, _retiredRents);
            }
        }

        foreach (ThreadCache<TBlock> cache in caches)
        {
            // An owner in its slow path holds the lock; the engine is already marked disposed, so it finishes quickly
            // (a trim it starts does nothing) and the next call fails.
            cache.StealLock.Enter();
            try
            {
                cache.Close(_central);
            }
            finally
            {
                cache.StealLock.Exit();
            }
        }

        ThreadCacheTable.ReleaseId(_id);
    }

    /// <summary>
    /// Drains <paramref name="cache"/> into the central lists unless its owner is inside a fast-path rent or return
    /// right now, or holds the cache's lock in its slow path.
    /// </summary>
    private void TrySteal(ThreadCache<TBlock> cache, int[] moved)
    {
        // TryEnter, not Enter: the owner may hold the lock in its slow path while it waits for this trim.
        if (!cache.StealLock.TryEnter())
        {
            return;
        }

        try
        {
            if (cache.BeginSteal())
            {
                cache.Flush(_central, moved);
            }
        }
        finally
        {
            cache.EndSteal();
            cache.StealLock.Exit();
        }
    }

    private void SweepExitedLocked(int[]? moved)
    {
        for (int i = _caches.Count - 1; i >= 0; i--)
        {
            ThreadCache<TBlock> cache = _caches[i];
            if (cache.Owner.IsAlive)
            {
                continue;
            }

            // The owner has exited, but a trimmer may still be looking at the cache: take its lock to recover the
            // blocks and counts. A trimmer holds it only briefly and never waits for this lock.
            cache.StealLock.Enter();
            try
            {
                cache.Flush(_central, moved);
            }
            finally
            {
                cache.StealLock.Exit();
            }

            cache.AddCounts(cachedBlocks: null, _retiredRents);
            _caches[i] = _caches[^1];
            _caches.RemoveAt(_caches.Count - 1);
        }
    }
}
