// QuickStart: moves a few hundred MB through a System.IO.Pipelines Pipe backed by OrthotopeMemoryPool, beside the
// same Pipe backed by MemoryPool<byte>.Shared, and prints throughput, what each allocated, and the pool's statistics.
//
//   dotnet run -c Release --project samples/QuickStart [-- --megabytes 512 --rounds 3]
using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Linq;
using System.Threading.Tasks;
using Orthotope.Pooling;

int megabytes = ReadOption(args, "--megabytes", 384);
int rounds = ReadOption(args, "--rounds", 3);
long totalBytes = (long)megabytes << 20;

using var orthotope = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "quickstart" });
var contenders = new (string Name, MemoryPool<byte> Pool)[]
{
    ("MemoryPool<byte>.Shared", MemoryPool<byte>.Shared),
    ("OrthotopeMemoryPool", orthotope),
};

Console.WriteLine($"Moving {megabytes} MB through a Pipe (4 KiB segments, messages of 1..16 KiB), {rounds} rounds per pool, alternating.");
await Pump(orthotope, 32L << 20); // warm up both pools and the JIT
await Pump(MemoryPool<byte>.Shared, 32L << 20);

// Grown: how much the Orthotope pool's reserved bytes rose during the round. A slab it adds (a pinned array of up to
// 512 KiB for the 4 KiB class) is counted by GC.GetTotalAllocatedBytes like any allocation; a round that reaches a
// working set the warm-up did not shows it there.
var results = contenders.ToDictionary(c => c.Name, _ => new List<(double MBps, long Allocated, long Grown)>());
for (int round = 0; round < rounds; round++)
{
    foreach ((string name, MemoryPool<byte> pool) in contenders)
    {
        long reservedBefore = orthotope.GetStatistics().ReservedBytes;
        (double mbps, long allocated) = await Pump(pool, totalBytes);
        long grown = pool == orthotope ? orthotope.GetStatistics().ReservedBytes - reservedBefore : 0;
        results[name].Add((mbps, allocated, grown));
    }
}

Console.WriteLine();
Console.WriteLine($"{"pool",-26} {"median MB/s",12} {"allocated per MB",18}   of which the pool's slab growth");
foreach ((string name, MemoryPool<byte> pool) in contenders)
{
    List<(double MBps, long Allocated, long Grown)> runs = results[name];
    double median = runs.Select(r => r.MBps).Order().ElementAt(runs.Count / 2);
    (_, long allocated, long grown) = runs.OrderBy(r => r.Allocated).ElementAt(runs.Count / 2);
    string growth = pool == orthotope ? $"{Math.Max(0, grown) / (double)megabytes,16:F0} B" : "";
    Console.WriteLine($"{name,-26} {median,12:F0} {allocated / (double)megabytes,16:F0} B {growth}");
}

Console.WriteLine();
Console.WriteLine(orthotope.GetStatistics().ToDetailedString());
return;

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

static int ReadOption(string[] args, string name, int fallback)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}
