using Orthotope.Pooling.Engine;

namespace Orthotope.Pooling.Diagnostics;

/// <summary>A pool as the metrics instruments see it: a name and a reading of its counters.</summary>
internal interface IPoolMetricsSource
{
    string Name { get; }

    PoolCounters ReadCounters();
}
