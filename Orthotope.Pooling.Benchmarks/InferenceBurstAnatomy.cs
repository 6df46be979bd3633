using System.Buffers;
using BenchmarkDotNet.Attributes;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// W8 taken apart: W8's rows (it derives from <see cref="InferenceBurst"/>, so every row comes from the same run) plus
/// the same steps with the buffers rented and given back but never written, which is the pools' own share of a step.
/// </summary>
[MemoryDiagnoser]
public class InferenceBurstAnatomy : InferenceBurst
{
    /// <summary><c>ArrayPool&lt;float&gt;.Shared</c>, Rent and Return only.</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public void ArrayPoolSharedUnwritten() => RunArrays(ArrayPool<float>.Shared, touch: false);

    /// <summary>The default-options typed pool, Rent and Dispose only.</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public void OrthotopeMemoryUnwritten() => RunOwners(OrthotopeFloats, touch: false);

    /// <summary>The 4 MiB-class typed pool, Rent and Dispose only.</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public void OrthotopeMemory4MiBClassesUnwritten() => RunOwners(OrthotopeFloatsLargeClasses, touch: false);
}
