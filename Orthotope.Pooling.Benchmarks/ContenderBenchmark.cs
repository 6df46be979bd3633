using System.Buffers;
using BenchmarkDotNet.Attributes;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// Builds the pools that are not process-wide singletons, in every benchmark process alike, so each case runs in
/// the same surroundings whichever contender it measures.
/// </summary>
/// <remarks>
/// Every contender is called the way an application calls it: the MemoryPool-shaped ones through
/// <see cref="MemoryPool{T}"/> and <see cref="IMemoryOwner{T}"/> (which is how <c>Pipe</c>, <c>StreamPipeReader</c>
/// and Kestrel hold them), the array pools through <see cref="ArrayPool{T}"/>. <c>ArrayPool&lt;byte&gt;.Shared</c> and
/// <c>MemoryPool&lt;byte&gt;.Shared</c> come from their static properties, as applications get them; the properties
/// here are typed as the abstractions, so no contender is called through its concrete type. BenchmarkDotNet runs
/// every case in its own process, so each call site sees one pool type, as in an application that uses one pool.
/// </remarks>
public abstract class ContenderBenchmark
{
    private KestrelPool? _kestrel;

    /// <summary>Kestrel's pinned block pool (4096-byte blocks), from Kestrel's factory, as a server gets it.</summary>
    protected MemoryPool<byte> KestrelBlocks { get; private set; } = null!;

    /// <summary>Kestrel's <c>PinnedBlockMemoryPool</c> built bare: no metrics, no logger.</summary>
    protected MemoryPool<byte> KestrelBareBlocks { get; private set; } = null!;

    /// <summary>A fresh <see cref="OrthotopeMemoryPool"/> with default options, as the <see cref="MemoryPool{T}"/> applications hold.</summary>
    protected MemoryPool<byte> OrthotopeBlocks => OrthotopePool;

    /// <summary>The same pool as its concrete type, for what only it offers (statistics, the engine).</summary>
    protected OrthotopeMemoryPool OrthotopePool { get; private set; } = null!;

    /// <summary>A fresh <see cref="OrthotopeArrayPool"/> with default options, as the <see cref="ArrayPool{T}"/> applications hold.</summary>
    protected ArrayPool<byte> OrthotopeArrays { get; private set; } = null!;

    /// <summary>The workload's floor (<see cref="Contender.Floor"/>), when it has one: set by the workload.</summary>
    protected MemoryPool<byte>? FloorBlocks { get; set; }

    /// <summary>Creates the pools, then lets the workload set itself up.</summary>
    [GlobalSetup]
    public void GlobalSetup()
    {
        _kestrel = KestrelPool.Create();
        KestrelBlocks = _kestrel.Pool;
        KestrelBareBlocks = KestrelPool.CreateBare();
        OrthotopePool = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "benchmark" });
        OrthotopeArrays = new OrthotopeArrayPool(new OrthotopePoolOptions { Name = "benchmark-arrays" });
        Setup();
    }

    /// <summary>Lets the workload release what it holds, then disposes the pools.</summary>
    [GlobalCleanup]
    public void GlobalCleanup()
    {
        Cleanup();
        OrthotopePool.Dispose();
        KestrelBareBlocks.Dispose();
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
        Contender.KestrelBare => KestrelBareBlocks,
        Contender.OrthotopeMemory => OrthotopeBlocks,
        Contender.Floor => FloorBlocks ?? throw new System.InvalidOperationException("this workload has no floor"),
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
