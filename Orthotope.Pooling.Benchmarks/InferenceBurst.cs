using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// W8, the inference burst: per step, rent 8 to 64 <see cref="float"/> buffers of 6 KiB to 4 MiB (log-uniform, fixed
/// seed, precomputed), write one element per 4 KiB page of each, then give them all back in rent order. Reported per
/// step (<see cref="Steps"/> steps per invocation, the same steps in every invocation).
/// </summary>
/// <remarks>
/// <para>
/// Contenders, each called as inference code calls it: <c>ArrayPool&lt;float&gt;.Shared</c> through
/// <see cref="ArrayPool{T}"/> (Rent/Return; the baseline), <see cref="OrthotopeMemoryPool{T}"/> of <see cref="float"/>
/// with default options through <see cref="MemoryPool{T}"/> and <see cref="IMemoryOwner{T}"/>,
/// <c>MemoryPool&lt;float&gt;.Shared</c> the same way (an owner object per rent over <c>ArrayPool&lt;float&gt;.Shared</c>),
/// and a new <c>float[]</c> per buffer.
/// </para>
/// <para>
/// Buffers above <see cref="OrthotopePoolOptions.LargestSizeClass"/> (1 MiB by default; about a fifth of these)
/// take the pool's large path: a block of exactly the request, kept for reuse within
/// <see cref="OrthotopePoolOptions.LargeBlockCacheBytes"/>. The <c>--burst-footprint</c> mode reports the memory
/// side (<see cref="InferenceBurstFootprint"/>).
/// </para>
/// </remarks>
[MemoryDiagnoser]
public class InferenceBurst
{
    /// <summary>Steps per invocation.</summary>
    public const int Steps = 32;

    private readonly int[][] _steps = InferenceBurstSteps.Create(Steps);
    private readonly float[][] _arrays = new float[InferenceBurstSteps.MaxBuffers][];
    private readonly IMemoryOwner<float>[] _owners = new IMemoryOwner<float>[InferenceBurstSteps.MaxBuffers];

    private OrthotopeMemoryPool _bytes = null!;
    private OrthotopeMemoryPool _largeClassBytes = null!;

    /// <summary>The typed pool with default options.</summary>
    protected MemoryPool<float> OrthotopeFloats { get; private set; } = null!;

    /// <summary>The typed pool with <see cref="LargeClassOptions"/>.</summary>
    protected MemoryPool<float> OrthotopeFloatsLargeClasses { get; private set; } = null!;

    /// <summary>
    /// The options an inference pool is advised to use (docs/tensors.md): size classes up to 4 MiB, the largest buffer
    /// of this workload, so that every buffer is pooled in a class instead of taking the large path.
    /// </summary>
    public static OrthotopePoolOptions LargeClassOptions(string name) => new() { Name = name, LargestSizeClass = 4 << 20 };

    /// <summary>Fresh pools: one with default options, as the other workloads use, and one with 4 MiB classes.</summary>
    [GlobalSetup]
    public void GlobalSetup()
    {
        _bytes = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "benchmark-tensors" });
        OrthotopeFloats = new OrthotopeMemoryPool<float>(_bytes);
        _largeClassBytes = new OrthotopeMemoryPool(LargeClassOptions("benchmark-tensors-4mib"));
        OrthotopeFloatsLargeClasses = new OrthotopeMemoryPool<float>(_largeClassBytes);
    }

    /// <summary>Disposes the pools.</summary>
    [GlobalCleanup]
    public void GlobalCleanup()
    {
        OrthotopeFloats.Dispose();
        _bytes.Dispose();
        OrthotopeFloatsLargeClasses.Dispose();
        _largeClassBytes.Dispose();
    }

    /// <summary>The baseline: <c>ArrayPool&lt;float&gt;.Shared</c>, Rent and Return.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Steps)]
    public void ArrayPoolShared() => RunArrays(ArrayPool<float>.Shared, touch: true);

    /// <summary><c>MemoryPool&lt;float&gt;.Shared</c>.</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public void MemoryPoolShared() => RunOwners(MemoryPool<float>.Shared, touch: true);

    /// <summary><see cref="OrthotopeMemoryPool{T}"/> of <see cref="float"/>, through <see cref="MemoryPool{T}"/>.</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public void OrthotopeMemory() => RunOwners(OrthotopeFloats, touch: true);

    /// <summary>
    /// <see cref="OrthotopeMemoryPool{T}"/> of <see cref="float"/> with <see cref="LargeClassOptions"/>: every buffer
    /// of the workload in a size class.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public void OrthotopeMemory4MiBClasses() => RunOwners(OrthotopeFloatsLargeClasses, touch: true);

    /// <summary>A new (zeroed) <c>float[]</c> per buffer, left to the garbage collector.</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public void NewArray()
    {
        foreach (int[] step in _steps)
        {
            for (int i = 0; i < step.Length; i++)
            {
                float[] array = new float[step[i]];
                InferenceBurstSteps.Touch(array, i);
                _arrays[i] = array;
            }

            for (int i = 0; i < step.Length; i++)
            {
                _arrays[i] = null!;
            }
        }
    }

    // Inlined into each benchmark so the JIT sees the pool's exact type where the caller knows it.
    /// <summary>Runs the steps on an array pool; without <paramref name="touch"/> the buffers are rented and returned unwritten.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void RunArrays(ArrayPool<float> pool, bool touch)
    {
        float[][] arrays = _arrays;
        foreach (int[] step in _steps)
        {
            for (int i = 0; i < step.Length; i++)
            {
                float[] array = pool.Rent(step[i]);
                if (touch)
                {
                    InferenceBurstSteps.Touch(array.AsSpan(0, step[i]), i);
                }

                arrays[i] = array;
            }

            for (int i = 0; i < step.Length; i++)
            {
                pool.Return(arrays[i]);
            }
        }
    }

    /// <summary>Runs the steps on a memory pool; without <paramref name="touch"/> the buffers are rented and disposed unwritten.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void RunOwners(MemoryPool<float> pool, bool touch)
    {
        IMemoryOwner<float>[] owners = _owners;
        foreach (int[] step in _steps)
        {
            for (int i = 0; i < step.Length; i++)
            {
                IMemoryOwner<float> owner = pool.Rent(step[i]);
                if (touch)
                {
                    InferenceBurstSteps.Touch(owner.Memory.Span[..step[i]], i);
                }

                owners[i] = owner;
            }

            for (int i = 0; i < step.Length; i++)
            {
                owners[i].Dispose();
            }
        }
    }
}
