// QuickStart: moves data through a System.IO.Pipelines Pipe backed by OrthotopeMemoryPool, beside the same Pipe
// backed by MemoryPool<byte>.Shared, round after round, and prints throughput, the ratio between the two with its
// spread, what each allocated, and the pool's statistics with a key to their terms.
//
//   dotnet run -c Release --project samples/QuickStart [-- --mib 1024 --rounds 7]
using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Linq;
using System.Threading.Tasks;
using Orthotope.Pooling;
using Orthotope.Pooling.Samples;

const string Usage = """
    QuickStart: moves data through a System.IO.Pipelines Pipe whose segments come from OrthotopeMemoryPool, and
    through the same Pipe on MemoryPool<byte>.Shared, in alternating rounds; prints each round as it ends, then
    the throughput ratio with its spread, the bytes allocated, and the pool's statistics.

    Usage: dotnet run -c Release --project samples/QuickStart [-- OPTIONS]
      --mib N       MiB (2^20 bytes) moved per round through each pool; default 1024
      --rounds N    measured rounds per pool; default 7
      --help        this text

    Throughput is in MB/s (10^6 bytes per second, as BenchmarkDotNet reports it); amounts are in MiB.
    Exit codes: 0 done, 2 bad arguments.
    """;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var commandLine = new CommandLine("QuickStart", Usage, args);
int mib = commandLine.Int("--mib", 1024, 1, 1 << 20);
int rounds = commandLine.Int("--rounds", 7, 1, 1000);
commandLine.RejectUnknown();
long totalBytes = (long)mib << 20;

using var orthotope = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "quickstart" });
MemoryPool<byte> shared = MemoryPool<byte>.Shared;

Console.WriteLine($"Moving {mib:N0} MiB through a Pipe (4 KiB segments, messages of 1 to 16 KiB) per round and pool, " +
    $"{rounds} rounds, the two pools alternating which goes first.");
Console.WriteLine("Warming up both pools and the JIT...");
await Pump(orthotope, 32L << 20);
await Pump(shared, 32L << 20);

var sharedRuns = new List<Run>();
var orthotopeRuns = new List<Run>();
for (int round = 1; round <= rounds; round++)
{
    // Alternate the order, so neither pool always runs on the machine the other one just warmed.
    bool orthotopeFirst = round % 2 == 0;
    Run first = await Measure(orthotopeFirst ? orthotope : shared);
    Run second = await Measure(orthotopeFirst ? shared : orthotope);
    (Run o, Run s) = orthotopeFirst ? (first, second) : (second, first);
    orthotopeRuns.Add(o);
    sharedRuns.Add(s);
    Console.WriteLine($"  round {round,2}/{rounds}: MemoryPool<byte>.Shared {s.MBps,6:N0} MB/s, " +
        $"OrthotopeMemoryPool {o.MBps,6:N0} MB/s, ratio {o.MBps / s.MBps:F2}");
}

double[] ratios = orthotopeRuns.Zip(sharedRuns, static (o, s) => o.MBps / s.MBps).Order().ToArray();
double lowest = ratios[0];
double highest = ratios[^1];
double medianRatio = Median(ratios);

Console.WriteLine();
Console.WriteLine($"{"pool",-26} {"median MB/s",12} {"allocated per MiB moved",24}");
PrintRow("MemoryPool<byte>.Shared", sharedRuns, "");
PrintRow("OrthotopeMemoryPool", orthotopeRuns,
    $"   (of which new slabs: {Median(orthotopeRuns.Select(r => (double)Math.Max(0, r.SlabGrowthBytes)).Order().ToArray()) / mib:F0} B)");

Console.WriteLine();
Console.WriteLine($"Throughput of OrthotopeMemoryPool / MemoryPool<byte>.Shared: median {medianRatio:F2}, " +
    $"from {lowest:F2} to {highest:F2} over {rounds} rounds.");
Console.WriteLine("Conclusion: " + Verdict(lowest, highest, rounds));

Console.WriteLine();
Console.WriteLine(orthotope.GetStatistics().ToDetailedString());
Console.WriteLine("""

    Key to the statistics: 'reserved' is what the pool holds from the runtime, free or rented, in 'slabs' (pinned
    arrays, each carved into blocks of one size; the 4096 B line is the Pipe's 4 KiB segments). 'out' counts blocks
    rented now. Free blocks wait 'in thread caches' (one per thread, used without a lock) or 'central' (the shared
    list the caches trade with). 'rents' counts rents served; 'refills' counts the times a thread's cache was empty
    and took a batch of blocks from the central list, so refills far below rents mean the caches did their job.
    """);
