using System;
using System.Collections.Generic;
using System.Globalization;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// The memory-footprint mode (<c>--footprint</c>): W2's mixed-size ring, run for a fixed number of operations per
/// contender, reporting how much memory each pool holds against the bytes the 32 live requests asked for.
/// </summary>
/// <remarks>
/// <para>
/// Usage: <c>--footprint [Contender] [--ops N]</c>. Without a contender every contender runs in a child process of
/// its own, because <c>ArrayPool&lt;byte&gt;.Shared</c> is process-wide (and also backs
/// <c>MemoryPool&lt;byte&gt;.Shared</c> and Kestrel's fallback): in one process the later contenders would reuse the
/// arrays the earlier ones left pooled. A markdown table of all of them follows.
/// </para>
/// <para>
/// Two different measures, reported side by side and not to be confused. Reserved ÷ requested uses the pool's own
/// <see cref="PoolStatistics.ReservedBytes"/> (every byte it holds, free or rented) and exists for the Orthotope pools
/// only. Heap growth uses the GC for every contender: the peak of <see cref="GC.GetTotalMemory(bool)"/> over the run
/// (an upper bound, as it counts garbage not yet collected, such as owner objects) and the growth that survives a
/// full blocking GC at the end with the 32 buffers still rented, i.e. live buffers plus what the pool keeps.
/// </para>
/// </remarks>
public static class FootprintMode
{
    /// <summary>Operations per contender when <c>--ops</c> is not given.</summary>
    public const int DefaultOperations = 100_000;

    private const int Live = 32;

    /// <summary>Runs the mode for the given arguments (those after <c>--footprint</c>); returns the exit code.</summary>
    public static int Run(ReadOnlySpan<string> args)
    {
        int operations = DefaultOperations;
        Contender? only = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--ops" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out int ops) && ops > 0)
            {
                operations = ops;
                i++;
            }
            else if (Enum.TryParse(args[i], ignoreCase: true, out Contender contender))
            {
                only = contender;
            }
            else
            {
                Console.Error.WriteLine($"footprint: unknown argument '{args[i]}'. Usage: --footprint [{string.Join('|', Enum.GetNames<Contender>())}] [--ops N]");
                return 2;
            }
        }

        if (only is Contender single)
        {
            FootprintResult result = Measure(single, operations);
            Print(result);
            Console.WriteLine(result.ToLine());
            return 0;
        }

        var results = new List<FootprintResult>();
        foreach (Contender contender in Contenders.Memory)
        {
            FootprintResult? result = RunChild(contender, operations);
            if (result is null)
            {
                Console.Error.WriteLine($"footprint: {contender} produced no result.");
                return 1;
            }

            results.Add(result);
        }

