namespace Orthotope.Pooling.Engine;

/// <summary>One reading of a pool's totals and cumulative counters, for the metrics instruments.</summary>
internal readonly record struct PoolCounters(
    long ReservedBytes,
    long OutstandingBytes,
    long Rents,
    long Refills,
    long SlabsAllocated,
    long SlabsReleased,
    long BytesTrimmed,
    long LimitRejections,
    long UnpooledRents,
    long Trims);
