using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Orthotope.Pooling;

/// <summary>A snapshot of what a pool holds and has done.</summary>
/// <remarks>
/// Immutable. Taken without stopping the pool: while rents and disposes are in flight the figures may be a few
/// blocks apart from each other; once the pool is quiet they are exact, and <see cref="OutstandingBlocks"/> is zero
/// when every rented block has been returned.
/// </remarks>
public sealed class PoolStatistics
{
    internal PoolStatistics(
        string poolName, long reservedBytes, long outstandingBlocks, long outstandingBytes, long largeOutstandingBlocks,
        long largeCachedBlocks, long largeCachedBytes, long rents, long refills, int slabs, long unpooledRents,
        long limitRejections, long slabsAllocated, long slabsReleased, long trims, long bytesTrimmed,
        IReadOnlyList<SizeClassStatistics> sizeClasses)
    {
        PoolName = poolName;
        ReservedBytes = reservedBytes;
        OutstandingBlocks = outstandingBlocks;
        OutstandingBytes = outstandingBytes;
        LargeOutstandingBlocks = largeOutstandingBlocks;
        LargeCachedBlocks = largeCachedBlocks;
        LargeCachedBytes = largeCachedBytes;
        Rents = rents;
        Refills = refills;
        Slabs = slabs;
        UnpooledRents = unpooledRents;
        LimitRejections = limitRejections;
        SlabsAllocated = slabsAllocated;
        SlabsReleased = slabsReleased;
        Trims = trims;
        BytesTrimmed = bytesTrimmed;
        SizeClasses = sizeClasses;
    }

    /// <summary>The pool's <see cref="OrthotopePoolOptions.Name"/>.</summary>
    public string PoolName { get; }

    /// <summary>
    /// Every byte the pool holds from the runtime: slabs (or arrays) and large blocks, free or rented. It always
    /// covers <see cref="OutstandingBytes"/>.
    /// </summary>
    public long ReservedBytes { get; }

    /// <summary>Blocks rented and not yet disposed or returned, size classes and large path together.</summary>
    public long OutstandingBlocks { get; }

    /// <summary>The usable bytes of the outstanding blocks.</summary>
    public long OutstandingBytes { get; }

    /// <summary>
    /// Large blocks (above the largest size class) rented and not yet returned, including blocks served unpooled
    /// over <see cref="OrthotopePoolOptions.MaxReservedBytes"/>.
    /// </summary>
    public long LargeOutstandingBlocks { get; }

    /// <summary>Returned large blocks kept for reuse.</summary>
    public long LargeCachedBlocks { get; }

    /// <summary>Bytes reserved by the returned large blocks kept for reuse.</summary>
    public long LargeCachedBytes { get; }

    /// <summary>Rents served since the pool was built, size classes and large path together.</summary>
    public long Rents { get; }

    /// <summary>Thread-cache misses served from the central pool or by growing it.</summary>
    public long Refills { get; }

    /// <summary>Slabs held (zero for array pools).</summary>
    public int Slabs { get; }

    /// <summary>Rents served unpooled because the pool was at <see cref="OrthotopePoolOptions.MaxReservedBytes"/>
    /// (with <see cref="OrthotopeLimitBehavior.AllocateUnpooled"/>).</summary>
    public long UnpooledRents { get; }

    /// <summary>Rents that found the pool at <see cref="OrthotopePoolOptions.MaxReservedBytes"/> after a trim.</summary>
    public long LimitRejections { get; }

    /// <summary>Slabs allocated since the pool was built (zero for array pools, whose blocks are arrays of their own).</summary>
    public long SlabsAllocated { get; }

    /// <summary>Slabs released to the garbage collector by trims since the pool was built (zero for array pools).</summary>
    public long SlabsReleased { get; }

    /// <summary>Trims run since the pool was built: idle, pressure, limit and manual ones.</summary>
    public long Trims { get; }

    /// <summary>Bytes released by trims since the pool was built (slabs and large blocks).</summary>
    public long BytesTrimmed { get; }

    /// <summary>One entry per size class, smallest first.</summary>
    public IReadOnlyList<SizeClassStatistics> SizeClasses { get; }

    /// <summary>A one-line summary.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"pool '{PoolName}': reserved {ReservedBytes / 1024.0 / 1024.0:F2} MiB in {Slabs} {(Slabs == 1 ? "slab" : "slabs")}, " +
        $"{OutstandingBlocks} blocks out ({OutstandingBytes / 1024.0:F1} KiB), {Rents} rents, {Refills} refills, " +
        $"large: {LargeOutstandingBlocks} out, {LargeCachedBlocks} cached");

    /// <summary>The summary followed by one line per size class that has ever been used.</summary>
    public string ToDetailedString()
    {
        var text = new StringBuilder(ToString());
        foreach (SizeClassStatistics sizeClass in SizeClasses)
        {
            if (sizeClass.Rents > 0 || sizeClass.ReservedBlocks > 0)
            {
                text.AppendLine().Append("  ").Append(sizeClass);
            }
        }

        return text.ToString();
    }
}
