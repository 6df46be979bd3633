using System.Threading;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// The blocks made for one request by a <see cref="LargeBlockSource{TBlock}"/>: large blocks, above the largest size
/// class, kept for reuse when returned (within a byte budget, in a <see cref="LargeBlockCache{TBlock}"/>); and
/// unpooled blocks, served over the reservation limit and dropped when returned. Both are counted while rented.
/// </summary>
/// <remarks>
/// Thread-safe: the cache has its own lock and the counters change with interlocked operations. The engine owns the
/// reservation: it reserves before <see cref="RentNew"/> and releases what <see cref="Return"/> and
/// <see cref="Trim"/> say the pool let go of.
/// </remarks>
internal sealed class LargeBlockPool<TBlock>
    where TBlock : class
{
    private readonly LargeBlockSource<TBlock> _source;
    private readonly LargeBlockCache<TBlock> _cache;

    /// <summary>Large blocks rented and not yet returned.</summary>
    private long _outstanding;

    /// <summary>The usable bytes of the large blocks rented and not yet returned.</summary>
    private long _outstandingBytes;

    /// <summary>Large rents served since the pool was built.</summary>
    private long _rents;

    /// <summary>Rents served unpooled over the limit.</summary>
    private long _unpooledRents;

    /// <summary>Unpooled blocks not yet returned.</summary>
    private long _unpooledOutstanding;

    public LargeBlockPool(LargeBlockSource<TBlock> source, long cacheBudgetBytes)
    {
        _source = source;
        _cache = new LargeBlockCache<TBlock>(cacheBudgetBytes);
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
    /// Takes back a rented block: keeps it for reuse if the cache has room, stamped with idle-trim tick
    /// <paramref name="tick"/>; returns the bytes the caller must release from the reservation (zero when kept).
    /// </summary>
    public long Return(TBlock block, long tick)
    {
        int length = _source.LengthOf(block);
        Interlocked.Decrement(ref _outstanding);
        Interlocked.Add(ref _outstandingBytes, -length);
        long bytes = _source.ReservedBytesOf(block);
        return _cache.TryAdd(block, length, bytes, tick) ? 0 : bytes;
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
        return block;
    }

    /// <summary>Takes back a block made by <see cref="RentUnpooled"/>: it is dropped.</summary>
    public void ReturnUnpooled() => Interlocked.Decrement(ref _unpooledOutstanding);

    /// <summary>The counts, for statistics.</summary>
    public Counts Snapshot()
    {
        (int cachedBlocks, long cachedBytes) = _cache.Snapshot();
        return new Counts(
            Volatile.Read(ref _outstanding), Volatile.Read(ref _outstandingBytes), Volatile.Read(ref _rents), cachedBlocks,
            cachedBytes, Volatile.Read(ref _unpooledRents), Volatile.Read(ref _unpooledOutstanding));
    }

    private void CountRent(TBlock block)
    {
        Interlocked.Increment(ref _outstanding);
        Interlocked.Add(ref _outstandingBytes, _source.LengthOf(block));
        Interlocked.Increment(ref _rents);
    }

    /// <summary>What <see cref="Snapshot"/> read: rented large blocks and their bytes, large rents, cached blocks and
    /// bytes, unpooled rents and unpooled blocks not yet returned.</summary>
    internal readonly record struct Counts(
        long Outstanding, long OutstandingBytes, long Rents, int CachedBlocks, long CachedBytes, long UnpooledRents,
        long UnpooledOutstanding);
}