return 0;

// Moves totalBytes through a pipe on the pool and notes how much the Orthotope pool's reserved bytes rose: a slab it
// adds (a pinned array of up to 1 MiB) is counted by GC.GetTotalAllocatedBytes like any allocation, so a round that
// reaches a working set the warm-up did not shows it there.
async Task<Run> Measure(MemoryPool<byte> pool)
{
    long reservedBefore = orthotope.GetStatistics().ReservedBytes;
    (double mbps, long allocated) = await Pump(pool, totalBytes);
    long growth = pool == orthotope ? orthotope.GetStatistics().ReservedBytes - reservedBefore : 0;
    return new Run(mbps, allocated, growth);
}

void PrintRow(string name, List<Run> runs, string suffix)
{
    double mbps = Median(runs.Select(static r => r.MBps).Order().ToArray());
    double allocated = Median(runs.Select(static r => (double)r.AllocatedBytes).Order().ToArray());
    Console.WriteLine($"{name,-26} {mbps,12:N0} {allocated / mib,22:F0} B{suffix}");
}

static double Median(double[] sorted) =>
    sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

static string Verdict(double lowest, double highest, int rounds)
{
    if (rounds < 3)
    {
        return "too few rounds to tell a difference from noise; run with --rounds 5 or more.";
    }

    if (lowest > 1.0)
    {
        return $"OrthotopeMemoryPool was faster in every round, by {lowest - 1:P0} to {highest - 1:P0}, on this machine.";
    }

    if (highest < 1.0)
    {
        return $"OrthotopeMemoryPool was slower in every round, by {1 - highest:P0} to {1 - lowest:P0}, on this machine.";
    }

    return "the ratio falls on both sides of 1.00, so on this machine the two pools move a Pipe's data at the same " +
        "speed within the run-to-run noise; the differences to look at are the bytes allocated and held.";
}

// Writer and reader on separate thread-pool threads, as in a server: the writer rents segments, the reader's
// AdvanceTo disposes them. Returns MB/s and the bytes the whole process allocated meanwhile.
static async Task<(double MBps, long Allocated)> Pump(MemoryPool<byte> pool, long totalBytes)
{
    var pipe = new Pipe(new PipeOptions(pool, minimumSegmentSize: 4096, useSynchronizationContext: false));
    long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
    var clock = Stopwatch.StartNew();

    Task writer = Task.Run(async () =>
    {
        var random = new Random(12345);
        long written = 0;
        while (written < totalBytes)
        {
            // A message of 1..16 KiB, written into whatever segment space the pipe offers (no size hint), as a
            // protocol encoder does.
            int message = (int)Math.Min(random.Next(1024, 16 * 1024), totalBytes - written);
            Span<byte> span = pipe.Writer.GetSpan();
            int size = Math.Min(message, span.Length);
            span[..size].Fill((byte)written);
            pipe.Writer.Advance(size);
            written += size;
            await pipe.Writer.FlushAsync();
        }

        await pipe.Writer.CompleteAsync();
    });

    Task<long> reader = Task.Run(async () =>
    {
        long read = 0;
        while (true)
        {
            ReadResult result = await pipe.Reader.ReadAsync();
            read += result.Buffer.Length;
            pipe.Reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await pipe.Reader.CompleteAsync();
        return read;
    });

    await writer;
    long bytesRead = await reader;
    clock.Stop();
    if (bytesRead != totalBytes)
    {
        throw new InvalidOperationException($"read {bytesRead} of {totalBytes} bytes");
    }

    return (totalBytes / 1e6 / clock.Elapsed.TotalSeconds, GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore);
}

/// <summary>One pool's measured round.</summary>
/// <param name="MBps">Throughput, 10^6 bytes per second.</param>
/// <param name="AllocatedBytes">Bytes the process allocated during the round.</param>
/// <param name="SlabGrowthBytes">How much the Orthotope pool's reserved bytes rose during the round (0 for the other pool).</param>
internal readonly record struct Run(double MBps, long AllocatedBytes, long SlabGrowthBytes);
