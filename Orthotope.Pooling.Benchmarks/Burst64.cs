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

    /// <summary>The baseline: <c>ArrayPool&lt;byte&gt;.Shared</c>.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Burst)]
    public void ArrayPoolShared() => RunArrays(ArrayPool<byte>.Shared);

    /// <summary><c>MemoryPool&lt;byte&gt;.Shared</c>.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public void MemoryPoolShared() => RunOwners(MemoryPool<byte>.Shared);

    /// <summary>Kestrel's pinned block pool, from its factory.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public void Kestrel() => RunOwners(KestrelBlocks);

    /// <summary>Kestrel's pinned block pool, built bare.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public void KestrelBare() => RunOwners(KestrelBareBlocks);

    /// <summary><see cref="OrthotopeMemoryPool"/>.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public void OrthotopeMemory() => RunOwners(OrthotopeBlocks);

    /// <summary><see cref="OrthotopeArrayPool"/>.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public void OrthotopeArray() => RunArrays(OrthotopeArrays);

    // Inlined into each benchmark so the JIT sees the pool's exact type where the caller knows it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void RunArrays(ArrayPool<byte> pool)
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
    private void RunOwners(MemoryPool<byte> pool)
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
}
