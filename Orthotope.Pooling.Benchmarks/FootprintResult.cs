using System;
using System.Globalization;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>What <see cref="FootprintMode"/> measured for one contender; all sizes in bytes.</summary>
/// <param name="Contender">The contender.</param>
/// <param name="Operations">Operations run.</param>
/// <param name="PeakRequestedLive">The largest sum, over the run, of the 32 live requests' sizes.</param>
/// <param name="PeakReserved">The pool's largest <c>ReservedBytes</c>, or -1 where it reports none.</param>
/// <param name="PeakHeapGrowth">The largest <c>GC.GetTotalMemory(false)</c> growth over the start, garbage included.</param>
/// <param name="RetainedHeapGrowth">Heap growth after a full blocking GC at the end, with the 32 buffers still live.</param>
/// <param name="RequestedLiveAtEnd">The sum of the 32 live requests' sizes at the end.</param>
/// <param name="Allocated">Bytes allocated on the managed heap during the run (<c>GC.GetTotalAllocatedBytes</c>).</param>
public sealed record FootprintResult(
    Contender Contender,
    int Operations,
    long PeakRequestedLive,
    long PeakReserved,
    long PeakHeapGrowth,
    long RetainedHeapGrowth,
    long RequestedLiveAtEnd,
    long Allocated)
{
    private const string Prefix = "FOOTPRINT-RESULT";

    /// <summary>Peak reserved ÷ peak live requested, or NaN where the pool reports no reserved bytes.</summary>
    public double ReservedRatio => PeakReserved < 0 ? double.NaN : (double)PeakReserved / PeakRequestedLive;

    /// <summary>Peak heap growth ÷ peak live requested: an upper bound, since it counts garbage not yet collected.</summary>
    public double PeakHeapRatio => (double)PeakHeapGrowth / PeakRequestedLive;

    /// <summary>Retained heap growth ÷ live requested at the end.</summary>
    public double RetainedRatio => (double)RetainedHeapGrowth / RequestedLiveAtEnd;

    /// <summary>One machine-readable line, for a parent process to collect.</summary>
    public string ToLine() => string.Join('|', Prefix, Contender, Operations.ToString(CultureInfo.InvariantCulture),
        PeakRequestedLive.ToString(CultureInfo.InvariantCulture), PeakReserved.ToString(CultureInfo.InvariantCulture),
        PeakHeapGrowth.ToString(CultureInfo.InvariantCulture), RetainedHeapGrowth.ToString(CultureInfo.InvariantCulture),
        RequestedLiveAtEnd.ToString(CultureInfo.InvariantCulture), Allocated.ToString(CultureInfo.InvariantCulture));

    /// <summary>Parses a line written by <see cref="ToLine"/>; null for any other line.</summary>
    public static FootprintResult? TryParse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        string[] parts = line.Split('|');
        if (parts.Length != 9 || parts[0] != Prefix || !Enum.TryParse(parts[1], out Contender contender))
        {
            return null;
        }

        return new FootprintResult(contender, int.Parse(parts[2], CultureInfo.InvariantCulture),
            long.Parse(parts[3], CultureInfo.InvariantCulture), long.Parse(parts[4], CultureInfo.InvariantCulture),
            long.Parse(parts[5], CultureInfo.InvariantCulture), long.Parse(parts[6], CultureInfo.InvariantCulture),
            long.Parse(parts[7], CultureInfo.InvariantCulture), long.Parse(parts[8], CultureInfo.InvariantCulture));
    }
}
