using System.Buffers;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// W6: 64 rents of 4 KiB (one byte written into each), then 64 returns in rent order, on one thread. Reported per
/// rent+return pair (<see cref="BenchmarkAttribute.OperationsPerInvoke"/> = 64).
/// </summary>
/// <remarks>A burst deeper than a small per-thread cache shows how a pool behaves once its fastest tier runs dry.</remarks>
[MemoryDiagnoser]
public class Burst64 : ContenderBenchmark
{
    private const int Size = 4096;
    private const int Burst = 64;

    private readonly byte[][] _arrays = new byte[Burst][];
    private readonly IMemoryOwner<byte>[] _owners = new IMemoryOwner<byte>[Burst];
    private readonly MemoryPool<byte> _floor = new FloorMemoryPool();

    /// <summary>The baseline: <c>ArrayPool&lt;byte&gt;.Shared</c>.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Burst)]
    public void ArrayPoolShared() => RunArrays<RowA>(ArrayPool<byte>.Shared);

    /// <summary><c>MemoryPool&lt;byte&gt;.Shared</c>.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public void MemoryPoolShared() => RunOwners<RowB>(MemoryPool<byte>.Shared);

    /// <summary>Kestrel's pinned block pool, from its factory.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public void Kestrel() => RunOwners<RowC>(KestrelBlocks);

    /// <summary>Kestrel's pinned block pool, built bare.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public void KestrelBare() => RunOwners<RowD>(KestrelBareBlocks);

    /// <summary><see cref="OrthotopeMemoryPool"/>.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public void OrthotopeMemory() => RunOwners<RowE>(OrthotopeBlocks);

    /// <summary>
    /// The floor of any pool with per-thread caches: <see cref="FloorMemoryPool"/>, a thread-local stack of owners and
    /// nothing else, called the same way.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public void Floor() => RunOwners<RowG>(_floor);

    /// <summary><see cref="OrthotopeArrayPool"/>.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public void OrthotopeArray() => RunArrays<RowF>(OrthotopeArrays);

    // Generic over a marker type per row, so each row runs its own copy of the loop, whose call sites (the pool's
    // Rent, the owners' Memory and Dispose) gather a profile of that row's types alone, even in a process that runs
    // every row (--interleaved); BenchmarkDotNet's one process per row needs no such help.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void RunArrays<TRow>(ArrayPool<byte> pool)
        where TRow : struct
    {
        byte[][] arrays = _arrays;
        for (int i = 0; i < arrays.Length; i++)
        {
            arrays[i] = pool.Rent(Size);
            arrays[i][0] = 1;
        }

        for (int i = 0; i < arrays.Length; i++)
        {
            pool.Return(arrays[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void RunOwners<TRow>(MemoryPool<byte> pool)
        where TRow : struct
    {
        IMemoryOwner<byte>[] owners = _owners;
        for (int i = 0; i < owners.Length; i++)
        {
            owners[i] = pool.Rent(Size);
            owners[i].Memory.Span[0] = 1;
        }

        for (int i = 0; i < owners.Length; i++)
        {
            owners[i].Dispose();
        }
    }

    private struct RowA;

    private struct RowB;

    private struct RowC;

    private struct RowD;

    private struct RowE;

    private struct RowF;

    private struct RowG;
}
