using System.Collections.Generic;

namespace Orthotope.Pooling.Tests;

/// <summary>The configurations every contract fixture runs against, so each engine path gets exercised.</summary>
public static class PoolConfigurations
{
    public static IEnumerable<TestFixtureData> All()
    {
        yield return new TestFixtureData("default").SetArgDisplayNames("default");
        yield return new TestFixtureData("no-thread-cache").SetArgDisplayNames("no-thread-cache");
        yield return new TestFixtureData("tiny").SetArgDisplayNames("tiny");
    }

    public static OrthotopePoolOptions Create(string name) => name switch
    {
        "default" => new OrthotopePoolOptions { Name = name },
        // Every rent and dispose goes through the central free lists.
        "no-thread-cache" => new OrthotopePoolOptions { Name = name, ThreadCacheBytesPerClass = 0 },
        // Two-block caches, one-block batches, small slabs and a small largest class: every slow path runs often.
        "tiny" => new OrthotopePoolOptions
        {
            Name = name,
            ThreadCacheBytesPerClass = 1,
            RefillBatchBytes = 1,
            SlabSize = OrthotopePoolOptions.MinSlabSize,
            LargestSizeClass = 64 << 10,
            LargeBlockCacheBytes = 1 << 20,
        },
        _ => throw new System.ArgumentOutOfRangeException(nameof(name), name, "unknown configuration"),
    };
}
