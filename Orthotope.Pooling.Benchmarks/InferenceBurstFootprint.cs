using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// The memory side of W8 (<c>--burst-footprint</c>): W8's steps run for a fixed number of steps per contender, each
/// in a child process of its own, reporting memory at the peak of the steps against the bytes they asked for.
/// </summary>
/// <remarks>
/// <para>
/// Usage: <c>--burst-footprint [OrthotopeMemory|OrthotopeMemory4MiBClasses|ArrayPoolShared|NewArray] [--steps N]</c>. Without a contender every
/// contender runs in a child process (<c>ArrayPool&lt;float&gt;.Shared</c> is process-wide) and a markdown table follows.
/// </para>
/// <para>
/// As in <see cref="FootprintMode"/>, two measures side by side: reserved ÷ requested, from the pool's own
/// <see cref="PoolStatistics.ReservedBytes"/> (Orthotope only), taken after each step's rents in a second pass on a
/// fresh pool because every statistics snapshot allocates; and GC heap growth for every contender, the largest
/// <see cref="GC.GetTotalMemory(bool)"/> over the start, sampled after each step's rents (garbage not yet collected
/// included, so an upper bound), and what survives a full blocking GC after the last step, all buffers returned: what
/// the pool keeps.
/// </para>
/// </remarks>
public static class InferenceBurstFootprint
{
    /// <summary>Steps per contender when <c>--steps</c> is not given.</summary>
    public const int DefaultSteps = 1_000;

    private const string Prefix = "BURST-FOOTPRINT";

    private static readonly string[] s_contenders = ["OrthotopeMemory", "OrthotopeMemory4MiBClasses", "ArrayPoolShared", "NewArray"];

    /// <summary>Runs the mode for the arguments after <c>--burst-footprint</c>; returns the exit code.</summary>
    public static int Run(ReadOnlySpan<string> args)
    {
        int steps = DefaultSteps;
        string? only = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--steps" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out int n) && n > 0)
            {
                steps = n;
                i++;
            }
            else if (Array.IndexOf(s_contenders, args[i]) >= 0)
            {
                only = args[i];
            }
            else
            {
                Console.Error.WriteLine($"burst-footprint: unknown argument '{args[i]}'. Usage: --burst-footprint [{string.Join('|', s_contenders)}] [--steps N]");
                return 2;
            }
        }

        if (only is not null)
        {
            Result result = Measure(only, steps);
            Console.WriteLine(result.ToLine());
            return 0;
        }

