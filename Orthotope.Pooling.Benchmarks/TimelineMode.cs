using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// The memory-over-time mode (<c>--timeline</c>): two bursts of 4 KiB blocks, then idle, sampling the process's
/// memory every 200 ms, for every contender in a child process of its own.
/// </summary>
/// <remarks>
/// <para>
/// Usage: <c>--timeline [Contender] [--burst-mib N] [--seconds S] [--csv FILE]</c>. The script: 2 s idle; burst 1
/// (four threads rent <c>N</c> MiB of 4 KiB blocks between them, write a pattern in each, hold them 1 s, then each
/// thread checks and returns the blocks another thread rented, as a pipe's reader does); 2 s pause; burst 2, the same;
/// then idle until <c>S</c> seconds. The four threads stay alive and idle to the end, as a server's threads do, so
/// what their caches keep counts. 4 KiB because it is the one size every contender serves, Kestrel's included.
/// </para>
/// <para>
/// A background thread allocates short-lived garbage (about 10 MB/s) so that gen-0 collections happen, and the
/// driver forces a full blocking GC every 5 s, standing in for the full collections a busy process gets: a pool
/// that drops its references frees nothing until a full GC collects the arrays (pinned ones included), and
/// <c>ArrayPool&lt;byte&gt;.Shared</c> and the Orthotope pools trim on the gen-2 callback. Kestrel's pool is made
/// by the factory of a started Kestrel server, so the server's heartbeat drives its idle eviction.
/// </para>
/// <para>
/// Each sample records <c>GC.GetTotalMemory(false)</c> (the managed heap, pooled arrays and uncollected garbage
/// included), the committed bytes from the last GC, the process's working set, and the pool's own
/// <c>ReservedBytes</c> where it reports one. Without a contender argument the parent writes every sample to a CSV
/// (default <c>docs/memory-timeline.csv</c>) that <c>plot_timeline.py</c> charts, and prints a summary table.
/// </para>
/// </remarks>
public static class TimelineMode
{
    private const int BlockSize = 4096;
    private const int Threads = 4;
    private const int SampleMilliseconds = 200;
    private const int FullGcMilliseconds = 5000;
    private const string SamplePrefix = "TIMELINE-SAMPLE";
    private const string EventPrefix = "TIMELINE-EVENT";

