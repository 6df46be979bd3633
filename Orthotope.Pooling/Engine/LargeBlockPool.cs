using System.Threading;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// The blocks made for one request by a <see cref="LargeBlockSource{TBlock}"/>: large blocks, above the largest size
/// class, kept for reuse when returned (within a byte budget, in a <see cref="LargeBlockCache{TBlock}"/>); and
/// unpooled blocks, served over the reservation limit and dropped when returned. Both are counted while rented.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe: the cache has its own lock and the counters change with interlocked operations.
/// </para>
/// <para>
/// Accounting: the engine reserves a large block's bytes before <see cref="RentNew"/>; from then on the reservation
/// travels with the block, counted in <see cref="_outstandingReservedBytes"/> while it is rented and in the cache while
/// it is kept. A returned block is kept only if its bytes are counted: the ones a rent took, or, for a block the pool
/// did not hand out (an array from elsewhere, or one returned twice), bytes newly reserved within the cap. Otherwise
/// it is dropped. So the reservation never goes negative and never passes the cap, whatever comes back.
/// </para>
/// </remarks>
internal sealed class LargeBlockPool<TBlock>
    where TBlock : class
{
    private readonly LargeBlockSource<TBlock> _source;
    private readonly LargeBlockCache<TBlock> _cache;
    private readonly Reservation _reservation;

    /// <summary>Large blocks rented and not yet returned (never below zero).</summary>
    private long _outstanding;

    /// <summary>The usable bytes of the large blocks rented and not yet returned (never below zero).</summary>
    private long _outstandingBytes;

    /// <summary>The reserved bytes of the large blocks rented and not yet returned: what returns may hand to the cache.</summary>
    private long _outstandingReservedBytes;

    /// <summary>Large rents served since the pool was built.</summary>
    private long _rents;

    /// <summary>Rents served unpooled over the limit.</summary>
    private long _unpooledRents;

    /// <summary>Unpooled blocks not yet returned.</summary>
    private long _unpooledOutstanding;

    /// <summary>The usable bytes of the unpooled blocks not yet returned.</summary>
    private long _unpooledOutstandingBytes;

    /// <summary>Set when the pool is disposed: returns are counted and dropped. Volatile.</summary>
    private volatile bool _closed;

    public LargeBlockPool(LargeBlockSource<TBlock> source, long cacheBudgetBytes, Reservation reservation)
    {
        _source = source;
        _cache = new LargeBlockCache<TBlock>(cacheBudgetBytes);
        _reservation = reservation;
    }

    /// <summary>What the source makes and how it measures blocks.</summary>
    public LargeBlockSource<TBlock> Source => _source;

    /// <summary>Takes a cached block that fits <paramref name="length"/> bytes and counts the rent, or returns null.</summary>
    public TBlock? TryRentCached(int length)
    {
        TBlock? block = _cache.TryTake(length);
        if (block is not null)
        {
            CountRent(block);
        }

        return block;
    }

    /// <summary>Makes a block for <paramref name="length"/> bytes, whose bytes the caller has reserved, and counts the rent.</summary>
    public TBlock RentNew(int length)
    {
        TBlock block = _source.CreateLarge(length);
        CountRent(block);
        return block;
    }

    /// <summary>
    /// Takes back a rented block: keeps it for reuse, stamped with idle-trim tick <paramref name="tick"/>, if the cache
    /// has room and its bytes are counted; otherwise drops it, releasing what it held of the reservation.
    /// </summary>
    public void Return(TBlock block, long tick)
    {
        int length = _source.LengthOf(block);
        long bytes = _source.ReservedBytesOf(block);
        DecrementToZero(ref _outstanding, 1);
        DecrementToZero(ref _outstandingBytes, length);

        // The bytes of a block this pool rented out move to the cache with it; a block it cannot account for (not
        // rented from here, or more returned than rented) is kept only if its bytes can be newly reserved.
        bool counted = TryTake(ref _outstandingReservedBytes, bytes) || (!_closed && _reservation.TryReserve(bytes));
        if (!counted)
        {
            return;
        }

        if (_closed || !_cache.TryAdd(block, length, bytes, tick))
        {
            _reservation.Release(bytes);
        }
    }

    /// <summary>
    /// Drops every cached block (<paramref name="full"/>), or those cached at or before idle-trim tick
    /// <paramref name="addedBefore"/>; returns the bytes the caller must release from the reservation.
    /// </summary>
    public long Trim(bool full, long addedBefore) => full ? _cache.Clear() : _cache.ReleaseAddedBefore(addedBefore);

    /// <summary>Serves a rent over the limit with a block the pool neither counts in its reservation nor keeps.</summary>
    public TBlock RentUnpooled(int length)
    {
        TBlock block = _source.CreateUnpooled(length);
        Interlocked.Increment(ref _unpooledRents);
        Interlocked.Increment(ref _unpooledOutstanding);
        Interlocked.Add(ref _unpooledOutstandingBytes, _source.LengthOf(block));
        return block;
    }

    /// <summary>Takes back a block made by <see cref="RentUnpooled"/>: it is dropped.</summary>
    public void ReturnUnpooled(TBlock block)
    {
        DecrementToZero(ref _unpooledOutstanding, 1);
        DecrementToZero(ref _unpooledOutstandingBytes, _source.LengthOf(block));
    }

    /// <summary>
    /// Drops every cached block and makes later returns drop theirs (the pool is being disposed; its reservation is
    /// cleared by the caller). Rented blocks stay counted until they come back.
    /// </summary>
    public void Close()
    {
        _closed = true;
        _cache.Clear();
        Interlocked.Exchange(ref _outstandingReservedBytes, 0);
    }

    /// <summary>The counts, for statistics.</summary>
    public Counts Snapshot()
    {
        (int cachedBlocks, long cachedBytes) = _cache.Snapshot();
        return new Counts(
            Volatile.Read(ref _outstanding), Volatile.Read(ref _outstandingBytes), Volatile.Read(ref _rents), cachedBlocks,
            cachedBytes, Volatile.Read(ref _unpooledRents), Volatile.Read(ref _unpooledOutstanding),
            Volatile.Read(ref _unpooledOutstandingBytes));
    }

    private void CountRent(TBlock block)
    {
        Interlocked.Increment(ref _outstanding);
        Interlocked.Add(ref _outstandingBytes, _source.LengthOf(block));
        Interlocked.Add(ref _outstandingReservedBytes, _source.ReservedBytesOf(block));
        Interlocked.Increment(ref _rents);
    }

    /// <summary>Subtracts <paramref name="amount"/> unless that would go below zero; returns whether it did.</summary>
    private static bool TryTake(ref long counter, long amount)
    {
        long current = Volatile.Read(ref counter);
        while (current >= amount)
        {
            long seen = Interlocked.CompareExchange(ref counter, current - amount, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    /// <summary>Subtracts <paramref name="amount"/>, stopping at zero: a figure of things out never goes negative.</summary>
    private static void DecrementToZero(ref long counter, long amount)
    {
        long current = Volatile.Read(ref counter);
        while (true)
        {
            long next = current >= amount ? current - amount : 0;
            long seen = Interlocked.CompareExchange(ref counter, next, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>What <see cref="Snapshot"/> read: rented large blocks and their bytes, large rents, cached blocks and
    /// bytes, unpooled rents, and unpooled blocks and bytes not yet returned.</summary>
    internal readonly record struct Counts(
        long Outstanding, long OutstandingBytes, long Rents, int CachedBlocks, long CachedBytes, long UnpooledRents,
        long UnpooledOutstanding, long UnpooledOutstandingBytes);
}