        var results = new List<Result>();
        foreach (string contender in s_contenders)
        {
            Result? result = null;
            int exitCode = ChildProcess.Run(["--burst-footprint", contender, "--steps", steps.ToString(CultureInfo.InvariantCulture)], line =>
            {
                Result? parsed = Result.TryParse(line);
                result = parsed ?? result;
                return parsed is not null;
            });
            if (exitCode != 0 || result is null)
            {
                Console.Error.WriteLine($"burst-footprint: {contender} produced no result.");
                return 1;
            }

            results.Add(result);
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{steps} steps of {InferenceBurstSteps.MinBuffers}-{InferenceBurstSteps.MaxBuffers} float buffers, {InferenceBurstSteps.MinBytes} B to {InferenceBurstSteps.MaxBytes} B log-uniform (seed {LogUniformSizes.Seed})"));
        Console.WriteLine("| Contender | Peak step requested (MiB) | Peak reserved (MiB) | Reserved ÷ requested | Peak heap growth (MiB) | Heap growth ÷ requested | Kept after full GC (MiB) | Allocated (MiB) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Result r in results)
        {
            string reserved = r.PeakReserved < 0 ? "n/a" : MiB(r.PeakReserved);
            string ratio = r.PeakReserved < 0 ? "n/a" : ((double)r.PeakReserved / r.PeakRequested).ToString("F2", CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Contender} | {MiB(r.PeakRequested)} | {reserved} | {ratio} | {MiB(r.PeakHeapGrowth)} | {(double)r.PeakHeapGrowth / r.PeakRequested:F2} | {MiB(r.Kept)} | {MiB(r.Allocated)} |"));
        }

        return 0;
    }

    private static Result Measure(string contender, int steps)
    {
        int[][] plan = InferenceBurstSteps.Create(steps);
        Result result;
        using (Contender pool = Contender.Create(contender))
        {
            result = RunSteps(pool, plan, sampleReserved: false);
        }

        if (contender.StartsWith("OrthotopeMemory", StringComparison.Ordinal))
        {
            using Contender pool = Contender.Create(contender);
            result = result with { PeakReserved = RunSteps(pool, plan, sampleReserved: true).PeakReserved };
        }

        return result;
    }

    private static Result RunSteps(Contender pool, int[][] plan, bool sampleReserved)
    {
        var buffers = new object[InferenceBurstSteps.MaxBuffers];
        long heapStart = SettledHeapBytes();
        long allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
        long peakRequested = 0, peakReserved = -1, peakHeap = 0;
        foreach (int[] step in plan)
        {
            for (int i = 0; i < step.Length; i++)
            {
                buffers[i] = pool.Rent(step[i], out Span<float> span);
                InferenceBurstSteps.Touch(span, i);
            }

            peakRequested = Math.Max(peakRequested, InferenceBurstSteps.RequestedBytes(step));
            if (sampleReserved)
            {
                peakReserved = Math.Max(peakReserved, pool.ReservedBytes());
            }
            else
            {
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: false) - heapStart);
            }

            for (int i = 0; i < step.Length; i++)
            {
                pool.Return(buffers[i]);
                buffers[i] = null!;
            }
        }

        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedStart;
        long kept = SettledHeapBytes() - heapStart;
        return new Result(pool.Name, plan.Length, peakRequested, peakReserved, peakHeap, kept, allocated);
    }

    private static long SettledHeapBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string MiB(long bytes) => (bytes / 1048576.0).ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>One contender, driven the way W8 drives it; not thread-safe.</summary>
    private sealed class Contender : IDisposable
    {
        private readonly OrthotopeMemoryPool? _bytes;
        private readonly MemoryPool<float>? _owners;

        private Contender(string name, OrthotopeMemoryPool? bytes)
        {
            Name = name;
            _bytes = bytes;
            _owners = bytes is null ? null : new OrthotopeMemoryPool<float>(bytes);
        }

        public string Name { get; }

        public static Contender Create(string name) => new(name, name switch
        {
            "OrthotopeMemory" => new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "burst-footprint" }),
            "OrthotopeMemory4MiBClasses" => new OrthotopeMemoryPool(InferenceBurst.LargeClassOptions("burst-footprint-4mib")),
            _ => null,
        });

        public object Rent(int count, out Span<float> span)
        {
            if (_owners is not null)
            {
                IMemoryOwner<float> owner = _owners.Rent(count);
                span = owner.Memory.Span;
                return owner;
            }

            float[] array = Name == "NewArray" ? new float[count] : ArrayPool<float>.Shared.Rent(count);
            span = array.AsSpan(0, count);
            return array;
        }

        public void Return(object buffer)
        {
            if (buffer is IMemoryOwner<float> owner)
            {
                owner.Dispose();
            }
            else if (Name == "ArrayPoolShared")
            {
                ArrayPool<float>.Shared.Return((float[])buffer);
            }
        }

        public long ReservedBytes() => _bytes?.GetStatistics().ReservedBytes ?? -1;

        public void Dispose()
        {
            _owners?.Dispose();
            _bytes?.Dispose();
        }
    }

    /// <summary>What one contender measured; sizes in bytes.</summary>
    private sealed record Result(string Contender, int Steps, long PeakRequested, long PeakReserved, long PeakHeapGrowth, long Kept, long Allocated)
    {
        public string ToLine() => string.Join('|', Prefix, Contender, Steps.ToString(CultureInfo.InvariantCulture),
            PeakRequested.ToString(CultureInfo.InvariantCulture), PeakReserved.ToString(CultureInfo.InvariantCulture),
            PeakHeapGrowth.ToString(CultureInfo.InvariantCulture), Kept.ToString(CultureInfo.InvariantCulture),
            Allocated.ToString(CultureInfo.InvariantCulture));

        public static Result? TryParse(string line)
        {
            string[] parts = line.Split('|');
            if (parts.Length != 8 || parts[0] != Prefix)
            {
                return null;
            }

            return new Result(parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture),
                long.Parse(parts[3], CultureInfo.InvariantCulture), long.Parse(parts[4], CultureInfo.InvariantCulture),
                long.Parse(parts[5], CultureInfo.InvariantCulture), long.Parse(parts[6], CultureInfo.InvariantCulture),
                long.Parse(parts[7], CultureInfo.InvariantCulture));
        }
    }
}
