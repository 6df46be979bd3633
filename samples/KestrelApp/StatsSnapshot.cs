using System;
using System.Collections.Generic;
using System.Diagnostics;
using Orthotope.Pooling;
using Orthotope.Pooling.AspNetCore;

namespace KestrelApp;

/// <summary>What <c>GET /stats</c> returns: the process's memory as the GC and the OS see it, and the Orthotope pools.</summary>
internal sealed record StatsSnapshot(
    string PoolMode,
    long GcTotalMemoryBytes,
    long GcHeapSizeBytes,
    long GcCommittedBytes,
    long WorkingSetBytes,
    long PeakWorkingSetBytes,
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections,
    IReadOnlyList<PoolSnapshot> Pools)
{
    public static StatsSnapshot Take(string poolMode, OrthotopeMemoryPoolFactory? factory)
    {
        var pools = new List<PoolSnapshot>();
        if (factory is not null)
        {
            foreach (OrthotopeMemoryPool pool in factory.Pools)
            {
                PoolStatistics statistics = pool.GetStatistics();
                pools.Add(new PoolSnapshot(statistics.PoolName, statistics.ReservedBytes, statistics.OutstandingBlocks, statistics.Rents, statistics.Refills, statistics.Slabs));
            }
        }

        GCMemoryInfo gc = GC.GetGCMemoryInfo();
        using var process = Process.GetCurrentProcess();
        return new StatsSnapshot(
            poolMode, GC.GetTotalMemory(false), gc.HeapSizeBytes, gc.TotalCommittedBytes, process.WorkingSet64, process.PeakWorkingSet64,
            GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), pools);
    }
}
