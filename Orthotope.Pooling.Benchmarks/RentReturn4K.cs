using System.Buffers;
using BenchmarkDotNet.Attributes;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// W1: rent 4 KiB, write one byte, give it back, on one thread. Time and allocation per rent+return pair.
/// </summary>
[MemoryDiagnoser]
public class RentReturn4K : ContenderBenchmark
{
    protected const int Size = 4096;

    private readonly MemoryPool<byte> _floor = new FloorMemoryPool();

    /// <summary>The baseline: <c>ArrayPool&lt;byte&gt;.Shared</c> Rent/Return.</summary>
    [Benchmark(Baseline = true)]
    public void ArrayPoolShared()
    {
        byte[] array = ArrayPool<byte>.Shared.Rent(Size);
        array[0] = 1;
        ArrayPool<byte>.Shared.Return(array);
    }

    /// <summary><c>MemoryPool&lt;byte&gt;.Shared</c> Rent, owner Dispose.</summary>
    [Benchmark]
    public void MemoryPoolShared()
    {
        IMemoryOwner<byte> owner = MemoryPool<byte>.Shared.Rent(Size);
        owner.Memory.Span[0] = 1;
        owner.Dispose();
    }

    /// <summary>Kestrel's pinned block pool, from its factory.</summary>
    [Benchmark]
    public void Kestrel()
    {
        IMemoryOwner<byte> owner = KestrelBlocks.Rent(Size);
        owner.Memory.Span[0] = 1;
        owner.Dispose();
    }

    /// <summary>Kestrel's pinned block pool, built bare.</summary>
    [Benchmark]
    public void KestrelBare()
    {
        IMemoryOwner<byte> owner = KestrelBareBlocks.Rent(Size);
        owner.Memory.Span[0] = 1;
        owner.Dispose();
    }

    /// <summary><see cref="OrthotopeMemoryPool"/>.</summary>
    [Benchmark]
    public void OrthotopeMemory()
    {
        IMemoryOwner<byte> owner = OrthotopeBlocks.Rent(Size);
        owner.Memory.Span[0] = 1;
        owner.Dispose();
    }

    /// <summary>
    /// The floor: the same work on <see cref="FloorMemoryPool"/>, which does only what any pool of reused owners with a
    /// per-thread cache must (a thread-local stack, a state flag, array-backed memory), called the same way.
    /// </summary>
    [Benchmark]
    public void Floor()
    {
        IMemoryOwner<byte> owner = _floor.Rent(Size);
        owner.Memory.Span[0] = 1;
        owner.Dispose();
    }

    /// <summary><see cref="OrthotopeArrayPool"/> Rent/Return.</summary>
    [Benchmark]
    public void OrthotopeArray()
    {
        byte[] array = OrthotopeArrays.Rent(Size);
        array[0] = 1;
        OrthotopeArrays.Return(array);
    }
}
