using System.Buffers;
using BenchmarkDotNet.Attributes;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// Builds the pools that are not process-wide singletons, in every benchmark process alike, so each case runs in
/// the same surroundings whichever contender it measures.
/// </summary>
/// <remarks>
/// <c>ArrayPool&lt;byte&gt;.Shared</c> and <c>MemoryPool&lt;byte&gt;.Shared</c> are called through their static
/// properties, the Orthotope pools through their sealed types and Kestrel's pool through <see cref="MemoryPool{T}"/>
/// (its concrete type is internal): each the way an application calls it. Dynamic PGO devirtualizes the remaining
/// interface calls on owners, since BenchmarkDotNet runs every case in its own process.
/// </remarks>
public abstract class ContenderBenchmark
{
    private KestrelPool? _kestrel;

    /// <summary>Kestrel's pinned block pool (4096-byte blocks).</summary>
    protected MemoryPool<byte> KestrelBlocks { get; private set; } = null!;

    /// <summary>A fresh <see cref="OrthotopeMemoryPool"/> with default options.</summary>
    protected OrthotopeMemoryPool OrthotopeBlocks { get; private set; } = null!;

    /// <summary>A fresh <see cref="OrthotopeArrayPool"/> with default options.</summary>
    protected OrthotopeArrayPool OrthotopeArrays { get; private set; } = null!;

    /// <summary>Creates the pools, then lets the workload set itself up.</summary>
    [GlobalSetup]
    public void GlobalSetup()
    {
        _kestrel = KestrelPool.Create();
        KestrelBlocks = _kestrel.Pool;
        OrthotopeBlocks = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "benchmark" });
        OrthotopeArrays = new OrthotopeArrayPool(new OrthotopePoolOptions { Name = "benchmark-arrays" });
        Setup();
    }

    /// <summary>Lets the workload release what it holds, then disposes the pools.</summary>
    [GlobalCleanup]
    public void GlobalCleanup()
    {
        Cleanup();
        OrthotopeBlocks.Dispose();
        _kestrel?.Dispose();
    }

    /// <summary>The workload's own setup, run after the pools exist.</summary>
    protected virtual void Setup()
    {
    }

    /// <summary>The workload's own cleanup, run while the pools still exist.</summary>
    protected virtual void Cleanup()
    {
    }

    /// <summary>The <see cref="MemoryPool{T}"/> a MemoryPool-shaped contender rents from.</summary>
    protected MemoryPool<byte> MemoryPoolOf(Contender contender) => contender switch
    {
        Contender.MemoryPoolShared => MemoryPool<byte>.Shared,
        Contender.Kestrel => KestrelBlocks,
        Contender.OrthotopeMemory => OrthotopeBlocks,
        _ => throw new System.ArgumentOutOfRangeException(nameof(contender), contender, "not a MemoryPool contender"),
    };

    /// <summary>The <see cref="ArrayPool{T}"/> an ArrayPool-shaped contender rents from.</summary>
    protected ArrayPool<byte> ArrayPoolOf(Contender contender) => contender switch
    {
        Contender.ArrayPoolShared => ArrayPool<byte>.Shared,
        Contender.OrthotopeArray => OrthotopeArrays,
        _ => throw new System.ArgumentOutOfRangeException(nameof(contender), contender, "not an ArrayPool contender"),
    };

    /// <summary>Whether a contender hands out <c>byte[]</c> rather than <see cref="IMemoryOwner{T}"/>.</summary>
    protected static bool IsArrayPool(Contender contender) => contender is Contender.ArrayPoolShared or Contender.OrthotopeArray;
}
