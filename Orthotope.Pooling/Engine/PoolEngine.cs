using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using Orthotope.Pooling.Diagnostics;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// The allocator: size classes, per-thread caches, central free lists and the large path, generic over what a
/// block is. It knows nothing of <see cref="System.Buffers.MemoryPool{T}"/> or arrays; a
/// <see cref="BlockSource{TBlock}"/> makes the blocks.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe. A rent or return that hits the calling thread's cache takes no lock and no interlocked operation;
/// a miss moves a batch to or from the class's <see cref="CentralFreeList{TBlock}"/> under its lock; growth,
/// trimming and the large path are the only other slow paths.
/// </para>
/// <para>
/// Ownership: a block is in exactly one place at a time: a thread cache, a central free list, the large cache, or
/// with a renter. <see cref="Rent"/> moves it to the renter; <see cref="Return"/> takes it back, and must be called
/// once per rent (the adapters' owners enforce that).
/// </para>
/// </remarks>
internal sealed class PoolEngine<TBlock> : ITrimTarget, IPoolMetricsSource
    where TBlock : class
{
    private readonly int _id;
    private readonly string _ownerTypeName;
    private readonly SizeClassTable _classes;
    private readonly CentralFreeList<TBlock>[] _central;
    private readonly BlockSource<TBlock> _source;
    private readonly LargeBlockCache<TBlock> _large;

    /// <summary>Per class: how many free blocks a thread keeps at first; zero when thread caches are off.</summary>
    private readonly int[] _localLimits;

    /// <summary>
    /// Per class: how far a thread's limit may grow when it shows bursts (returns that overflow its cache after it
    /// rented from that class itself). A thread that only returns, like a pipe's reader, never grows.
    /// </summary>
    private readonly int[] _burstLimits;

    /// <summary>
    /// Bytes of growth beyond the base limits one thread may hold, summed over its classes, so threads that switch
    /// between renting and returning across many classes (thread-pool threads serving pipes) stay bounded.
    /// </summary>
    private readonly long _burstAllowanceBytes;

    /// <summary>The most blocks a burst can make a class keep per thread.</summary>
    internal const int MaxBurstBlocks = 64;

    /// <summary>Per class: how many blocks move in one refill or drain.</summary>
    private readonly int[] _batchCounts;

    private readonly bool _threadCachesEnabled;
    private readonly long _maxReservedBytes;

    private readonly Lock _registryLock = new();

    /// <summary>Every live thread's cache, so statistics can see them and exited threads' blocks can be recovered.
    /// Guarded by <see cref="_registryLock"/>.</summary>
    private readonly List<ThreadCache<TBlock>> _registry = [];

    /// <summary>Per class: rents counted by caches since swept away. Guarded by <see cref="_registryLock"/>.</summary>
    private readonly long[] _retiredRents;

    /// <summary>Per class: rents served without a thread cache (caches off). Changed with interlocked operations.</summary>
    private readonly long[] _uncachedRents;

    /// <summary>Bytes held from the runtime; changed with interlocked operations on slow paths only.</summary>
    private long _reservedBytes;

    private long _largeOutstanding;
    private long _largeOutstandingBytes;
    private long _largeRents;

    private readonly OrthotopeLimitBehavior _limitBehavior;

    /// <summary>Counters for metrics, changed with interlocked operations on slow paths only.</summary>
    private long _slabsAllocated, _slabsReleased, _bytesTrimmed, _limitRejections, _unpooledRents, _unpooledOutstanding, _trims;

    /// <summary>Serialises trims, so only one thread at a time steals caches or releases slabs.</summary>
    private readonly Lock _trimLock = new();

    /// <summary>Counts idle-trim ticks; stamps large blocks so a tick can tell which sat unused for a whole period.</summary>
    private long _tick;

    private TrimScheduler? _scheduler;

    private volatile bool _disposed;

    public PoolEngine(OrthotopePoolOptions options, BlockSource<TBlock> source, SizeClassTable classes, string ownerTypeName)
    {
        _source = source;
        _classes = classes;
        _ownerTypeName = ownerTypeName;
        Name = options.Name;
        _maxReservedBytes = options.MaxReservedBytes;
        _limitBehavior = options.LimitBehavior;
        _threadCachesEnabled = options.ThreadCacheBytesPerClass > 0;
        _burstAllowanceBytes = 4L * options.ThreadCacheBytesPerClass;
        _large = new LargeBlockCache<TBlock>(options.LargeBlockCacheBytes);

        int count = classes.Count;
        _central = new CentralFreeList<TBlock>[count];
        _localLimits = new int[count];
        _burstLimits = new int[count];
        _batchCounts = new int[count];
        _retiredRents = new long[count];
        _uncachedRents = new long[count];
        for (int i = 0; i < count; i++)
        {
            int length = classes.GetLength(i);
            int batch = Math.Max(1, options.RefillBatchBytes / length);
            if (_threadCachesEnabled)
            {
                _localLimits[i] = Math.Max(2, options.ThreadCacheBytesPerClass / length);
                _burstLimits[i] = Math.Max(
                    _localLimits[i],
                    (int)Math.Min(MaxBurstBlocks, 4L * options.ThreadCacheBytesPerClass / length));
                batch = Math.Min(batch, _localLimits[i]);
            }

            _batchCounts[i] = batch;
            _central[i] = new CentralFreeList<TBlock>(batch);
        }

        _id = ThreadCacheTable.AllocateId();
        PoolMetrics.Register(this);
        _scheduler = TrimScheduler.Start(this, options.TrimInterval, options.TrimOnMemoryPressure);
    }

    public string Name { get; }

    public SizeClassTable Classes => _classes;

    /// <summary>Bytes currently held from the runtime.</summary>
    public long ReservedBytes => Volatile.Read(ref _reservedBytes);

    /// <summary>Takes a free block of class <paramref name="classIndex"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TBlock Rent(int classIndex)
    {
        ThreadCache? found = ThreadCacheTable.Get(_id);
        if (found is not null && found.Engine == this)
        {
            // Safe: a cache whose Engine is this engine was created by GetOrCreateCache as a ThreadCache<TBlock>.
            ThreadCache<TBlock> cache = Unsafe.As<ThreadCache<TBlock>>(found);
            Volatile.Write(ref cache.InUse, 1);
            if (Volatile.Read(ref cache.Stealing) == 0)
            {
                ref ThreadCache<TBlock>.ClassCache slot = ref cache.Classes[classIndex];
                BlockSlot<TBlock>[] items = slot.Items;
                int top = slot.Count - 1;
                if ((uint)top < (uint)items.Length)
                {
                    slot.Count = top;
                    slot.Rents++;
                    TBlock? block = items[top].Block;
                    items[top].Block = null;
                    Volatile.Write(ref cache.InUse, 0);
                    Debug.Assert(block is not null);
                    return block;
                }

                // Still inside the handshake, so the other stacks of this cache are as much ours as this one.
                TBlock? borrowed = BorrowFromOwnCache(cache, classIndex);
                if (borrowed is not null)
                {
                    Volatile.Write(ref cache.InUse, 0);
                    return borrowed;
                }
            }

            Volatile.Write(ref cache.InUse, 0);
        }

        return RentSlow(classIndex);
    }

    /// <summary>
    /// The first step of a miss, taken without the cache's lock: when the class has nothing free centrally either,
    /// a block from one of the next <see cref="BorrowClasses"/> stacks of the calling thread's own cache, as
    /// <see cref="TryBorrow"/> would find it after locking.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Why here: a class of a mixed workload that borrows never grows blocks of its own (that is the point of
    /// borrowing: W2's footprint fell from 4.19 to 1.71 times the live bytes), so its every rent misses, and the
    /// borrowed block, which goes back to its own class, is usually in this thread's stack of that class. Through
    /// the slow path each such rent took the cache lock and the central list's lock to find nothing: 40% of W2's
    /// rents, a third of its time.
    /// </para>
    /// <para>The caller is the owner, inside its fast-path handshake (<see cref="ThreadCache{TBlock}.InUse"/> set, no
    /// steal in progress). Returns null when the class has central blocks to refill from, or no stack has one.</para>
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TBlock? BorrowFromOwnCache(ThreadCache<TBlock> cache, int classIndex)
    {
        if (!_central[classIndex].LooksEmpty)
        {
            return null;
        }

        ThreadCache<TBlock>.ClassCache[] classes = cache.Classes;
        int last = Math.Min(classes.Length - 1, classIndex + BorrowClasses);
        for (int c = classIndex + 1; c <= last; c++)
        {
            TBlock? block = classes[c].TryPop();
            if (block is not null)
            {
                classes[classIndex].Rents++;
                return block;
            }
        }

        return null;
    }

    /// <summary>Gives back a block of class <paramref name="classIndex"/> that <see cref="Rent"/> handed out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Return(TBlock block, int classIndex)
    {
        ThreadCache? found = ThreadCacheTable.Get(_id);
        if (found is not null && found.Engine == this)
        {
            // Safe: as in Rent.
            ThreadCache<TBlock> cache = Unsafe.As<ThreadCache<TBlock>>(found);
            Volatile.Write(ref cache.InUse, 1);
            if (Volatile.Read(ref cache.Stealing) == 0)
            {
                ref ThreadCache<TBlock>.ClassCache slot = ref cache.Classes[classIndex];
                BlockSlot<TBlock>[] items = slot.Items;
                int count = slot.Count;
                if ((uint)count < (uint)items.Length)
                {
                    items[count].Block = block;
                    slot.Count = count + 1;
                    Volatile.Write(ref cache.InUse, 0);
                    return;
                }
            }

            Volatile.Write(ref cache.InUse, 0);
        }

        ReturnSlow(block, classIndex);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private TBlock RentSlow(int classIndex)
    {
        if (_disposed)
        {
            ThrowHelper.ThrowObjectDisposed(_ownerTypeName);
        }

        ThreadCache<TBlock>? cache = GetOrCreateCache();
        if (cache is null)
        {
            // Thread caches are off (or the engine was disposed while we registered): one block from the centre.
            BlockSlot<TBlock> single = default;
            if (RefillOrGrow(classIndex, new Span<BlockSlot<TBlock>>(ref single), cache: null) == 0)
            {
                return RentUnpooled(_classes.GetLength(classIndex));
            }

            Interlocked.Increment(ref _uncachedRents[classIndex]);
            Debug.Assert(single.Block is not null);
            return single.Block;
        }

        cache.StealLock.Enter();
        try
        {
            cache.SlowOperations++;
            ref ThreadCache<TBlock>.ClassCache slot = ref cache.Classes[classIndex];
            if (slot.Items.Length == 0)
            {
                slot.Items = new BlockSlot<TBlock>[_localLimits[classIndex]];
            }

            if (slot.Count == 0)
            {
                int filled = RefillOrGrow(classIndex, slot.Items.AsSpan(0, _batchCounts[classIndex]), cache);
                if (filled == 0)
                {
                    return RentUnpooled(_classes.GetLength(classIndex));
                }

                slot.Count = filled;
            }

            int top = --slot.Count;
            slot.Rents++;
            TBlock? block = slot.Items[top].Block;
            slot.Items[top].Block = null;
            Debug.Assert(block is not null);
            return block;
        }
        finally
        {
            cache.StealLock.Exit();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReturnSlow(TBlock block, int classIndex)
    {
        if (_disposed)
        {
            // Accepted quietly: a disposed pool keeps nothing, so the block is left to the garbage collector.
            return;
        }

        ThreadCache<TBlock>? cache = GetOrCreateCache();
        if (cache is null)
        {
            _central[classIndex].Put(block);
            return;
        }

        cache.StealLock.Enter();
        try
        {
            cache.SlowOperations++;
            ref ThreadCache<TBlock>.ClassCache slot = ref cache.Classes[classIndex];
            if (slot.Items.Length == 0)
            {
                slot.Items = new BlockSlot<TBlock>[_localLimits[classIndex]];
            }

            if (slot.Count == slot.Items.Length)
            {
                int grown = Math.Min(_burstLimits[classIndex], slot.Items.Length * 2);
                long growthBytes = (long)(grown - slot.Items.Length) * _classes.GetLength(classIndex);
                if (slot.Rents != slot.RentsAtLastOverflow && growthBytes > 0 &&
                    cache.BurstBytes + growthBytes <= _burstAllowanceBytes)
                {
                    // This thread rents from the class too, so the overflow is a burst (rent many, then return
                    // them all): keep the burst local by growing the stack, instead of shuttling batches through
                    // the lock.
                    Array.Resize(ref slot.Items, grown);
                    cache.BurstBytes += growthBytes;
                }
                else
                {
                    // Full: hand the oldest (coldest) batch to the central pool and keep the recently used blocks.
                    int drain = Math.Min(_batchCounts[classIndex], slot.Count);
                    Span<BlockSlot<TBlock>> items = slot.Items.AsSpan(0, slot.Count);
                    _central[classIndex].PutBatch(items[..drain]);
                    items[drain..].CopyTo(items);
                    items[(slot.Count - drain)..].Clear();
                    slot.Count -= drain;
                }

                slot.RentsAtLastOverflow = slot.Rents;
            }

            slot.Items[slot.Count++].Block = block;
        }
        finally
        {
            cache.StealLock.Exit();
        }
    }

    /// <summary>
    /// Fills <paramref name="destination"/> (at least one block) from the central free list, growing the class if
    /// that is empty; returns how many blocks it wrote. At the reservation limit it throws, or returns zero when the
    /// pool serves over-limit rents unpooled.
    /// </summary>
    private int RefillOrGrow(int classIndex, Span<BlockSlot<TBlock>> destination, ThreadCache<TBlock>? cache)
    {
        CentralFreeList<TBlock> central = _central[classIndex];
        for (int attempt = 0; ; attempt++)
        {
            int taken = central.TakeBatch(destination);
            if (taken > 0)
            {
                return taken;
            }

            if (TryBorrow(classIndex, cache) is { } borrowed)
            {
                destination[0].Block = borrowed;
                return 1;
            }

            long bytes = _source.GetGrowthBytes(classIndex, central.Growths);
            if (TryReserve(bytes))
            {
                BlockSlot<TBlock>[] created;
                int slabs;
                try
                {
                    created = _source.Grow(this, classIndex, bytes, out slabs);
                }
                catch
                {
                    Interlocked.Add(ref _reservedBytes, -bytes);
                    throw;
                }

                Interlocked.Add(ref _slabsAllocated, slabs);
                OrthotopePoolingEventSource.Log.SlabAllocated(Name, _classes.GetLength(classIndex), bytes, created.Length);
                return central.AddCreated(created, slabs, destination);
            }

            if (attempt > 0)
            {
                if (OnLimitReached(bytes))
                {
                    return 0;
                }
            }
            else
            {
                // At the limit: give back what can be given back, then try reuse and growth once more.
                TrimCore(TrimReason.Limit);
            }
        }
    }

    /// <summary>
    /// Before a class grows, looks for a free block in the next <see cref="BorrowClasses"/> classes (at most one
    /// doubling up), in the calling thread's cache first, then centrally. Serving a request from a slightly larger
    /// block that is already reserved keeps the classes of a mixed workload from each growing to their own peak.
    /// The block still belongs to its own class and goes back there when returned.
    /// </summary>
    /// <remarks>The caller holds <paramref name="cache"/>'s steal lock, if it has a cache.</remarks>
    private TBlock? TryBorrow(int classIndex, ThreadCache<TBlock>? cache)
    {
        int last = Math.Min(_central.Length - 1, classIndex + BorrowClasses);
        for (int c = classIndex + 1; c <= last; c++)
        {
            if (cache?.Classes[c].TryPop() is { } block)
            {
                return block;
            }

            // Most larger classes of a mixed workload have nothing spare centrally; TakeBatch sees that without
            // its lock.
            BlockSlot<TBlock> one = default;
            if (_central[c].TakeBatch(new Span<BlockSlot<TBlock>>(ref one)) == 1)
            {
                return one.Block;
            }
        }

        return null;
    }

    /// <summary>How many larger classes a rent may borrow a free block from before its own class grows: four, one
    /// power of two.</summary>
    internal const int BorrowClasses = 4;

    /// <summary>
    /// Records a rent refused at the limit; throws, or returns true when the pool serves it unpooled instead.
    /// </summary>
    private bool OnLimitReached(long bytes)
    {
        Interlocked.Increment(ref _limitRejections);
        OrthotopePoolingEventSource.Log.LimitReached(Name, _maxReservedBytes, ReservedBytes, bytes);
        if (_limitBehavior == OrthotopeLimitBehavior.AllocateUnpooled)
        {
            return true;
        }

        ThrowExhausted(bytes);
        return false;
    }

    /// <summary>Serves a rent over the limit with a block the pool neither counts in its reservation nor keeps.</summary>
    private TBlock RentUnpooled(int length)
    {
        TBlock block = _source.CreateUnpooled(this, length);
        Interlocked.Increment(ref _unpooledRents);
        Interlocked.Increment(ref _unpooledOutstanding);
        return block;
    }

    /// <summary>Takes back a block made by <see cref="RentUnpooled"/>: it is dropped, never pooled.</summary>
    public void ReturnUnpooled() => Interlocked.Decrement(ref _unpooledOutstanding);

    /// <summary>Takes a block for a request above the largest class.</summary>
    public TBlock RentLarge(int length)
    {
        if (_disposed)
        {
            ThrowHelper.ThrowObjectDisposed(_ownerTypeName);
        }

        TBlock? block = _large.TryTake(length);
        if (block is null)
        {
            long bytes = _source.GetLargeBytes(length);
            if (!TryReserve(bytes))
            {
                TrimCore(TrimReason.Limit);
                block = _large.TryTake(length);
                if (block is null && !TryReserve(bytes))
                {
                    OnLimitReached(bytes);
                    return RentUnpooled(length);
                }
            }

            try
            {
                block ??= _source.CreateLarge(this, length);
            }
            catch
            {
                Interlocked.Add(ref _reservedBytes, -bytes);
                throw;
            }
        }

        Interlocked.Increment(ref _largeOutstanding);
        Interlocked.Add(ref _largeOutstandingBytes, _source.GetLargeLength(block));
        Interlocked.Increment(ref _largeRents);
        return block;
    }

    /// <summary>Gives back a block that <see cref="RentLarge"/> handed out.</summary>
    public void ReturnLarge(TBlock block)
    {
        if (_disposed)
        {
            return;
        }

        Interlocked.Decrement(ref _largeOutstanding);
        Interlocked.Add(ref _largeOutstandingBytes, -_source.GetLargeLength(block));
        long bytes = _source.GetLargeReservedBytes(block);
        if (!_large.TryAdd(block, _source.GetLargeLength(block), bytes, Volatile.Read(ref _tick)))
        {
            Interlocked.Add(ref _reservedBytes, -bytes);
        }
    }

    /// <summary>Adds <paramref name="bytes"/> to the reservation unless that would pass <see cref="OrthotopePoolOptions.MaxReservedBytes"/>.</summary>
    private bool TryReserve(long bytes)
    {
        long limit = _maxReservedBytes;
        if (limit == 0)
        {
            Interlocked.Add(ref _reservedBytes, bytes);
            return true;
        }

        long current = Volatile.Read(ref _reservedBytes);
        while (true)
        {
            if (current + bytes > limit)
            {
                return false;
            }

            long seen = Interlocked.CompareExchange(ref _reservedBytes, current + bytes, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowExhausted(long bytes) =>
        throw new OrthotopePoolExhaustedException(Name, _maxReservedBytes, ReservedBytes, bytes);

    /// <summary>
    /// A full trim: drains the calling thread's cache and the caches of every other thread not in the middle of a
    /// rent or return, recovers exited threads' caches, and releases every slab whose blocks are all free and every
    /// cached large block. Returns the bytes released.
    /// </summary>
    public long Trim() => TrimCore(TrimReason.Manual);

    /// <summary>
    /// The periodic trim: drains the caches of threads idle since the last tick, and releases the free slabs and
    /// large blocks that went unused for a whole period (the central low-water mark). Returns the bytes released.
    /// </summary>
    public long TrimIdle() => TrimCore(TrimReason.Idle);

    /// <summary>Responds to memory load (used ÷ the GC's high-load threshold): a full trim when high, an idle trim when medium.</summary>
    public long OnMemoryPressure(double load) =>
        load >= HighMemoryLoad ? TrimCore(TrimReason.HighMemoryPressure)
        : load >= MediumMemoryLoad ? TrimCore(TrimReason.Idle)
        : 0;

    /// <summary>Memory load (÷ the high-load threshold) from which a gen2 collection triggers a full trim.</summary>
    internal const double HighMemoryLoad = 0.9;

    /// <summary>Memory load from which a gen2 collection triggers an idle trim.</summary>
    internal const double MediumMemoryLoad = 0.7;

    /// <summary>Idle-trim ticks so far.</summary>
    public long Ticks => Volatile.Read(ref _tick);

    private long TrimCore(TrimReason reason)
    {
        bool full = reason != TrimReason.Idle;
        lock (_trimLock)
        {
            if (_disposed)
            {
                return 0;
            }

            long tick = full ? Volatile.Read(ref _tick) : Interlocked.Increment(ref _tick);
            var stolen = new int[_classes.Count];
            ThreadCache<TBlock>[] caches;
            lock (_registryLock)
            {
                SweepExitedThreadsLocked(stolen);
                caches = [.. _registry];
            }

            foreach (ThreadCache<TBlock> cache in caches)
            {
                long signature = cache.ActivitySignature();
                bool idle = signature == cache.LastSignature;
                if (full || idle)
                {
                    TrySteal(cache, stolen);
                    signature = cache.ActivitySignature();
                }

                cache.LastSignature = signature;
            }

            long released = 0;
            int slabsReleased = 0;
            for (int i = 0; i < _central.Length; i++)
            {
                ReleaseResult result = _central[i].Release(_source, i, full ? int.MaxValue : stolen[i]);
                released += result.ReleasedBytes;
                slabsReleased += result.ReleasedSlabs;
                if (result.ReleasedBytes > 0)
                {
                    OrthotopePoolingEventSource.Log.SlabsReleased(Name, _classes.GetLength(i), result.ReleasedSlabs, result.ReleasedBytes);
                }
            }

            // A large block stamped two ticks back has sat unused for at least one whole period.
            released += full ? _large.Clear() : _large.ReleaseAddedBefore(tick - 2);
            Interlocked.Add(ref _reservedBytes, -released);
            Interlocked.Add(ref _bytesTrimmed, released);
            Interlocked.Add(ref _slabsReleased, slabsReleased);
            Interlocked.Increment(ref _trims);
            OrthotopePoolingEventSource.Log.Trimmed(Name, reason.ToString(), released, slabsReleased, ReservedBytes);
            return released;
        }
    }

    /// <summary>
    /// Drains another thread's cache (or this thread's) into the central free lists unless its owner is inside a
    /// fast-path rent or return right now; adds the blocks moved per class to <paramref name="moved"/>.
    /// </summary>
    private bool TrySteal(ThreadCache<TBlock> cache, int[] moved)
    {
        // TryEnter, not Enter: the owner may hold the lock in its slow path while it waits for this trim.
        if (!cache.StealLock.TryEnter())
        {
            return false;
        }

        try
        {
            Volatile.Write(ref cache.Stealing, 1);

            // The asymmetric half of the handshake: after this, an owner that set InUse before our Stealing write
            // is visible to us, and an owner that sets InUse later sees Stealing and takes the (locked) slow path.
            Interlocked.MemoryBarrierProcessWide();
            if (Volatile.Read(ref cache.InUse) != 0)
            {
                return false;
            }

            Flush(cache, moved);
            return true;
        }
        finally
        {
            Volatile.Write(ref cache.Stealing, 0);
            cache.StealLock.Exit();
        }
    }

    private ThreadCache<TBlock>? GetOrCreateCache()
    {
        ThreadCache? existing = ThreadCacheTable.Get(_id);
        if (existing is not null && existing.Engine == this)
        {
            return Unsafe.As<ThreadCache<TBlock>>(existing);
        }

        if (!_threadCachesEnabled)
        {
            return null;
        }

        var cache = new ThreadCache<TBlock>(this, Thread.CurrentThread, _classes.Count);
        lock (_registryLock)
        {
            if (_disposed)
            {
                return null;
            }

            // Registration is rare (once per thread), so it is where exited threads' blocks are recovered: a
            // program that keeps starting short-lived threads keeps reusing what the dead ones cached.
            SweepExitedThreadsLocked(moved: null);
            _registry.Add(cache);
        }

        ThreadCacheTable.Set(_id, cache);
        return cache;
    }

    /// <summary>
    /// Moves every free block of <paramref name="cache"/> to the central free lists, counting them per class into
    /// <paramref name="moved"/>, and shrinks stacks grown by bursts back to their base limits.
    /// </summary>
    /// <remarks>
    /// The caller has the cache to itself: it holds <see cref="ThreadCache{TBlock}.StealLock"/> with the owner out of
    /// its fast path, or the owner has exited.
    /// </remarks>
    private void Flush(ThreadCache<TBlock> cache, int[]? moved)
    {
        ThreadCache<TBlock>.ClassCache[] classes = cache.Classes;
        for (int i = 0; i < classes.Length; i++)
        {
            ref ThreadCache<TBlock>.ClassCache slot = ref classes[i];
            if (slot.Count > 0)
            {
                Span<BlockSlot<TBlock>> items = slot.Items.AsSpan(0, slot.Count);
                _central[i].PutBatch(items);
                items.Clear();
                if (moved is not null)
                {
                    moved[i] += slot.Count;
                }

                slot.Count = 0;
            }

            if (slot.Items.Length > _localLimits[i])
            {
                slot.Items = new BlockSlot<TBlock>[_localLimits[i]];
            }
        }

        cache.BurstBytes = 0;
    }

    private void SweepExitedThreadsLocked(int[]? moved)
    {
        for (int i = _registry.Count - 1; i >= 0; i--)
        {
            ThreadCache<TBlock> cache = _registry[i];
            if (cache.Owner.IsAlive)
            {
                continue;
            }

            // The owner has exited; a trimmer may still be looking at the cache, so take its lock to recover the
            // blocks and counts.
            cache.StealLock.Enter();
            try
            {
                Flush(cache, moved);
            }
            finally
            {
                cache.StealLock.Exit();
            }

            ThreadCache<TBlock>.ClassCache[] classes = cache.Classes;
            for (int c = 0; c < classes.Length; c++)
            {
                _retiredRents[c] += classes[c].Rents;
            }

            _registry[i] = _registry[^1];
            _registry.RemoveAt(_registry.Count - 1);
        }
    }

    /// <summary>How many thread caches are registered (live threads that have used the pool).</summary>
    public int ThreadCacheCount
    {
        get
        {
            lock (_registryLock)
            {
                return _registry.Count;
            }
        }
    }

    public PoolStatistics GetStatistics()
    {
        int count = _classes.Count;
        var threadCached = new long[count];
        var rents = new long[count];
        lock (_registryLock)
        {
            for (int c = 0; c < count; c++)
            {
                rents[c] = _retiredRents[c] + Volatile.Read(ref _uncachedRents[c]);
            }

            foreach (ThreadCache<TBlock> cache in _registry)
            {
                ThreadCache<TBlock>.ClassCache[] classes = cache.Classes;
                for (int c = 0; c < count; c++)
                {
                    // Racy reads of another thread's counters: each is a whole value, possibly a moment old.
                    threadCached[c] += Volatile.Read(ref classes[c].Count);
                    rents[c] += Volatile.Read(ref classes[c].Rents);
                }
            }
        }

        var sizeClasses = new SizeClassStatistics[count];
        long outstandingBlocks = 0, outstandingBytes = 0, totalRents = 0, totalRefills = 0;
        int slabs = 0;
        bool slabBacked = _source.IsSlabBacked;
        for (int c = 0; c < count; c++)
        {
            CentralFreeList<TBlock>.CentralSnapshot central = _central[c].Snapshot();
            long outstanding = central.CreatedBlocks - central.FreeBlocks - threadCached[c];
            int length = _classes.GetLength(c);
            sizeClasses[c] = new SizeClassStatistics(
                length, slabBacked ? _classes.GetStride(c) : 0, central.CreatedBlocks, outstanding, threadCached[c],
                central.FreeBlocks, central.Slabs, rents[c], central.Refills);
            outstandingBlocks += outstanding;
            outstandingBytes += outstanding * length;
            totalRents += rents[c];
            totalRefills += central.Refills;
            slabs += central.Slabs;
        }

        long largeOutstanding = Volatile.Read(ref _largeOutstanding) + Volatile.Read(ref _unpooledOutstanding);
        (int largeCachedBlocks, long largeCachedBytes) = _large.Snapshot();
        return new PoolStatistics(
            Name,
            ReservedBytes,
            outstandingBlocks + largeOutstanding,
            outstandingBytes + Volatile.Read(ref _largeOutstandingBytes),
            largeOutstanding,
            largeCachedBlocks,
            largeCachedBytes,
            totalRents + Volatile.Read(ref _largeRents) + Volatile.Read(ref _unpooledRents),
            totalRefills,
            slabs,
            Volatile.Read(ref _unpooledRents),
            Volatile.Read(ref _limitRejections),
            Volatile.Read(ref _slabsAllocated),
            Volatile.Read(ref _slabsReleased),
            Volatile.Read(ref _trims),
            Volatile.Read(ref _bytesTrimmed),
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
    public void Dispose()
    {
        lock (_trimLock)
        lock (_registryLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _scheduler?.Dispose();
            _scheduler = null;
            PoolMetrics.Unregister(this);
            foreach (ThreadCache<TBlock> cache in _registry)
            {
                // The owner thread may be mid-operation on the old stacks; whatever it does to them is harmless
                // because they are no longer reachable from the engine, and its next call takes the slow path.
                cache.Classes = ThreadCache<TBlock>.CreateEmpty(_classes.Count);
            }

            _registry.Clear();
        }

        foreach (CentralFreeList<TBlock> central in _central)
        {
            central.Clear();
        }

        _large.Clear();
        Interlocked.Exchange(ref _reservedBytes, 0);
        ThreadCacheTable.ReleaseId(_id);
    }
}