        PrintTable(results);
        return 0;
    }

    /// <summary>Runs W2's ring for <paramref name="operations"/> operations on a fresh contender, in this process.</summary>
    /// <remarks>
    /// The GC figures come from one pass and the pool's reserved bytes from a second pass on another fresh pool,
    /// since <see cref="OrthotopeMemoryPool.GetStatistics"/> allocates a snapshot each time and would otherwise
    /// show up as heap growth. Both passes rent the same sizes in the same order on one thread.
    /// </remarks>
    public static FootprintResult Measure(Contender contender, int operations)
    {
        int[] sizes = LogUniformSizes.Create(operations);
        long peakReserved = -1;
        FootprintResult result;
        using (FootprintContender pool = FootprintContender.Create(contender))
        {
            Console.WriteLine(pool.Description);
            result = RunRing(pool, sizes, sampleReserved: false, peaks: null);
        }

        using (FootprintContender pool = FootprintContender.Create(contender))
        {
            if (pool.HasReservedBytes)
            {
                var peaks = new ClassPeaks();
                peakReserved = RunRing(pool, sizes, sampleReserved: true, peaks).PeakReserved;
                peaks.Print(pool.Statistics()!);
            }
        }

        SegregatedFitBound.Print(sizes, Live, result.PeakRequestedLive);
        return result with { PeakReserved = peakReserved };
    }

    private static FootprintResult RunRing(FootprintContender pool, int[] sizes, bool sampleReserved, ClassPeaks? peaks)
    {
        var buffers = new object?[Live];
        var requested = new int[Live];

        long heapStart = SettledHeapBytes();
        long allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
        long live = 0;
        long peakLive = 0;
        long peakReserved = -1;
        long peakHeap = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            int slot = i % Live;
            if (buffers[slot] is object old)
            {
                peaks?.Returned(FootprintContender.Bytes(old).Length);
                pool.Return(old);
                live -= requested[slot];
            }

            buffers[slot] = pool.Rent(sizes[i]);
            peaks?.Rented(FootprintContender.Bytes(buffers[slot]!).Length);
            requested[slot] = sizes[i];
            live += sizes[i];
            peakLive = Math.Max(peakLive, live);
            if (sampleReserved)
            {
                peakReserved = Math.Max(peakReserved, pool.ReservedBytes());
            }
            else
            {
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: false) - heapStart);
            }
        }

        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedStart;
        long retained = SettledHeapBytes() - heapStart;
        GC.KeepAlive(buffers);
        FootprintResult result = new(pool.Contender, sizes.Length, peakLive, peakReserved, peakHeap, retained, live, allocated);
        foreach (object? buffer in buffers)
        {
            if (buffer is not null)
            {
                pool.Return(buffer);
            }
        }

        return result;
    }

    private static long SettledHeapBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static FootprintResult? RunChild(Contender contender, int operations)
    {
        FootprintResult? result = null;
        string[] arguments = ["--footprint", contender.ToString(), "--ops", operations.ToString(CultureInfo.InvariantCulture)];
        int exitCode = ChildProcess.Run(arguments, line =>
        {
            FootprintResult? parsed = FootprintResult.TryParse(line);
            result = parsed ?? result;
            return parsed is not null;
        });
        return exitCode == 0 ? result : null;
    }

    private static void Print(FootprintResult r)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.Contender}: {r.Operations} operations, {Live} live, sizes {LogUniformSizes.MinSize} B to {LogUniformSizes.MaxSize} B log-uniform (seed {LogUniformSizes.Seed})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  peak live requested:          {MiB(r.PeakRequestedLive)} MiB"));
        Console.WriteLine(r.PeakReserved < 0
            ? "  pool-reported reserved bytes: not available for this pool"
            : string.Create(CultureInfo.InvariantCulture, $"  peak reserved (pool):         {MiB(r.PeakReserved)} MiB  -> reserved / requested = {r.ReservedRatio:F2}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  peak GC heap growth:          {MiB(r.PeakHeapGrowth)} MiB  -> / peak requested = {r.PeakHeapRatio:F2} (counts uncollected garbage)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  retained after full GC:       {MiB(r.RetainedHeapGrowth)} MiB  -> / live requested at end ({MiB(r.RequestedLiveAtEnd)} MiB) = {r.RetainedRatio:F2}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  allocated during the run:     {MiB(r.Allocated)} MiB"));
    }

    private static void PrintTable(List<FootprintResult> results)
    {
        Console.WriteLine();
        Console.WriteLine("| Contender | Peak live requested (MiB) | Peak reserved (MiB) | Reserved ÷ requested | Peak heap growth (MiB) | Heap growth ÷ requested | Retained after GC ÷ live requested | Allocated (MiB) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (FootprintResult r in results)
        {
            string reserved = r.PeakReserved < 0 ? "n/a" : MiB(r.PeakReserved);
            string ratio = r.PeakReserved < 0 ? "n/a" : r.ReservedRatio.ToString("F2", CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Contender} | {MiB(r.PeakRequestedLive)} | {reserved} | {ratio} | {MiB(r.PeakHeapGrowth)} | {r.PeakHeapRatio:F2} | {r.RetainedRatio:F2} | {MiB(r.Allocated)} |"));
        }
    }

    private static string MiB(long bytes) => (bytes / 1048576.0).ToString("F2", CultureInfo.InvariantCulture);
}
