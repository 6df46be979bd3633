using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Threading;
using Orthotope.Pooling.Engine;

namespace Orthotope.Pooling.Diagnostics;

/// <summary>
/// The <see cref="System.Diagnostics.Metrics"/> meter <c>Orthotope.Pooling</c>: observable instruments read every
/// live pool when a listener collects (for example <c>dotnet-counters monitor --counters Orthotope.Pooling</c>),
/// each measurement tagged <c>pool.name</c> with the pool's <see cref="OrthotopePoolOptions.Name"/>.
/// </summary>
/// <remarks>
/// Nothing is measured on the rent and dispose paths: the instruments are observable, and read the pools' own
/// counters only when collected. Pools are held weakly. Thread-safe.
/// </remarks>
internal static class PoolMetrics
{
    public const string MeterName = "Orthotope.Pooling";

    private static readonly Lock s_lock = new();

    /// <summary>Live pools. Guarded by <see cref="s_lock"/>.</summary>
    private static readonly List<WeakReference<IPoolMetricsSource>> s_pools = [];

    private static readonly Meter s_meter = CreateMeter();

    public static void Register(IPoolMetricsSource pool)
    {
        lock (s_lock)
        {
            s_pools.RemoveAll(static w => !w.TryGetTarget(out _));
            s_pools.Add(new WeakReference<IPoolMetricsSource>(pool));
        }
    }

    public static void Unregister(IPoolMetricsSource pool)
    {
        lock (s_lock)
        {
            s_pools.RemoveAll(w => !w.TryGetTarget(out IPoolMetricsSource? p) || ReferenceEquals(p, pool));
        }
    }

    private static Meter CreateMeter()
    {
        var meter = new Meter(MeterName, typeof(PoolMetrics).Assembly.GetName().Version?.ToString());
        meter.CreateObservableUpDownCounter("orthotope.pool.reserved", () => Read(static c => c.ReservedBytes), "By",
            "Bytes the pool holds from the runtime: slabs and large blocks, free or rented.");
        meter.CreateObservableUpDownCounter("orthotope.pool.rented", () => Read(static c => c.OutstandingBytes), "By",
            "Usable bytes of the blocks rented and not yet returned.");
        meter.CreateObservableCounter("orthotope.pool.rents", () => Read(static c => c.Rents), "{rent}",
            "Rents served.");
        meter.CreateObservableCounter("orthotope.pool.cache_misses", () => Read(static c => c.Refills), "{refill}",
            "Thread-cache misses: batches moved from the central pool to a thread cache.");
        meter.CreateObservableCounter("orthotope.pool.slabs.allocated", () => Read(static c => c.SlabsAllocated), "{slab}",
            "Slabs allocated.");
        meter.CreateObservableCounter("orthotope.pool.slabs.released", () => Read(static c => c.SlabsReleased), "{slab}",
            "Slabs released to the runtime.");
        meter.CreateObservableCounter("orthotope.pool.trimmed", () => Read(static c => c.BytesTrimmed), "By",
            "Bytes released by trimming.");
        meter.CreateObservableCounter("orthotope.pool.limit.rejections", () => Read(static c => c.LimitRejections), "{rent}",
            "Rents that found the pool at its MaxReservedBytes limit.");
        return meter;
    }

    private static List<Measurement<long>> Read(Func<PoolCounters, long> select)
    {
        var pools = new List<IPoolMetricsSource>();
        lock (s_lock)
        {
            foreach (WeakReference<IPoolMetricsSource> weak in s_pools)
            {
                if (weak.TryGetTarget(out IPoolMetricsSource? pool))
                {
                    pools.Add(pool);
                }
            }
        }

        var measurements = new List<Measurement<long>>(pools.Count);
        foreach (IPoolMetricsSource pool in pools)
        {
            measurements.Add(new Measurement<long>(select(pool.ReadCounters()), new KeyValuePair<string, object?>("pool.name", pool.Name)));
        }

        return measurements;
    }
}