    /// <summary>Runs the mode for the given arguments (those after <c>--timeline</c>); returns the exit code.</summary>
    public static int Run(ReadOnlySpan<string> args)
    {
        int burstMiB = 256;
        int seconds = 60;
        string csvPath = Path.Combine("docs", "memory-timeline.csv");
        Contender? only = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--burst-mib" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out int mib) && mib > 0)
            {
                burstMiB = mib;
                i++;
            }
            else if (args[i] == "--seconds" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out int s) && s >= 10)
            {
                seconds = s;
                i++;
            }
            else if (args[i] == "--csv" && i + 1 < args.Length)
            {
                csvPath = args[++i];
            }
            else if (Enum.TryParse(args[i], ignoreCase: true, out Contender contender))
            {
                only = contender;
            }
            else
            {
                Console.Error.WriteLine($"timeline: unknown argument '{args[i]}'. Usage: --timeline [{string.Join('|', Enum.GetNames<Contender>())}] [--burst-mib N] [--seconds S (>= 10)] [--csv FILE]");
                return 2;
            }
        }

        if (only is Contender single)
        {
            RunOne(single, burstMiB, seconds);
            return 0;
        }

        var lines = new List<string>();
        foreach (Contender contender in Contenders.Memory)
        {
            Console.WriteLine($"timeline: {contender} ({seconds} s)");
            if (!RunChild(contender, burstMiB, seconds, lines))
            {
                Console.Error.WriteLine($"timeline: {contender} failed.");
                return 1;
            }
        }

        WriteCsv(csvPath, lines);
        PrintSummary(lines);
        return 0;
    }

    /// <summary>Runs the script on one contender in this process, writing sample and event lines to stdout.</summary>
    private static void RunOne(Contender contender, int burstMiB, int seconds)
    {
        using FootprintContender pool = FootprintContender.Create(contender, startKestrel: true);
        int blocksPerThread = (int)((long)burstMiB * 1024 * 1024 / BlockSize / Threads);
        var held = new object[Threads][];
        for (int t = 0; t < Threads; t++)
        {
            held[t] = new object[blocksPerThread];
        }

        var stopwatch = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        long heapBaseline = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine(string.Join('|', EventPrefix, contender, "0", "baseline", heapBaseline.ToString(CultureInfo.InvariantCulture)));

        var sampler = new Thread(() => Sample(contender, pool, stopwatch, stop.Token)) { IsBackground = true, Name = "sampler" };
        var churn = new Thread(() => Churn(stop.Token)) { IsBackground = true, Name = "churn" };
        sampler.Start();
        churn.Start();

        // Four workers that stay alive to the end; each phase is a barrier round: rent, then return another's blocks.
        using var phase = new Barrier(Threads + 1);
        int mismatches = 0;
        long burstAllocated = 0;
        var workers = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int me = t;
            workers[t] = new Thread(() =>
            {
                long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                for (int burst = 0; burst < 2; burst++)
                {
                    phase.SignalAndWait();
                    object[] mine = held[me];
                    for (int i = 0; i < mine.Length; i++)
                    {
                        object block = pool.Rent(BlockSize);
                        FootprintContender.Bytes(block)[..BlockSize].Fill((byte)(me + 1));
                        mine[i] = block;
                    }

                    phase.SignalAndWait();
                    phase.SignalAndWait();
                    object[] theirs = held[(me + 1) % Threads];
                    byte expected = (byte)(((me + 1) % Threads) + 1);
                    for (int i = 0; i < theirs.Length; i++)
                    {
                        if (FootprintContender.Bytes(theirs[i])[..BlockSize].ContainsAnyExcept(expected))
                        {
                            Interlocked.Increment(ref mismatches);
                        }

                        pool.Return(theirs[i]);
                        theirs[i] = null!;
                    }

                    if (burst == 1)
                    {
                        Interlocked.Add(ref burstAllocated, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
                    }

                    phase.SignalAndWait();
                }

                phase.SignalAndWait(); // idle until the end of the run
            })
            { IsBackground = true, Name = "burst-" + t };
            workers[t].Start();
        }

        long nextGc = FullGcMilliseconds;
        void IdleUntil(long milliseconds)
        {
            while (stopwatch.ElapsedMilliseconds < milliseconds)
            {
                if (stopwatch.ElapsedMilliseconds >= nextGc)
                {
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
                    nextGc += FullGcMilliseconds;
                }

                Thread.Sleep(20);
            }
        }

        void Event(string name) => Console.WriteLine(string.Join('|', EventPrefix, contender,
            stopwatch.ElapsedMilliseconds.ToString(CultureInfo.InvariantCulture), name, "0"));

        long due = 2000;
        for (int burst = 1; burst <= 2; burst++)
        {
            IdleUntil(due);
            Event($"burst{burst}-rent");
            phase.SignalAndWait();
            phase.SignalAndWait(); // all rented
            Event($"burst{burst}-held");
            IdleUntil(stopwatch.ElapsedMilliseconds + 1000);
            Event($"burst{burst}-return");
            phase.SignalAndWait();
            phase.SignalAndWait(); // all returned
            Event($"burst{burst}-returned");
            due = stopwatch.ElapsedMilliseconds + 2000;
        }

        IdleUntil(seconds * 1000L);
        Event("end");
        stop.Cancel();
        phase.SignalAndWait();
        sampler.Join();
        churn.Join();
        Console.WriteLine(string.Join('|', EventPrefix, contender, stopwatch.ElapsedMilliseconds.ToString(CultureInfo.InvariantCulture),
            "allocated-during-bursts", burstAllocated.ToString(CultureInfo.InvariantCulture)));
        if (mismatches != 0)
        {
            throw new InvalidOperationException($"{mismatches} blocks did not hold the pattern their renter wrote");
        }
    }

    private static void Sample(Contender contender, FootprintContender pool, Stopwatch stopwatch, CancellationToken stop)
    {
        long next = 0;
        while (!stop.IsCancellationRequested)
        {
            long now = stopwatch.ElapsedMilliseconds;
            if (now >= next)
            {
                GCMemoryInfo info = GC.GetGCMemoryInfo();
                Console.WriteLine(string.Join('|', SamplePrefix, contender, now.ToString(CultureInfo.InvariantCulture),
                    GC.GetTotalMemory(forceFullCollection: false).ToString(CultureInfo.InvariantCulture),
                    info.TotalCommittedBytes.ToString(CultureInfo.InvariantCulture),
                    Environment.WorkingSet.ToString(CultureInfo.InvariantCulture),
                    pool.ReservedBytes().ToString(CultureInfo.InvariantCulture)));
                next += SampleMilliseconds;
            }

            Thread.Sleep(10);
        }
    }

    /// <summary>About 10 MB/s of short-lived objects, so that gen-0 collections happen as in a live process.</summary>
    private static void Churn(CancellationToken stop)
    {
        var ring = new byte[64][];
        int i = 0;
        while (!stop.IsCancellationRequested)
        {
            for (int k = 0; k < 200; k++)
            {
                ring[i++ & 63] = new byte[1024];
            }

            Thread.Sleep(20);
        }

        GC.KeepAlive(ring);
    }

    private static bool RunChild(Contender contender, int burstMiB, int seconds, List<string> lines)
    {
        string[] arguments =
        [
            "--timeline", contender.ToString(),
            "--burst-mib", burstMiB.ToString(CultureInfo.InvariantCulture),
            "--seconds", seconds.ToString(CultureInfo.InvariantCulture),
        ];
        return ChildProcess.Run(arguments, line =>
        {
            bool ours = line.StartsWith(SamplePrefix, StringComparison.Ordinal) || line.StartsWith(EventPrefix, StringComparison.Ordinal);
            if (ours)
            {
                lines.Add(line);
            }

            return ours;
        }) == 0;
    }

    private static void WriteCsv(string path, List<string> lines)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        using var writer = new StreamWriter(path);
        writer.WriteLine("kind,contender,t_ms,heap_bytes,committed_bytes,working_set_bytes,reserved_bytes,event,value");
        foreach (string line in lines)
        {
            string[] p = line.Split('|');
            writer.WriteLine(p[0] == SamplePrefix
                ? $"sample,{p[1]},{p[2]},{p[3]},{p[4]},{p[5]},{p[6]},,"
                : $"event,{p[1]},{p[2]},,,,,{p[3]},{p[4]}");
        }

        Console.WriteLine($"timeline: wrote {path}");
    }

    /// <summary>Per contender: heap growth over the baseline at the peak, at the end of the last burst, and 10, 20
    /// and 30 s after it, and the bytes the four burst threads allocated (pool misses, owner objects).</summary>
    private static void PrintSummary(List<string> lines)
    {
        Console.WriteLine();
        Console.WriteLine("| Contender | Peak heap growth (MiB) | +10 s (MiB) | +20 s (MiB) | +30 s (MiB) | End (MiB) | Peak working set (MiB) | End working set (MiB) | Allocated by the burst threads (MiB) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Contender contender in Contenders.Memory)
        {
            string name = contender.ToString();
            string[][] events = lines.Where(l => l.StartsWith(EventPrefix, StringComparison.Ordinal)).Select(l => l.Split('|')).Where(p => p[1] == name).ToArray();
            string[][] samples = lines.Where(l => l.StartsWith(SamplePrefix, StringComparison.Ordinal)).Select(l => l.Split('|')).Where(p => p[1] == name).ToArray();
            if (samples.Length == 0)
            {
                continue;
            }

            long baseline = long.Parse(events.First(e => e[3] == "baseline")[4], CultureInfo.InvariantCulture);
            long returned = long.Parse(events.Last(e => e[3] == "burst2-returned")[2], CultureInfo.InvariantCulture);
            long allocated = long.Parse(events.Last(e => e[3] == "allocated-during-bursts")[4], CultureInfo.InvariantCulture);
            long Heap(string[] s) => long.Parse(s[3], CultureInfo.InvariantCulture) - baseline;
            long WorkingSet(string[] s) => long.Parse(s[5], CultureInfo.InvariantCulture);
            string At(long ms)
            {
                string[]? s = samples.LastOrDefault(x => long.Parse(x[2], CultureInfo.InvariantCulture) <= ms);
                return s is null ? "n/a" : MiB(Heap(s));
            }

            Console.WriteLine($"| {name} | {MiB(samples.Max(Heap))} | {At(returned + 10_000)} | {At(returned + 20_000)} | {At(returned + 30_000)} | {MiB(Heap(samples[^1]))} | {MiB(samples.Max(WorkingSet))} | {MiB(WorkingSet(samples[^1]))} | {MiB(allocated)} |");
        }
    }

    private static string MiB(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture);
}
