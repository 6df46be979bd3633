using System;
using System.Buffers;
using System.Diagnostics;
using System.IO;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.ObjectPool;
using Orthotope.Pooling.Writers;

namespace Orthotope.Pooling;

/// <summary>
/// A growable <see cref="IBufferWriter{T}"/> of bytes on an <see cref="OrthotopeMemoryPool"/>'s blocks: what is
/// written goes into a chain of blocks rented as writing goes, never copied when it grows, and is read back as a
/// <see cref="ReadOnlySequence{T}"/> over those blocks or sent to a <see cref="Stream"/> or a <see cref="PipeWriter"/>.
/// </summary>
/// <remarks>
/// <para>
/// Not thread-safe: a writer is used by one thread at a time, like every <see cref="IBufferWriter{T}"/>. The object
/// pool from <see cref="OrthotopeBufferWriters.CreateBufferWriterPool"/> is thread-safe, so each thread (or request)
/// gets its own writer from it and gives it back when done.
/// </para>
/// <para>
/// Ownership: the writer owns the blocks it rents. They stay rented until <see cref="TryReset"/> or
/// <see cref="Dispose"/> returns every one of them; after that, memory from <see cref="GetMemory"/> or
/// <see cref="GetSpan"/> and every <see cref="WrittenSequence"/> taken before must not be used, because the blocks may
/// already belong to another renter. A writer dropped without being reset or disposed leaves its blocks counted as
/// outstanding by the pool until the garbage collector takes them (the writer has no finalizer).
/// </para>
/// <para>
/// Block sizes: the first block is <see cref="MinimumBlockSize"/> (4 KiB); each later block is as large as everything
/// written so far, so the total doubles with every block and a document of <c>n</c> bytes takes about
/// <c>log2(n / 4 KiB) + 1</c> blocks; no block is larger than the pool's
/// <see cref="OrthotopePoolOptions.LargestSizeClass"/> (1 MiB by default), so long documents continue in blocks of
/// that size. A <c>sizeHint</c> larger than the policy's size is honoured with a block of at least that size, which
/// takes the pool's large path only when the hint is above the largest size class. The pool rounds every block up
/// to its size class and the writer uses all of it. When a request does not fit in the rest of the current block,
/// that rest is left unused (at most the hint) and a new block starts; a block nothing was written to is swapped
/// for a larger one instead of leaving an empty segment behind.
/// </para>
/// <para>
/// Steady state allocates nothing: the segment objects and the array that holds them are kept by
/// <see cref="TryReset"/> and reused, up to 64 segments (a writer that once held more keeps 64).
/// </para>
/// </remarks>
public sealed class OrthotopeBufferWriter : IBufferWriter<byte>, IResettable, IDisposable
{
    /// <summary>The size of a writer's first block: 4 KiB, an exact size class and the size Pipelines and Kestrel use.</summary>
    public const int MinimumBlockSize = 4096;

    /// <summary>The most segment objects a reset keeps for reuse.</summary>
    private const int MaxRetainedSegments = 64;

    private const int InitialSegmentCapacity = 8;

    /// <summary>Unflushed bytes after which <see cref="WriteToAsync(PipeWriter, CancellationToken)"/> flushes: the Pipe's default pause threshold.</summary>
    private const int PipeFlushThreshold = 64 * 1024;

    private readonly OrthotopeMemoryPool _pool;

    /// <summary>The largest block the size policy asks for: the pool's largest size class.</summary>
    private readonly int _maximumBlockSize;

    /// <summary>The segments: <c>[0, _segmentCount)</c> hold blocks, in order; the ones after are spare, kept for reuse.</summary>
    private WriterSegment[] _segments;

    private int _segmentCount;

    /// <summary>
    /// The whole block of the last segment in use (default when there is none), cached here because the fast paths
    /// slice it on every call.
    /// </summary>
    private Memory<byte> _tail;

    /// <summary>Bytes written into <see cref="_tail"/>; at most its length.</summary>
    private int _tailWritten;

    /// <summary>Bytes written into the segments before the tail.</summary>
    private long _committed;

    private bool _disposed;

