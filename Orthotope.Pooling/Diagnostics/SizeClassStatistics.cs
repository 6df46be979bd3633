namespace Orthotope.Pooling;

/// <summary>A snapshot of one size class of a pool.</summary>
/// <remarks>
/// Immutable. The figures are read without stopping the pool's threads, so while rents and disposes are in flight
/// they may be a few blocks apart from each other; once the pool is quiet they are exact.
/// </remarks>
public sealed class SizeClassStatistics
{
    internal SizeClassStatistics(
        int blockLength, int blockStride, long reservedBlocks, long outstandingBlocks, long threadCachedBlocks,
        long centralBlocks, int slabs, long rents, long refills)
    {
        BlockLength = blockLength;
        BlockStride = blockStride;
        ReservedBlocks = reservedBlocks;
        OutstandingBlocks = outstandingBlocks;
        ThreadCachedBlocks = threadCachedBlocks;
        CentralBlocks = centralBlocks;
        Slabs = slabs;
        Rents = rents;
        Refills = refills;
    }

    /// <summary>The usable length of this class's blocks: what a rent of this class hands out.</summary>
    public int BlockLength { get; }

    /// <summary>The bytes one block occupies in its slab: <see cref="BlockLength"/> rounded up to 64 (zero for array pools).</summary>
    public int BlockStride { get; }

    /// <summary>Blocks of this class the pool has created and not released.</summary>
    public long ReservedBlocks { get; }

    /// <summary>Blocks rented and not yet returned.</summary>
    public long OutstandingBlocks { get; }

    /// <summary>Free blocks held in threads' caches.</summary>
    public long ThreadCachedBlocks { get; }

    /// <summary>Free blocks held in the central pool.</summary>
    public long CentralBlocks { get; }

    /// <summary>Slabs this class holds (zero for array pools, whose blocks are whole arrays).</summary>
    public int Slabs { get; }

    /// <summary>Rents served from this class since the pool was built.</summary>
    public long Rents { get; }

    /// <summary>Batches moved from the central pool to a thread cache: each one a thread-cache miss.</summary>
    public long Refills { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{BlockLength,9} B: {OutstandingBlocks} out, {ThreadCachedBlocks} in thread caches, {CentralBlocks} central, " +
        $"{ReservedBlocks} reserved in {Slabs} {(Slabs == 1 ? "slab" : "slabs")}, {Rents} rents, {Refills} refills";
}
