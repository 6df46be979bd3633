using System;
using System.Diagnostics;
using System.Globalization;

namespace Orthotope.Pooling.Samples.Inference;

/// <summary>What one mode measured over its requests.</summary>
/// <param name="Mode">The buffer source.</param>
/// <param name="Requests">Requests measured.</param>
/// <param name="Seconds">Wall time of the measured requests.</param>
/// <param name="Gen0">Gen0 collections during them (the runtime counts every collection as one of gen0 too).</param>
/// <param name="Gen1">Gen1 collections during them (gen2 ones included).</param>
/// <param name="Gen2">Gen2 collections during them.</param>
/// <param name="AllocatedBytes">Bytes the serving thread allocated during them.</param>
/// <param name="RequestedBytes">Bytes one request's buffers ask for.</param>
/// <param name="HeldBytes">Bytes set aside for one request's buffers (rounded up by a pool).</param>
/// <param name="Checksum">The sum of the predicted classes over the measured requests, to compare the modes.</param>
internal sealed record RequestMeasure(
    string Mode, int Requests, double Seconds, int Gen0, int Gen1, int Gen2, long AllocatedBytes, long RequestedBytes,
    long HeldBytes, long Checksum)
{
    /// <summary>The header of <see cref="ToCsv"/>.</summary>
    public const string CsvHeader =
        "mode,requests,seconds,requests_per_s,ms_per_request,gen0,gen1,gen2,allocated_bytes_per_request,requested_bytes_per_request,held_bytes_per_request";

    public double RequestsPerSecond => Requests / Seconds;

    public double MillisecondsPerRequest => Seconds * 1000 / Requests;

    public double AllocatedBytesPerRequest => (double)AllocatedBytes / Requests;

    /// <summary>
    /// Runs <paramref name="warmup"/> requests (JIT, pool growth), settles the heap, then measures
    /// <paramref name="requests"/> more on this thread.
    /// </summary>
    public static RequestMeasure Run(InferenceLoop loop, int warmup, int requests)
    {
        ArgumentNullException.ThrowIfNull(loop);
        for (int i = 0; i < warmup; i++)
        {
            loop.Run(i);
        }

        // Start every mode from a collected heap, so one mode's garbage does not trigger a collection in the next.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);

        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        long started = Stopwatch.GetTimestamp();
        long checksum = 0;
        for (int i = 0; i < requests; i++)
        {
            checksum += loop.Run(i);
        }

        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        long allocatedDuring = GC.GetAllocatedBytesForCurrentThread() - allocated;
        int gen0During = GC.CollectionCount(0) - gen0, gen1During = GC.CollectionCount(1) - gen1, gen2During = GC.CollectionCount(2) - gen2;
        return new RequestMeasure(
            loop.Mode, requests, elapsed.TotalSeconds, gen0During, gen1During, gen2During, allocatedDuring,
            loop.RequestedFloats * sizeof(float), loop.MeasureHeldBytes(), checksum);
    }

    /// <summary>One CSV line under <see cref="CsvHeader"/>.</summary>
    public string ToCsv() => string.Create(CultureInfo.InvariantCulture,
        $"{Mode},{Requests},{Seconds:F4},{RequestsPerSecond:F2},{MillisecondsPerRequest:F4},{Gen0},{Gen1},{Gen2},{AllocatedBytesPerRequest:F1},{RequestedBytes},{HeldBytes}");
}
