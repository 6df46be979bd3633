using System;
using System.Buffers;
using System.Threading;
using BenchmarkDotNet.Attributes;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// W3: W1 (rent 4 KiB, write a byte, give it back) on every core at once. Reported per operation over all threads
/// (<see cref="BenchmarkAttribute.OperationsPerInvoke"/> = <see cref="TotalOperations"/>), i.e. the inverse of the
/// machine's throughput: perfect scaling shows as W1's time divided by the core count.
/// </summary>
/// <remarks>
/// <see cref="Environment.ProcessorCount"/> threads run each invocation: the benchmark thread and
/// <c>ProcessorCount - 1</c> workers started once in setup. A <see cref="Barrier"/> starts them together and
/// waits for the last, so an invocation is timed from the common start to the slowest thread's end; the barrier's
/// cost (microseconds) is small against an invocation of <see cref="TotalOperations"/> operations.
/// </remarks>
[MemoryDiagnoser]
public class AllCores : ContenderBenchmark
{
    /// <summary>Operations per invocation, shared out evenly among the threads.</summary>
    public const int TotalOperations = 1 << 18;

    private const int Size = 4096;

    private Thread[] _workers = [];
    private Barrier _barrier = null!;
    private int _threadCount;
    private volatile bool _stopping;
    private Contender _contender;

    /// <summary>The baseline: <c>MemoryPool&lt;byte&gt;.Shared</c>.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = TotalOperations)]
    public void MemoryPoolShared() => RunAll(Contender.MemoryPoolShared);

    /// <summary><c>ArrayPool&lt;byte&gt;.Shared</c>.</summary>
    [Benchmark(OperationsPerInvoke = TotalOperations)]
    public void ArrayPoolShared() => RunAll(Contender.ArrayPoolShared);

    /// <summary>Kestrel's pinned block pool.</summary>
    [Benchmark(OperationsPerInvoke = TotalOperations)]
    public void Kestrel() => RunAll(Contender.Kestrel);

    /// <summary><see cref="OrthotopeMemoryPool"/>.</summary>
    [Benchmark(OperationsPerInvoke = TotalOperations)]
    public void OrthotopeMemory() => RunAll(Contender.OrthotopeMemory);

    /// <summary><see cref="OrthotopeArrayPool"/>.</summary>
    [Benchmark(OperationsPerInvoke = TotalOperations)]
    public void OrthotopeArray() => RunAll(Contender.OrthotopeArray);

    /// <summary>The floor: <see cref="FloorMemoryPool"/> (a thread-local stack of owners) on every core.</summary>
    [Benchmark(OperationsPerInvoke = TotalOperations)]
    public void Floor() => RunAll(Contender.Floor);

    /// <inheritdoc/>
    protected override void Setup()
    {
        FloorBlocks = new FloorMemoryPool();
        _threadCount = Environment.ProcessorCount;
        _barrier = new Barrier(_threadCount);
        _workers = new Thread[_threadCount - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"AllCores worker {i + 1}" };
            _workers[i].Start();
        }
    }

    /// <inheritdoc/>
    protected override void Cleanup()
    {
        _stopping = true;
        _barrier.SignalAndWait();
        foreach (Thread worker in _workers)
        {
            worker.Join();
        }

        _barrier.Dispose();
    }

    private void RunAll(Contender contender)
    {
        // Written before the barrier, which orders it before the workers read it.
        _contender = contender;
        _barrier.SignalAndWait();
        Work(contender, SharePerThread + (TotalOperations % _threadCount));
        _barrier.SignalAndWait();
    }

    private int SharePerThread => TotalOperations / _threadCount;

    private void WorkerLoop()
    {
        while (true)
        {
            _barrier.SignalAndWait();
            if (_stopping)
            {
                return;
            }

            Work(_contender, SharePerThread);
            _barrier.SignalAndWait();
        }
    }

    private void Work(Contender contender, int operations)
    {
        switch (contender)
        {
            case Contender.ArrayPoolShared:
                for (int i = 0; i < operations; i++)
                {
                    byte[] array = ArrayPool<byte>.Shared.Rent(Size);
                    array[0] = 1;
                    ArrayPool<byte>.Shared.Return(array);
                }

                break;
            case Contender.MemoryPoolShared:
                for (int i = 0; i < operations; i++)
                {
                    IMemoryOwner<byte> owner = MemoryPool<byte>.Shared.Rent(Size);
                    owner.Memory.Span[0] = 1;
                    owner.Dispose();
                }

                break;
            case Contender.Kestrel:
                MemoryPool<byte> kestrel = KestrelBlocks;
                for (int i = 0; i < operations; i++)
                {
                    IMemoryOwner<byte> owner = kestrel.Rent(Size);
                    owner.Memory.Span[0] = 1;
                    owner.Dispose();
                }

                break;
            case Contender.Floor:
                MemoryPool<byte> floor = FloorBlocks!;
                for (int i = 0; i < operations; i++)
                {
                    IMemoryOwner<byte> owner = floor.Rent(Size);
                    owner.Memory.Span[0] = 1;
                    owner.Dispose();
                }

                break;
            case Contender.OrthotopeMemory:
                MemoryPool<byte> blocks = OrthotopeBlocks;
                for (int i = 0; i < operations; i++)
                {
                    IMemoryOwner<byte> owner = blocks.Rent(Size);
                    owner.Memory.Span[0] = 1;
                    owner.Dispose();
                }

                break;
            case Contender.OrthotopeArray:
                ArrayPool<byte> arrays = OrthotopeArrays;
                for (int i = 0; i < operations; i++)
                {
                    byte[] array = arrays.Rent(Size);
                    array[0] = 1;
                    arrays.Return(array);
                }

                break;
        }
    }
}
