namespace Orthotope.Pooling;

/// <summary>What a pool does with a rent that would take it past <see cref="OrthotopePoolOptions.MaxReservedBytes"/>.</summary>
public enum OrthotopeLimitBehavior
{
    /// <summary>Throw <see cref="OrthotopePoolExhaustedException"/> (after the pool has released what it could).</summary>
    Throw,

    /// <summary>
    /// Serve the rent with memory the pool does not count or keep: an <see cref="OrthotopeMemoryPool"/> block made for
    /// this rent alone (still pinned and 64-byte aligned) that is dropped when disposed, or a new array from an
    /// <see cref="OrthotopeArrayPool"/>. <see cref="PoolStatistics.UnpooledRents"/> counts them.
    /// </summary>
    AllocateUnpooled,
}
