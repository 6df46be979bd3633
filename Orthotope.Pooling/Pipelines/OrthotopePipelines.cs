using System;
using System.Buffers;
using System.IO;
using System.IO.Pipelines;

namespace Orthotope.Pooling;

/// <summary>
/// Plugs an <see cref="OrthotopeMemoryPool"/> into System.IO.Pipelines: <see cref="PipeOptions"/>,
/// <see cref="StreamPipeReaderOptions"/> and <see cref="StreamPipeWriterOptions"/> that rent every segment from the
/// pool, with segment sizes that are whole size classes.
/// </summary>
/// <remarks>
/// <para>
/// A pipe rents <c>max(minimumSegmentSize, sizeHint)</c> from its pool for every segment as long as that is at most
/// the pool's <see cref="MemoryPool{T}.MaxBufferSize"/>, and falls back to <see cref="ArrayPool{T}.Shared"/> above
/// it. <see cref="OrthotopeMemoryPool.MaxBufferSize"/> is truthful (2 GiB less alignment by default), so every
/// segment comes from the pool.
/// </para>
/// <para>
/// The writer's thread rents and the reader's thread disposes (when it calls <c>AdvanceTo</c>), so pipes are the
/// pool's cross-thread case: the reader's thread cache fills and hands batches to the central pool, from which the
/// writer's thread cache is refilled. The methods here are stateless and thread-safe.
/// </para>
/// </remarks>
public static class OrthotopePipelines
{
    /// <summary>The default segment size: 4 KiB, an exact size class and the size Pipelines and Kestrel use.</summary>
    public const int DefaultSegmentSize = 4096;

    /// <summary>Creates <see cref="PipeOptions"/> whose pipe rents its segments from <paramref name="pool"/>.</summary>
    /// <param name="pool">The pool to rent from.</param>
    /// <param name="segmentSize">The smallest segment the pipe rents; default 4 KiB. Rounded up by the pool to a size class, all of which the pipe uses.</param>
    /// <param name="pauseWriterThreshold">Unconsumed bytes at which a flush waits; -1 for the Pipelines default (64 KiB), 0 for never.</param>
    /// <param name="resumeWriterThreshold">Unconsumed bytes below which a waiting flush resumes; -1 for the default (half the pause threshold).</param>
    /// <param name="readerScheduler">Where reader continuations run; null for the default (the thread pool).</param>
    /// <param name="writerScheduler">Where writer continuations run; null for the default (the thread pool).</param>
    /// <param name="useSynchronizationContext">Whether continuations capture the synchronization context.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pool"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="segmentSize"/> is not positive or exceeds the pool's maximum.</exception>
    public static PipeOptions CreatePipeOptions(
        this OrthotopeMemoryPool pool,
        int segmentSize = DefaultSegmentSize,
        long pauseWriterThreshold = -1,
        long resumeWriterThreshold = -1,
        PipeScheduler? readerScheduler = null,
        PipeScheduler? writerScheduler = null,
        bool useSynchronizationContext = true)
    {
        ArgumentNullException.ThrowIfNull(pool);
        CheckSegmentSize(pool, segmentSize, nameof(segmentSize));
        return new PipeOptions(
            pool, readerScheduler, writerScheduler, pauseWriterThreshold, resumeWriterThreshold, segmentSize,
            useSynchronizationContext);
    }

    /// <summary>Creates a <see cref="Pipe"/> whose segments come from <paramref name="pool"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="pool"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="segmentSize"/> is not positive or exceeds the pool's maximum.</exception>
    public static Pipe CreatePipe(this OrthotopeMemoryPool pool, int segmentSize = DefaultSegmentSize) =>
        new(pool.CreatePipeOptions(segmentSize));

    /// <summary>Creates <see cref="StreamPipeReaderOptions"/> whose reader rents its buffers from <paramref name="pool"/>.</summary>
    /// <param name="pool">The pool to rent from.</param>
    /// <param name="bufferSize">The buffer rented for each read from the stream; default 4 KiB.</param>
    /// <param name="minimumReadSize">The free space below which a new buffer is rented; -1 for the default (1 KiB, capped at the buffer size).</param>
    /// <param name="leaveOpen">Whether completing the reader leaves the stream open.</param>
    /// <param name="useZeroByteReads">Whether to wait for data with a zero-byte read before renting a buffer (saves memory on idle connections).</param>
    /// <exception cref="ArgumentNullException"><paramref name="pool"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bufferSize"/> is not positive or exceeds the pool's maximum.</exception>
    public static StreamPipeReaderOptions CreateStreamPipeReaderOptions(
        this OrthotopeMemoryPool pool,
        int bufferSize = DefaultSegmentSize,
        int minimumReadSize = -1,
        bool leaveOpen = false,
        bool useZeroByteReads = false)
    {
        ArgumentNullException.ThrowIfNull(pool);
        CheckSegmentSize(pool, bufferSize, nameof(bufferSize));
        return new StreamPipeReaderOptions(pool, bufferSize, minimumReadSize, leaveOpen, useZeroByteReads);
    }

    /// <summary>Creates <see cref="StreamPipeWriterOptions"/> whose writer rents its buffers from <paramref name="pool"/>.</summary>
    /// <param name="pool">The pool to rent from.</param>
    /// <param name="minimumBufferSize">The smallest buffer the writer rents; default 4 KiB.</param>
    /// <param name="leaveOpen">Whether completing the writer leaves the stream open.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pool"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minimumBufferSize"/> is not positive or exceeds the pool's maximum.</exception>
    public static StreamPipeWriterOptions CreateStreamPipeWriterOptions(
        this OrthotopeMemoryPool pool,
        int minimumBufferSize = DefaultSegmentSize,
        bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(pool);
        CheckSegmentSize(pool, minimumBufferSize, nameof(minimumBufferSize));
        return new StreamPipeWriterOptions(pool, minimumBufferSize, leaveOpen);
    }

    /// <summary>Creates a <see cref="PipeReader"/> over <paramref name="stream"/> that rents from <paramref name="pool"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="pool"/> or <paramref name="stream"/> is null.</exception>
    public static PipeReader CreatePipeReader(this OrthotopeMemoryPool pool, Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return PipeReader.Create(stream, pool.CreateStreamPipeReaderOptions(leaveOpen: leaveOpen));
    }

    /// <summary>Creates a <see cref="PipeWriter"/> over <paramref name="stream"/> that rents from <paramref name="pool"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="pool"/> or <paramref name="stream"/> is null.</exception>
    public static PipeWriter CreatePipeWriter(this OrthotopeMemoryPool pool, Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return PipeWriter.Create(stream, pool.CreateStreamPipeWriterOptions(leaveOpen: leaveOpen));
    }

    private static void CheckSegmentSize(OrthotopeMemoryPool pool, int size, string paramName)
    {
        if (size <= 0 || size > pool.MaxBufferSize)
        {
            throw new ArgumentOutOfRangeException(paramName, size, $"The size must be between 1 and the pool's MaxBufferSize ({pool.MaxBufferSize}).");
        }
    }
}
