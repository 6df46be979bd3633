using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Orthotope.Pooling.Tests.Writers;

/// <summary>
/// What <c>WriteToAsync</c> promises beyond the bytes: flushing a <c>PipeWriter</c> every 64 KiB and at the end,
/// stopping when the reader has completed, throwing on a cancelled flush, and streams that complete asynchronously.
/// </summary>
public sealed class BufferWriterOutputTests
{
    private OrthotopeMemoryPool _pool = null!;

    [SetUp]
    public void SetUp() => _pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "output" });

    [TearDown]
    public void TearDown() => _pool.Dispose();

    [Test]
    public async Task A_pipe_is_flushed_at_least_every_64_KiB_of_blocks_and_at_the_end()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        byte[] expected = Write(writer, 3 << 20);
        var pipe = new RecordingPipeWriter();

        await writer.WriteToAsync(pipe);

        Assert.Multiple(() =>
        {
            Assert.That(pipe.WrittenSpan.SequenceEqual(expected), Is.True);
            Assert.That(pipe.FlushedAt[^1], Is.EqualTo(expected.Length), "the last flush covers everything");
            Assert.That(pipe.Flushes, Is.GreaterThan(1));
        });

        // Between two flushes there is at most 64 KiB plus one block (the one that crossed the threshold).
        int previous = 0;
        foreach (int at in pipe.FlushedAt)
        {
            Assert.That(at - previous, Is.LessThanOrEqualTo((64 << 10) + _pool.Options.LargestSizeClass));
            previous = at;
        }
    }

    [Test]
    public async Task Copying_to_a_pipe_stops_once_its_reader_has_completed()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        Write(writer, 3 << 20);
        var pipe = new RecordingPipeWriter { CompleteReaderAfterFirstFlush = true };

        await writer.WriteToAsync(pipe);

        Assert.Multiple(() =>
        {
            Assert.That(pipe.Flushes, Is.EqualTo(1));
            Assert.That(pipe.WrittenSpan.Length, Is.LessThan(3 << 20));
        });
    }

    [Test]
    public void A_cancelled_flush_throws_OperationCanceledException()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        Write(writer, 1000);
        var pipe = new RecordingPipeWriter { CancelFlushes = true };

        Assert.That(async () => await writer.WriteToAsync(pipe), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void A_cancelled_token_cancels_the_copy_to_a_stream()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        Write(writer, 1000);
        using var stream = new MemoryStream();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.That(async () => await writer.WriteToAsync(stream, cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task A_stream_that_completes_asynchronously_gets_every_block_in_order()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        byte[] expected = Write(writer, 2 << 20);
        using var stream = new YieldingStream();

        await writer.WriteToAsync(stream);

        Assert.Multiple(() =>
        {
            Assert.That(stream.ToArray().AsSpan().SequenceEqual(expected), Is.True);
            Assert.That(stream.Writes, Is.GreaterThan(1), "one write per block");
        });
    }

    private static byte[] Write(OrthotopeBufferWriter writer, int count)
    {
        byte[] data = new byte[count];
        new Random(count).NextBytes(data);
        for (int written = 0; written < count;)
        {
            int chunk = Math.Min(3000, count - written);
            data.AsSpan(written, chunk).CopyTo(writer.GetSpan(chunk));
            writer.Advance(chunk);
            written += chunk;
        }

        return data;
    }

    /// <summary>A memory stream whose every write completes asynchronously, after a yield.</summary>
    private sealed class YieldingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            Writes++;
            Write(buffer.Span);
        }
    }
}
