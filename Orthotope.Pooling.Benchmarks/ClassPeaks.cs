using System;
using System.Collections.Generic;
using System.Globalization;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// Where an Orthotope pool's peak reserved bytes go during <see cref="FootprintMode"/>'s ring: for each block length,
/// the most blocks of that length live at once, set against the blocks the pool reserved for it.
/// </summary>
/// <remarks>
/// <para>
/// A pool of fixed classes that does not give memory back during the run must hold at least each class's own peak of
/// live blocks, reached at whatever moment that class peaks; reserved bytes beyond that sum are slab slack (blocks
/// carved but never handed out). A borrowed block is counted in the class it belongs to, which is the class it
/// reports as its length.
/// </para>
/// <para>Not thread-safe; used by the one thread that runs the ring.</para>
/// </remarks>
internal sealed class ClassPeaks
{
    private readonly Dictionary<int, (int Live, int Peak)> _byLength = [];

    /// <summary>Counts a block of <paramref name="length"/> bytes handed out.</summary>
    public void Rented(int length)
    {
        (int live, int peak) = _byLength.GetValueOrDefault(length);
        live++;
        _byLength[length] = (live, Math.Max(peak, live));
    }

    /// <summary>Counts a block of <paramref name="length"/> bytes given back.</summary>
    public void Returned(int length)
    {
        (int live, int peak) = _byLength[length];
        _byLength[length] = (live - 1, peak);
    }

    /// <summary>Prints the sum of the per-class peaks and the slab slack against the pool's classes.</summary>
    public void Print(PoolStatistics statistics)
    {
        long peakBytes = 0;
        long slackBytes = 0;
        long largest = 0;
        int largestLength = 0;
        foreach (SizeClassStatistics sizeClass in statistics.SizeClasses)
        {
            // An array pool's blocks are arrays of their own, so their stride is reported as 0: count their length.
            long footprint = sizeClass.BlockStride > 0 ? sizeClass.BlockStride : sizeClass.BlockLength;
            int peak = _byLength.GetValueOrDefault(sizeClass.BlockLength).Peak;
            long bytes = peak * footprint;
            peakBytes += bytes;
            slackBytes += (sizeClass.ReservedBlocks - peak) * footprint;
            if (bytes > largest)
            {
                largest = bytes;
                largestLength = sizeClass.BlockLength;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  sum of per-class peaks:       {Mib(peakBytes)} MiB of live blocks (largest: {_byLength.GetValueOrDefault(largestLength).Peak} x {largestLength} B = {Mib(largest)} MiB); " +
            $"slab slack at the end {Mib(slackBytes)} MiB of {Mib(statistics.ReservedBytes)} MiB reserved"));
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("F2", CultureInfo.InvariantCulture);
}
