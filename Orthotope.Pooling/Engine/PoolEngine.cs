using System;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading;
using Orthotope.Pooling.Diagnostics;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// The allocator, generic over what a block is: it coordinates the calling thread's cache, the central free lists,
/// the reservation and the block sources. It knows nothing of <see cref="System.Buffers.MemoryPool{T}"/> or arrays.
/// </summary>
/// <remarks>
/// <para>
/// A rent walks: the thread's <see cref="ThreadCache{TBlock}"/> (no lock, no interlocked operation); on a miss, a
/// larger class's block in the same cache if the class has nothing central; then the class's
/// <see cref="CentralFreeList{TBlock}"/>; then a larger class's free block, here or central; then growth, which
/// reserves bytes in the <see cref="Reservation"/> and asks the <see cref="BlockSource{TBlock}"/> for a slab. A
/// return pushes onto the thread's cache and, when that is full, grows it for a burst or drains a batch to the
/// central list. Requests above the largest class take the <see cref="LargeBlockPool{TBlock}"/>.
/// </para>
/// <para>
/// Thread-safe. Ownership: a block is in exactly one place at a time: a thread cache, a central free list, the
/// large cache, or with a renter. <see cref="Rent"/> moves it to the renter; <see cref="Return"/> takes it back, and
/// must be called once per rent (the adapters' owners see to that).
/// </para>
/// <para>
/// Lock order: a thread cache's steal lock (held by its owner's slow path, which trims when it meets the limit),
/// then the <see cref="PoolTrimmer{TBlock}"/>'s lock, then the registry's lock, then an exited thread's steal lock.
/// Central free lists and the large cache take their own locks last and call out to nothing that locks.
/// </para>
/// </remarks>
internal sealed class PoolEngine<TBlock> : IPoolMetricsSource
    where TBlock : class
{
    /// <summary>How many larger classes a rent may borrow a free block from before its own class grows: four, one power of two.</summary>
    internal const int BorrowClasses = 4;

    private readonly string _ownerTypeName;
    private readonly SizeClassTable _classes;
    private readonly ThreadCacheRegistry<TBlock> _caches;
    private readonly CentralFreeList<TBlock>[] _central;
    private readonly Reservation _reservation;
    private readonly BlockSource<TBlock> _source;
    private readonly LargeBlockPool<TBlock> _large;
    private readonly PoolTrimmer<TBlock> _trimmer;
    private readonly OrthotopeLimitBehavior _limitBehavior;

    /// <summary>Rents that found the pool at its limit after a trim. Interlocked.</summary>
    private long _limitRejections;

    /// <summary>Slabs allocated since the pool was built. Interlocked.</summary>
    private long _slabsAllocated;

    /// <summary>Set once the pool is disposed: rents throw, returns are counted and dropped.</summary>
    private volatile bool _disposed;

    /// <summary>Serialises <see cref="Dispose"/>, so a second call returns only once the first has finished.</summary>
    private readonly Lock _disposeLock = new();

    /// <summary>Builds an engine; the sources are made from the engine itself, because the blocks they make refer to it.</summary>
    public PoolEngine(
        OrthotopePoolOptions options,
        SizeClassTable classes,
        Func<PoolEngine<TBlock>, BlockSource<TBlock>> createSource,
        Func<PoolEngine<TBlock>, LargeBlockSource<TBlock>> createLargeSource,
        string ownerTypeName)
    {
        _classes = classes;
        _ownerTypeName = ownerTypeName;
        Name = options.Name;
        _limitBehavior = options.LimitBehavior;
        _reservation = new Reservation(options.MaxReservedBytes);

        _source = createSource(this);
        var limits = new CacheLimits(classes, options);
        _central = new CentralFreeList<TBlock>[classes.Count];
        for (int i = 0; i < _central.Length; i++)
        {
            _central[i] = new CentralFreeList<TBlock>(limits.BatchCount(i), classes.GetLength(i), _reservation, _source.AdoptsSurplus);
        }

        _caches = new ThreadCacheRegistry<TBlock>(limits, _central);
        _large = new LargeBlockPool<TBlock>(createLargeSource(this), options.LargeBlockCacheBytes, _reservation);
        _trimmer = new PoolTrimmer<TBlock>(options, classes, _caches, _central, _source, _large, _reservation);
        PoolMetrics.Register(this);
    }

    public string Name { get; }

    public SizeClassTable Classes => _classes;

    /// <summary>Bytes currently held from the runtime.</summary>
    public long ReservedBytes => _reservation.Bytes;

    /// <summary>What trims the pool: on demand, on its timer, under memory pressure.</summary>
    public PoolTrimmer<TBlock> Trimmer => _trimmer;

    /// <summary>How many thread caches are registered (live threads that have used the pool).</summary>
    public int ThreadCacheCount => _caches.Count;

    /// <summary>Takes a free block of class <paramref name="classIndex"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TBlock Rent(int classIndex)
    {
        ThreadCache<TBlock>? cache = _caches.Current();
        if (cache is not null && cache.TryEnter())
        {
            TBlock? block = cache.TryPop(classIndex) ?? BorrowBeforeRefill(cache, classIndex);
            cache.Exit();
            if (block is not null)
            {
                return block;
            }
        }

        return RentSlow(classIndex, cache);
    }

    /// <summary>Gives back a block of class <paramref name="classIndex"/> that <see cref="Rent"/> handed out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Return(TBlock block, int classIndex)
    {
        ThreadCache<TBlock>? cache = _caches.Current();
        if (cache is not null && cache.TryEnter())
        {
            bool pushed = cache.TryPush(classIndex, block);
            cache.Exit();
            if (pushed)
            {
                return;
            }
        }

        ReturnSlow(block, classIndex, cache);
    }

    /// <summary>
    /// The first step of a miss, still inside the fast path's handshake: when the class has nothing central to refill
    /// from either, a block of one of the next <see cref="BorrowClasses"/> classes from the calling thread's own cache.
    /// </summary>
    /// <remarks>
    /// A class of a mixed workload that borrows never grows blocks of its own (that is the point of borrowing), so
    /// its every rent misses, and the borrowed block, which goes back to its own class, is usually in this thread's
    /// stack of that class. Through the slow path each such rent would take the cache's lock and the central list's
    /// lock only to find nothing. Returns null when the class has central blocks to refill from, or no stack has one.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TBlock? BorrowBeforeRefill(ThreadCache<TBlock> cache, int classIndex)
    {
        if (!_central[classIndex].LooksEmpty)
        {
            return null;
        }

        TBlock? block = TryBorrow(classIndex, cache, fromCentral: false);
        if (block is not null)
        {
            cache.CountRent(classIndex);
        }

        return block;
    }

    /// <summary>A rent the thread's cache could not serve: refill it, borrow, or grow.</summary>
    /// <param name="classIndex">The class of the rent.</param>
    /// <param name="cache">The calling thread's cache as the fast path found it, or null: looked up (or made) here.</param>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TBlock RentSlow(int classIndex, ThreadCache<TBlock>? cache)
    {
        ThrowIfDisposed();
        cache ??= _caches.GetOrCreate();
        if (cache is null)
        {
            // Thread caches are off (or the engine was disposed while we registered): one block from the centre.
            BlockSlot<TBlock> single = default;
            if (RefillOrGrow(classIndex, new Span<BlockSlot<TBlock>>(ref single), cache: null) == 0)
            {
                return _large.RentUnpooled(_classes.GetLength(classIndex));
            }

            _central[classIndex].CountUncachedRent();
            Debug.Assert(single.Block is not null);
            return single.Block;
        }

        cache.StealLock.Enter();
        try
        {
            // Checked under the lock: disposal closes every cache under its lock, so a rent that starts after
            // Dispose returned either finds its cache closed here or never had one.
            ThrowIfDisposed();

            // The stack is not empty when the fast path stepped aside for a trimmer that then found nothing to do.
            if (cache.TryPop(classIndex) is { } cached)
            {
                return cached;
            }

            int filled = RefillOrGrow(classIndex, cache.BeginRefill(classIndex), cache);
            return filled > 0 ? cache.CompleteRefill(classIndex, filled) : _large.RentUnpooled(_classes.GetLength(classIndex));
        }
        finally
        {
            cache.StealLock.Exit();
        }
    }

    /// <summary>A return the thread's cache had no room for: grow it for a burst, or drain a batch to the centre.</summary>
    /// <param name="block">The block coming back.</param>
    /// <param name="classIndex">Its class.</param>
    /// <param name="cache">The calling thread's cache as the fast path found it, or null: looked up (or made) here.</param>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReturnSlow(TBlock block, int classIndex, ThreadCache<TBlock>? cache)
    {
        if (_disposed)
        {
            // Accepted quietly: a disposed pool keeps nothing, so the block is left to the garbage collector, and no
            // longer counted as the class's.
            _central[classIndex].ForgetReturned();
            return;
        }

        cache ??= _caches.GetOrCreate();
        if (cache is null)
        {
            _central[classIndex].Put(block);
            return;
        }

        cache.StealLock.Enter();
        try
        {
            cache.PushOverflow(classIndex, _classes.GetLength(classIndex), block, _central[classIndex]);
        }
        finally
        {
            cache.StealLock.Exit();
        }
    }

    /// <summary>
    /// Fills <paramref name="destination"/> (at least one block) from the central free list, a larger class's free
    /// block, or by growing the class; returns how many blocks it wrote. At the reservation limit it trims and tries
    /// once more, then throws, or returns zero when the pool serves over-limit rents unpooled.
    /// </summary>
    /// <remarks>The caller holds <paramref name="cache"/>'s steal lock, if it has a cache.</remarks>
    private int RefillOrGrow(int classIndex, Span<BlockSlot<TBlock>> destination, ThreadCache<TBlock>? cache)
    {
        CentralFreeList<TBlock> central = _central[classIndex];
        for (bool trimmed = false; ; trimmed = true)
        {
            int taken = central.TakeBatch(destination);
            if (taken > 0)
            {
                return taken;
            }

            if (TryBorrow(classIndex, cache, fromCentral: true) is { } borrowed)
            {
                destination[0].Block = borrowed;
                return 1;
            }

            // Sized by the slabs the class holds now, so a class trimmed down starts small again; near the cap, the
            // largest growth that still fits.
            long bytes = _source.GetGrowthBytes(classIndex, central.Slabs, _reservation.Available);
            if (_reservation.TryReserve(bytes))
            {
                return Grow(classIndex, bytes, destination);
            }

            if (trimmed)
            {
                RecordLimitReached(_classes.GetLength(classIndex), bytes, _source.DescribeGrowth(classIndex, bytes));
                return 0;
            }

            // At the limit: give back what can be given back, this thread's own free blocks included, then try reuse
            // and growth once more.
            _trimmer.Trim(TrimReason.Limit, cache, classIndex);
        }
    }

    /// <summary>
    /// Before a class grows, looks for a free block in the next <see cref="BorrowClasses"/> classes (at most one
    /// doubling up): in the calling thread's cache, and centrally when <paramref name="fromCentral"/>. Serving a
    /// request from a slightly larger block that is already reserved keeps the classes of a mixed workload from each
    /// growing to their own peak. The block still belongs to its own class and goes back there when returned.
    /// </summary>
    /// <remarks>The caller is <paramref name="cache"/>'s owner, inside its fast path or holding its steal lock.</remarks>
    private TBlock? TryBorrow(int classIndex, ThreadCache<TBlock>? cache, bool fromCentral)
    {
        int last = Math.Min(_central.Length - 1, classIndex + BorrowClasses);
        for (int c = classIndex + 1; c <= last; c++)
        {
            if (cache?.TryLend(c) is { } own)
            {
                return own;
            }

            // Most larger classes of a mixed workload have nothing spare centrally; TakeOne sees that without a lock.
            if (fromCentral && _central[c].TakeOne() is { } spare)
            {
                return spare;
            }
        }

        return null;
    }

    /// <summary>Makes one growth of class <paramref name="classIndex"/>, whose <paramref name="bytes"/> are reserved, and fills <paramref name="destination"/> from it.</summary>
    private int Grow(int classIndex, long bytes, Span<BlockSlot<TBlock>> destination)
    {
        BlockSlot<TBlock>[] created;
        int slabs;
        try
        {
            created = _source.Grow(classIndex, bytes, out slabs);
        }
        catch
        {
            _reservation.Release(bytes);
            throw;
        }

        Interlocked.Add(ref _slabsAllocated, slabs);
        OrthotopePoolingEventSource.Log.SlabAllocated(Name, _classes.GetLength(classIndex), bytes, created.Length);
        return _central[classIndex].AddCreated(created, slabs, destination);
    }

    /// <summary>
    /// Records a rent of <paramref name="size"/> bytes refused at the limit, which needed <paramref name="bytes"/>
    /// more bytes for <paramref name="what"/>; throws unless the pool serves such rents unpooled.
    /// </summary>
    private void RecordLimitReached(int size, long bytes, string what)
    {
        Interlocked.Increment(ref _limitRejections);
        OrthotopePoolingEventSource.Log.LimitReached(Name, _reservation.Limit, ReservedBytes, bytes);
        if (_limitBehavior == OrthotopeLimitBehavior.Throw)
        {
            ThrowExhausted(size, bytes, what);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowExhausted(int size, long bytes, string what) =>
        throw new OrthotopePoolExhaustedException(Name, _reservation.Limit, ReservedBytes, size, bytes, what);

    /// <summary>Takes back a block served unpooled over the limit: it is dropped, never pooled.</summary>
    public void ReturnUnpooled(TBlock block) => _large.ReturnUnpooled(block);

    /// <summary>Takes a block for a request above the largest class.</summary>
    public TBlock RentLarge(int length)
    {
        ThrowIfDisposed();
        if (_large.TryRentCached(length) is { } cached)
        {
            return cached;
        }

        long bytes = _large.Source.ReservedBytesFor(length);
        if (!_reservation.TryReserve(bytes))
        {
            _trimmer.Trim(TrimReason.Limit);
            if (_large.TryRentCached(length) is { } freed)
            {
                return freed;
            }

            if (!_reservation.TryReserve(bytes))
            {
                RecordLimitReached(length, bytes, $"a new large block of {length} bytes");
                return _large.RentUnpooled(length);
            }
        }

        try
        {
            return _large.RentNew(length);
        }
        catch
        {
            _reservation.Release(bytes);
            throw;
        }
    }

    /// <summary>Gives back a block that <see cref="RentLarge"/> handed out (after disposal, counted and dropped).</summary>
    public void ReturnLarge(TBlock block) => _large.Return(block, _trimmer.Ticks);

    /// <summary>
    /// A full trim: drains the calling thread's cache and the caches of every other thread not in the middle of a
    /// rent or return, recovers exited threads' caches, and releases every slab whose blocks are all free and every
    /// cached large block. Returns the bytes released.
    /// </summary>
    public long Trim() => _trimmer.Trim(TrimReason.Manual);

    public PoolStatistics GetStatistics()
    {
        int count = _classes.Count;
        var threadCached = new long[count];
        var rents = new long[count];
        _caches.AddCounts(threadCached, rents);

        var sizeClasses = new SizeClassStatistics[count];
        long outstandingBlocks = 0, outstandingBytes = 0, totalRents = 0, totalRefills = 0;
        int slabs = 0;
        for (int c = 0; c < count; c++)
        {
            CentralFreeList<TBlock>.CentralSnapshot central = _central[c].Snapshot();
            rents[c] += central.UncachedRents;

            // Below zero only for a moment: a block returned twice, or one the pool never made, sitting in a thread
            // cache until it reaches the central list, which counts or drops it.
            long outstanding = Math.Max(0, central.CreatedBlocks - central.FreeBlocks - threadCached[c]);
            int length = _classes.GetLength(c);
            sizeClasses[c] = new SizeClassStatistics(
                length, _source.GetStride(c), central.CreatedBlocks, outstanding, threadCached[c],
                central.FreeBlocks, central.Slabs, rents[c], central.Refills);
            outstandingBlocks += outstanding;
            outstandingBytes += outstanding * length;
            totalRents += rents[c];
            totalRefills += central.Refills;
            slabs += central.Slabs;
        }

        LargeBlockPool<TBlock>.Counts large = _large.Snapshot();
        long largeOutstanding = large.Outstanding + large.UnpooledOutstanding;
        return new PoolStatistics(
            Name,
            ReservedBytes,
            outstandingBlocks + largeOutstanding,
            outstandingBytes + large.OutstandingBytes + large.UnpooledOutstandingBytes,
            largeOutstanding,
            large.CachedBlocks,
            large.CachedBytes,
            totalRents + large.Rents + large.UnpooledRents,
            totalRefills,
            slabs,
            large.UnpooledRents,
            Volatile.Read(ref _limitRejections),
            Volatile.Read(ref _slabsAllocated),
            _trimmer.SlabsReleased,
            _trimmer.Trims,
            _trimmer.BytesTrimmed,
            sizeClasses);
    }

    /// <summary>The pool's cumulative counters and current totals, for metrics.</summary>
    public PoolCounters ReadCounters()
    {
        PoolStatistics stats = GetStatistics();
        return new PoolCounters(
            stats.ReservedBytes, stats.OutstandingBytes, stats.Rents, stats.Refills, stats.SlabsAllocated,
            stats.SlabsReleased, stats.BytesTrimmed, stats.LimitRejections, stats.UnpooledRents, stats.Trims);
    }

    /// <summary>
    /// Drops every free block and stops caching. Blocks still rented stay valid (their memory is managed) and are
    /// accepted quietly, and dropped, when they come back.
    /// </summary>
    /// <remarks>
    /// Once it has returned, every rent throws <see cref="ObjectDisposedException"/> on every thread: a thread's cache
    /// is closed under its lock (its owner's every later call takes the slow path, which checks), and threads without
    /// a cache check on their way in. What was rented stays counted until it comes back.
    /// </remarks>
    public void Dispose()
    {
        // After Close, no trim runs, so the caches and lists below change only through rents and returns.
        _trimmer.Close();
        lock (_disposeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            PoolMetrics.Unregister(this);
            _caches.Close();
            foreach (CentralFreeList<TBlock> central in _central)
            {
                central.Clear();
            }

            _large.Close();
            _reservation.Clear();
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowHelper.ThrowObjectDisposed(_ownerTypeName);
        }
    }
}