    /// <summary>Creates a writer that rents its blocks from <paramref name="pool"/>.</summary>
    /// <remarks><see cref="OrthotopeBufferWriters.CreateBufferWriter"/> does the same.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="pool"/> is null.</exception>
    public OrthotopeBufferWriter(OrthotopeMemoryPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _pool = pool;
        _maximumBlockSize = pool.Options.LargestSizeClass;
        _segments = new WriterSegment[InitialSegmentCapacity];
    }

    /// <summary>The bytes written since the writer was created or last reset.</summary>
    /// <exception cref="ObjectDisposedException">The writer has been disposed.</exception>
    public long WrittenCount
    {
        get
        {
            ThrowIfDisposed();
            return _committed + _tailWritten;
        }
    }

    /// <summary>
    /// What has been written, as a sequence over the writer's blocks (no copy). It stays valid while the writer writes
    /// on (it covers what was written when it was taken) and until <see cref="TryReset"/> or <see cref="Dispose"/>.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The writer has been disposed.</exception>
    public ReadOnlySequence<byte> WrittenSequence
    {
        get
        {
            ThrowIfDisposed();
            if (_committed + _tailWritten == 0)
            {
                return ReadOnlySequence<byte>.Empty;
            }

            int last = _segmentCount - 1;
            WriterSegment end = _segments[last];
            end.SetWritten(_tailWritten);
            if (_tailWritten == 0)
            {
                // The tail was taken but not written to yet: end the sequence on the segment before it.
                end = _segments[--last];
            }

            return new ReadOnlySequence<byte>(_segments[0], 0, end, end.Memory.Length);
        }
    }

    /// <summary>
    /// Returns memory to write to, at least <paramref name="sizeHint"/> bytes long (at least one byte when it is 0).
    /// Call <see cref="Advance"/> with the number of bytes written before asking again.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sizeHint"/> is negative or above the pool's <see cref="OrthotopeMemoryPool.MaxBufferSize"/>.</exception>
    /// <exception cref="ObjectDisposedException">The writer has been disposed.</exception>
    /// <exception cref="OrthotopePoolExhaustedException">A new block would pass the pool's <see cref="OrthotopePoolOptions.MaxReservedBytes"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        int free = _tail.Length - _tailWritten;
        if (free == 0 || (uint)sizeHint > (uint)free)
        {
            Grow(sizeHint);
        }

