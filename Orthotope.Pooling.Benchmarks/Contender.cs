namespace Orthotope.Pooling.Benchmarks;

/// <summary>The pools every workload compares; the benchmark methods carry the same names.</summary>
public enum Contender
{
    /// <summary><c>ArrayPool&lt;byte&gt;.Shared</c>, through its <c>byte[]</c> Rent/Return API.</summary>
    ArrayPoolShared,

    /// <summary><c>MemoryPool&lt;byte&gt;.Shared</c> (an owner object per rent over <c>ArrayPool&lt;byte&gt;.Shared</c>).</summary>
    MemoryPoolShared,

    /// <summary>Kestrel's pinned block pool, from Kestrel's <c>IMemoryPoolFactory&lt;byte&gt;</c>, as a server gets it.</summary>
    Kestrel,

    /// <summary>Kestrel's <c>PinnedBlockMemoryPool</c> built bare (no metrics, no logger), as its own tests build it.</summary>
    KestrelBare,

    /// <summary>An <see cref="Pooling.OrthotopeMemoryPool"/> with default options.</summary>
    OrthotopeMemory,

    /// <summary>An <see cref="Pooling.OrthotopeArrayPool"/> with default options, through its <c>byte[]</c> API.</summary>
    OrthotopeArray,

    /// <summary>
    /// The workload's floor: the least a pool of reused owners can do for it (<see cref="FloorMemoryPool"/> for one
    /// thread, <see cref="HandoffFloorMemoryPool"/> for one renting and one disposing thread); not a real pool.
    /// </summary>
    Floor,
}
