using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// W5: a <see cref="Pipe"/> on each pool moves <see cref="BytesPerInvocation"/> bytes from a writer to a reader in
/// 4 KiB segments, each filled by the writer and flushed. Reported per 4 KiB segment
/// (<see cref="BenchmarkAttribute.OperationsPerInvoke"/> = <see cref="Segments"/>) and as MB/s.
/// </summary>
/// <remarks>
/// <para>
/// The writer runs on the benchmark thread; the reader's continuations run on the thread pool (the pipe's default
/// schedulers), so segments are rented on one thread and returned on another, as in Kestrel. The pipe pauses the
/// writer at 1 MiB unread and resumes it at 512 KiB.
/// </para>
/// <para>
/// A pipe takes a <see cref="MemoryPool{T}"/>, so the array pools go through <see cref="ArrayPoolMemoryPool"/>
/// (an owner object per segment, as <c>MemoryPool&lt;byte&gt;.Shared</c> has). The <c>MemoryPoolShared</c> row
/// differs from that: <see cref="Pipe"/> recognises <c>MemoryPool&lt;byte&gt;.Shared</c> and rents arrays from
/// <c>ArrayPool&lt;byte&gt;.Shared</c> directly, with no owner object, so it is the pipe's default configuration.
/// </para>
/// </remarks>
[MemoryDiagnoser]
[ThroughputColumn(SegmentSize)]
public class PipeThroughput : ContenderBenchmark
{
    /// <summary>Bytes per segment, the pipe's minimum segment size and each write's size.</summary>
    public const int SegmentSize = 4096;

    /// <summary>Bytes moved per invocation: 64 MiB.</summary>
    public const int BytesPerInvocation = 64 << 20;

    /// <summary>Segments moved per invocation.</summary>
    public const int Segments = BytesPerInvocation / SegmentSize;

    private Pipe _arrayPoolShared = null!;
    private Pipe _memoryPoolShared = null!;
    private Pipe _kestrel = null!;
    private Pipe _kestrelBare = null!;
    private Pipe _orthotopeMemory = null!;
    private Pipe _orthotopeArray = null!;
    private Pipe _floor = null!;

    /// <summary>The baseline: Kestrel's pinned block pool, from its factory.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Segments)]
    public Task Kestrel() => MoveAsync(_kestrel);

    /// <summary>Kestrel's pinned block pool, built bare.</summary>
    [Benchmark(OperationsPerInvoke = Segments)]
    public Task KestrelBare() => MoveAsync(_kestrelBare);

    /// <summary><c>ArrayPool&lt;byte&gt;.Shared</c> through <see cref="ArrayPoolMemoryPool"/>.</summary>
    [Benchmark(OperationsPerInvoke = Segments)]
    public Task ArrayPoolShared() => MoveAsync(_arrayPoolShared);

    /// <summary><c>MemoryPool&lt;byte&gt;.Shared</c>, which the pipe turns into direct <c>ArrayPool&lt;byte&gt;.Shared</c> rents.</summary>
    [Benchmark(OperationsPerInvoke = Segments)]
    public Task MemoryPoolShared() => MoveAsync(_memoryPoolShared);

    /// <summary><see cref="OrthotopeMemoryPool"/>.</summary>
    [Benchmark(OperationsPerInvoke = Segments)]
    public Task OrthotopeMemory() => MoveAsync(_orthotopeMemory);

    /// <summary><see cref="OrthotopeArrayPool"/> through <see cref="ArrayPoolMemoryPool"/>.</summary>
    [Benchmark(OperationsPerInvoke = Segments)]
    public Task OrthotopeArray() => MoveAsync(_orthotopeArray);

    /// <summary>The floor: a pipe on <see cref="HandoffFloorMemoryPool"/>, whose rent and dispose cost next to nothing.</summary>
    [Benchmark(OperationsPerInvoke = Segments)]
    public Task Floor() => MoveAsync(_floor);

    /// <inheritdoc/>
    protected override void Setup()
    {
        _arrayPoolShared = CreatePipe(new ArrayPoolMemoryPool(ArrayPool<byte>.Shared));
        _memoryPoolShared = CreatePipe(MemoryPool<byte>.Shared);
        _kestrel = CreatePipe(KestrelBlocks);
        _kestrelBare = CreatePipe(KestrelBareBlocks);
        _orthotopeMemory = CreatePipe(OrthotopeBlocks);
        _orthotopeArray = CreatePipe(new ArrayPoolMemoryPool(OrthotopeArrays));
        _floor = CreatePipe(new HandoffFloorMemoryPool());
    }

    private static Pipe CreatePipe(MemoryPool<byte> pool) => new(new PipeOptions(
        pool: pool,
        pauseWriterThreshold: 1 << 20,
        resumeWriterThreshold: 512 << 10,
        minimumSegmentSize: SegmentSize,
        useSynchronizationContext: false));

    private static async Task MoveAsync(Pipe pipe)
    {
        Task reading = ReadAllAsync(pipe.Reader);
        PipeWriter writer = pipe.Writer;
        for (int i = 0; i < Segments; i++)
        {
            writer.GetSpan(SegmentSize)[..SegmentSize].Fill((byte)i);
            writer.Advance(SegmentSize);
            await writer.FlushAsync().ConfigureAwait(false);
        }

        await writer.CompleteAsync().ConfigureAwait(false);
        await reading.ConfigureAwait(false);
        pipe.Reset();
    }

    private static async Task ReadAllAsync(PipeReader reader)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync().ConfigureAwait(false);
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await reader.CompleteAsync().ConfigureAwait(false);
    }
}