        return _tail[_tailWritten..];
    }

    /// <summary>
    /// Returns a span to write to, at least <paramref name="sizeHint"/> bytes long (at least one byte when it is 0).
    /// Call <see cref="Advance"/> with the number of bytes written before asking again.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sizeHint"/> is negative or above the pool's <see cref="OrthotopeMemoryPool.MaxBufferSize"/>.</exception>
    /// <exception cref="ObjectDisposedException">The writer has been disposed.</exception>
    /// <exception cref="OrthotopePoolExhaustedException">A new block would pass the pool's <see cref="OrthotopePoolOptions.MaxReservedBytes"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        int free = _tail.Length - _tailWritten;
        if (free == 0 || (uint)sizeHint > (uint)free)
        {
            Grow(sizeHint);
        }

        return _tail.Span[_tailWritten..];
    }

    /// <summary>Records that <paramref name="count"/> bytes were written to the memory last returned by <see cref="GetMemory"/> or <see cref="GetSpan"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="count"/> is more than that memory's length.</exception>
    /// <exception cref="ObjectDisposedException">The writer has been disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Advance(int count)
    {
        if ((uint)count > (uint)(_tail.Length - _tailWritten) || _disposed)
        {
            ThrowAdvance(count);
        }

        _tailWritten += count;
    }

    /// <summary>Copies what has been written to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="WrittenCount"/>.</exception>
    /// <exception cref="ObjectDisposedException">The writer has been disposed.</exception>
    public void CopyTo(Span<byte> destination)
    {
        long written = WrittenCount;
        if (destination.Length < written)
        {
            ThrowHelper.ThrowDestinationTooShort(nameof(destination), destination.Length, written);
        }

        int last = _segmentCount - 1;
        for (int i = 0; i < last; i++)
        {
            ReadOnlySpan<byte> part = _segments[i].Memory.Span;
            part.CopyTo(destination);
            destination = destination[part.Length..];
        }

        if (last >= 0)
        {
            _tail.Span[.._tailWritten].CopyTo(destination);
        }
    }

    /// <summary>Copies what has been written into a new array.</summary>
    /// <exception cref="InvalidOperationException">More has been written than an array can hold (<see cref="Array.MaxLength"/>).</exception>
    /// <exception cref="ObjectDisposedException">The writer has been disposed.</exception>
    public byte[] ToArray()
    {
        long written = WrittenCount;
        if (written > Array.MaxLength)
        {
            ThrowHelper.ThrowTooLargeForArray(written);
        }

        if (written == 0)
        {
            return [];
        }

        byte[] array = GC.AllocateUninitializedArray<byte>((int)written);
        CopyTo(array);
        return array;
    }

    /// <summary>
    /// Writes what has been written to <paramref name="destination"/>, one <see cref="Stream.WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>
    /// per block. The writer must not be used until the returned task completes. Allocates nothing when the stream
    /// completes its writes synchronously (a <see cref="MemoryStream"/>, a buffered stream with room).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The writer has been disposed.</exception>
    public ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ThrowIfDisposed();
        return WriteToStreamAsync(destination, next: 0, cancellationToken);
    }

    /// <summary>
    /// Copies what has been written into <paramref name="destination"/> and flushes it: the way
    /// <see cref="PipeWriter.WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/> does, so the reader sees the bytes
    /// when the task completes. Long contents are flushed every 64 KiB, so a slow reader holds the copy back
    /// (Pipelines' back-pressure) instead of the pipe buffering all of it. The writer must not be used until the
    /// returned task completes.
    /// </summary>
    /// <remarks>
    /// If the pipe's reader has completed, the copy stops at the next flush (a pipe drops what it would deliver to a
    /// completed reader). A flush cancelled with <see cref="PipeWriter.CancelPendingFlush"/> throws
    /// <see cref="OperationCanceledException"/>, since the task has no <see cref="FlushResult"/> to report it in.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The writer has been disposed.</exception>
    public ValueTask WriteToAsync(PipeWriter destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ThrowIfDisposed();
        return WriteToPipeAsync(destination, next: 0, cancellationToken);
    }

    /// <summary>
    /// Returns every block to the pool and empties the writer, which stays usable; it keeps its segment objects so
    /// that writing again allocates nothing. Memory and sequences taken from the writer before must not be used
    /// after this.
    /// </summary>
    /// <returns>True, unless the writer has been disposed (then nothing is done and an object pool drops it).</returns>
    public bool TryReset()
    {
        if (_disposed)
        {
            return false;
        }

        ReleaseBlocks();
        if (_segments.Length > MaxRetainedSegments)
        {
            // Only after an outsized document: keep a bounded number of segments for the next one.
            Array.Resize(ref _segments, MaxRetainedSegments);
        }

        return true;
    }

    /// <summary>
    /// Returns every block to the pool. Later calls to any member but <see cref="Dispose"/> and
    /// <see cref="TryReset"/> (which returns false) throw <see cref="ObjectDisposedException"/>; disposing again
    /// does nothing.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ReleaseBlocks();
        _segments = [];
    }

    /// <inheritdoc/>
    public override string ToString() =>
        _disposed ? "OrthotopeBufferWriter (disposed)" : $"OrthotopeBufferWriter ({WrittenCount} bytes in {_segmentCount} blocks of '{_pool.Name}')";

    /// <summary>Starts a block that fits <paramref name="sizeHint"/>: the slow path of <see cref="GetMemory"/> and <see cref="GetSpan"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int sizeHint)
    {
        ThrowIfDisposed();
        if (sizeHint < 0 || sizeHint > _pool.MaxBufferSize)
        {
            ThrowHelper.ThrowSizeHintOutOfRange(nameof(sizeHint), sizeHint, _pool.MaxBufferSize);
        }

        long written = _committed + _tailWritten;
        int size = Math.Max((int)Math.Clamp(written, MinimumBlockSize, _maximumBlockSize), sizeHint);

        // The segment (and room for it) is found before the rent: an allocation that failed after it would lose the block.
        bool appends = _segmentCount == 0 || _tailWritten != 0;
        if (appends && _segmentCount == _segments.Length)
        {
            Array.Resize(ref _segments, _segments.Length * 2);
        }

        WriterSegment segment = appends ? (_segments[_segmentCount] ??= new WriterSegment()) : _segments[_segmentCount - 1];

        // Rent before changing anything else, so that a rent that throws (a pool at its cap) leaves the writer as it was.
        IMemoryOwner<byte> owner = _pool.Rent(size);
        Memory<byte> block = owner.Memory;
        Debug.Assert(block.Length >= Math.Max(sizeHint, 1));

        if (!appends)
        {
            // Nothing was written to the tail: put the new block in its place rather than leave an empty segment.
            long runningIndex = segment.RunningIndex;
            segment.Release();
            segment.Attach(owner, block, runningIndex);
            _tail = block;
            return;
        }

        if (_segmentCount > 0)
        {
            _segments[_segmentCount - 1].SetWritten(_tailWritten);
            _committed = written;
        }

        segment.Attach(owner, block, written);
        if (_segmentCount > 0)
        {
            _segments[_segmentCount - 1].SetNext(segment);
        }

        _segmentCount++;
        _tail = block;
        _tailWritten = 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowAdvance(int count)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ThrowHelper.ThrowAdvancedTooFar(count, _tail.Length - _tailWritten);
    }

    private void ReleaseBlocks()
    {
        int count = _segmentCount;
        _segmentCount = 0;
        _tail = default;
        _tailWritten = 0;
        _committed = 0;
        for (int i = 0; i < count; i++)
        {
            _segments[i].Release();
        }
    }

    /// <summary>The written part of segment <paramref name="index"/>.</summary>
    private ReadOnlyMemory<byte> GetWritten(int index) =>
        index == _segmentCount - 1 ? _tail[.._tailWritten] : _segments[index].Memory;

    // The writes below run synchronously as long as the destination completes synchronously, and go async only at
    // the first write or flush that does not: an async method would allocate its state machine on every call in a
    // Debug build, and the steady state of a pooled writer is meant to allocate nothing in any build.

    private ValueTask WriteToStreamAsync(Stream destination, int next, CancellationToken cancellationToken)
    {
        for (int i = next; i < _segmentCount; i++)
        {
            ReadOnlyMemory<byte> part = GetWritten(i);
            if (part.IsEmpty)
            {
                continue;
            }

            ValueTask write = destination.WriteAsync(part, cancellationToken);
            if (!write.IsCompletedSuccessfully)
            {
                return AwaitWriteAsync(write, destination, i + 1, cancellationToken);
            }

            write.GetAwaiter().GetResult();
        }

        return default;
    }

    private async ValueTask AwaitWriteAsync(ValueTask write, Stream destination, int next, CancellationToken cancellationToken)
    {
        await write.ConfigureAwait(false);
        await WriteToStreamAsync(destination, next, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask WriteToPipeAsync(PipeWriter destination, int next, CancellationToken cancellationToken)
    {
        long unflushed = 0;
        for (int i = next; i < _segmentCount; i++)
        {
            ReadOnlyMemory<byte> part = GetWritten(i);
            destination.Write(part.Span);
            unflushed += part.Length;
            if (unflushed >= PipeFlushThreshold || i == _segmentCount - 1)
            {
                unflushed = 0;
                ValueTask<FlushResult> flush = destination.FlushAsync(cancellationToken);
                if (!flush.IsCompletedSuccessfully)
                {
                    return AwaitFlushAsync(flush, destination, i + 1, cancellationToken);
                }

                if (!ShouldContinue(flush.Result))
                {
                    break;
                }
            }
        }

        return default;
    }

    private async ValueTask AwaitFlushAsync(ValueTask<FlushResult> flush, PipeWriter destination, int next, CancellationToken cancellationToken)
    {
        if (ShouldContinue(await flush.ConfigureAwait(false)))
        {
            await WriteToPipeAsync(destination, next, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether copying goes on after a flush: not once the reader has completed; a cancelled flush throws.</summary>
    private static bool ShouldContinue(FlushResult result)
    {
        if (result.IsCanceled)
        {
            ThrowHelper.ThrowFlushCanceled();
        }

        return !result.IsCompleted;
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(OrthotopeBufferWriter));
        }
    }
}
