// Inference: a multilayer perceptron (batch 32, 784 -> 1024 -> 1024 -> 10, float32) served request after request
// with System.Numerics.Tensors' TensorPrimitives, each request renting its activation buffers and giving them back
// together. Three modes in one run: OrthotopeMemoryPool<float>, ArrayPool<float>.Shared and a new float[] per
// buffer. Prints requests/s, gen0/gen1/gen2 collections and bytes allocated per request for each.
//
//   dotnet run -c Release --project samples/Inference [-- --requests 10000 --warmup 200 --csv results.csv]
//
// The default of 2000 requests per mode takes about a minute on a quiet 2-core machine; docs/tensors.md quotes a
// run of 10000.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime;
using Orthotope.Pooling;
using Orthotope.Pooling.Samples.Inference;

const string Usage = "usage: Inference [--requests N] [--warmup N] [--csv FILE] [--help]";
int requests = 2_000, warmup = 200;
string? csv = null;
for (int i = 0; i < args.Length; i++)
{
    string arg = args[i];
    if (arg is "--help" or "-h")
    {
        Console.WriteLine(Usage);
        Console.WriteLine("  --requests N  requests measured per mode (default 2000)");
        Console.WriteLine("  --warmup N    requests run first per mode, not measured (default 200)");
        Console.WriteLine("  --csv FILE    also write the results as CSV (for samples/Inference/plot.py)");
        return 0;
    }

    string? value = i + 1 < args.Length ? args[i + 1] : null;
    bool ok = arg switch
    {
        "--requests" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out requests) && requests > 0,
        "--warmup" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out warmup),
        "--csv" => (csv = value) is not null,
        _ => false,
    };
    if (!ok)
    {
        Console.Error.WriteLine(value is null || !arg.StartsWith("--", StringComparison.Ordinal)
            ? $"inference: bad argument '{arg}'. {Usage}"
            : $"inference: bad value '{value}' for {arg}. {Usage}");
        return 2;
    }

    i++;
}

const int Batch = 32, Seed = 20251124;
int[] widths = [784, 1024, 1024, 10];
var model = new Mlp(Batch, widths, Seed);
using var bytes = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "inference" });
using var floats = new OrthotopeMemoryPool<float>(bytes);
BufferSource[] sources = [new OrthotopeBufferSource(floats), new ArrayPoolBufferSource(), new NewArrayBufferSource()];

Console.WriteLine($"MLP {string.Join(" -> ", widths)}, batch {Batch}, float32; {requests} requests per mode after {warmup} warm-up requests.");
Console.WriteLine($"Runtime {Environment.Version}, {Environment.ProcessorCount} CPUs, {(GCSettings.IsServerGC ? "server" : "workstation")} GC.");
var results = new List<RequestMeasure>();
PoolStatistics? poolAfterItsMode = null;
foreach (BufferSource source in sources)
{
    var loop = new InferenceLoop(model, source, Seed);
    RequestMeasure result = RequestMeasure.Run(loop, warmup, requests);
    results.Add(result);
    Console.WriteLine($"  {result.Mode}: {result.RequestsPerSecond:F0} requests/s");

    // Read right away: the pool's idle trim gives its memory back while the other modes run.
    poolAfterItsMode ??= source is OrthotopeBufferSource ? bytes.GetStatistics() : null;
}

Console.WriteLine();
Console.WriteLine($"Each request rents {results[0].RequestedBytes / 1024.0:F1} KiB in {widths.Length + 1} buffers.");
Console.WriteLine("| Mode | requests/s | ms/request | gen0 | gen1 | gen2 | allocated B/request | buffer bytes held/request |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
foreach (RequestMeasure r in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {r.Mode} | {r.RequestsPerSecond:F0} | {r.MillisecondsPerRequest:F3} | {r.Gen0} | {r.Gen1} | {r.Gen2} | {r.AllocatedBytesPerRequest:F1} | {r.HeldBytes} ({(double)r.HeldBytes / r.RequestedBytes:F2}×) |"));
}

PoolStatistics stats = poolAfterItsMode!;
Console.WriteLine();
Console.WriteLine($"OrthotopeMemoryPool '{stats.PoolName}' after its mode: {stats.ReservedBytes / 1024.0:F0} KiB reserved, " +
    $"{stats.Rents} rents, {stats.Refills} refills, {stats.SlabsAllocated} slabs allocated, {stats.OutstandingBlocks} outstanding.");

bool agree = results.TrueForAll(r => r.Checksum == results[0].Checksum);
Console.WriteLine(agree
    ? $"All modes computed the same predictions (checksum {results[0].Checksum})."
    : "The modes computed different predictions: " + string.Join(", ", results.ConvertAll(r => $"{r.Mode} {r.Checksum}")));

if (csv is not null)
{
    var lines = new List<string> { RequestMeasure.CsvHeader };
    lines.AddRange(results.ConvertAll(r => r.ToCsv()));
    File.WriteAllLines(csv, lines);
    Console.WriteLine($"Wrote {csv}.");
}

return agree ? 0 : 1;
