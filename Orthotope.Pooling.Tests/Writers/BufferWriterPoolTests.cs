using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.ObjectPool;

namespace Orthotope.Pooling.Tests.Writers;

/// <summary>The object pool of writers: what it keeps, what it drops, zero allocation in steady state, and many threads.</summary>
[TestFixtureSource(typeof(PoolConfigurations), nameof(PoolConfigurations.All))]
public sealed class BufferWriterPoolTests
{
    private readonly string _configuration;
    private OrthotopeMemoryPool _pool = null!;

    public BufferWriterPoolTests(string configuration)
    {
        _configuration = configuration;
    }

    [SetUp]
    public void SetUp() => _pool = new OrthotopeMemoryPool(PoolConfigurations.Create(_configuration));

    [TearDown]
    public void TearDown() => _pool.Dispose();

    [TestCase(0)]
    [TestCase(-1)]
    public void MaximumRetained_below_one_throws_naming_it(int maximumRetained) =>
        Assert.That(() => _pool.CreateBufferWriterPool(maximumRetained),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("maximumRetained"));

    [Test]
    public void Creating_a_writer_or_a_writer_pool_needs_a_pool()
    {
        Assert.That(() => ((OrthotopeMemoryPool)null!).CreateBufferWriter(), Throws.ArgumentNullException);
        Assert.That(() => ((OrthotopeMemoryPool)null!).CreateBufferWriterPool(), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("pool"));
    }

    [TestCase(1)]
    [TestCase(4)]
    [TestCase(OrthotopeBufferWriters.DefaultMaximumRetained)]
    public void The_object_pool_keeps_at_most_maximumRetained_writers_and_every_returned_writer_gives_its_blocks_back(int maximumRetained)
    {
        ObjectPool<OrthotopeBufferWriter> writers = _pool.CreateBufferWriterPool(maximumRetained);
        int count = maximumRetained + 5;
        var first = new List<OrthotopeBufferWriter>();
        for (int i = 0; i < count; i++)
        {
            OrthotopeBufferWriter writer = writers.Get();
            writer.GetSpan(10_000).Fill(1);
            writer.Advance(10_000);
            first.Add(writer);
        }

        Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.GreaterThanOrEqualTo(count));
        foreach (OrthotopeBufferWriter writer in first)
        {
            writers.Return(writer);
        }

        Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.Zero, "kept or dropped, a returned writer has reset");

        var firstSet = new HashSet<OrthotopeBufferWriter>(first, ReferenceEqualityComparer.Instance);
        var second = Enumerable.Range(0, count).Select(_ => writers.Get()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(second.Count(firstSet.Contains), Is.EqualTo(maximumRetained));
            Assert.That(second.All(w => w.WrittenCount == 0), Is.True, "every writer handed out is empty");
        });
    }

    [Test]
    public void A_disposed_writer_returned_to_the_object_pool_is_dropped()
    {
        ObjectPool<OrthotopeBufferWriter> writers = _pool.CreateBufferWriterPool();
        OrthotopeBufferWriter writer = writers.Get();
        writer.GetSpan(100);
        writer.Advance(100);
        writer.Dispose();
        writers.Return(writer);

        OrthotopeBufferWriter next = writers.Get();
        Assert.Multiple(() =>
        {
            Assert.That(next, Is.Not.SameAs(writer));
            Assert.That(next.WrittenCount, Is.Zero);
            Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.Zero);
        });
    }

    /// <summary>
    /// The steady state: get a writer, serialize a ~10 KiB JSON document with a reused
    /// <see cref="Utf8JsonWriter"/>, write it to a stream, return the writer: 0 bytes allocated per iteration.
    /// </summary>
    [Test]
    public void Serializing_json_into_a_pooled_writer_and_writing_it_to_a_stream_allocates_nothing_in_steady_state()
    {
        ObjectPool<OrthotopeBufferWriter> writers = _pool.CreateBufferWriterPool();
        using var json = new Utf8JsonWriter(Stream.Null);
        using var stream = new MemoryStream(64 << 10);
        string[] names = Enumerable.Range(0, 137).Select(i => $"item-{i:D4}-of-the-catalogue").ToArray();

        void SerializeAndSend()
        {
            OrthotopeBufferWriter writer = writers.Get();
            json.Reset(writer);
            WriteDocument(json, names);
            json.Flush();
            stream.SetLength(0);
            ValueTask sent = writer.WriteToAsync(stream);
            if (!sent.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("a MemoryStream write completes synchronously");
            }

            sent.GetAwaiter().GetResult();
            writers.Return(writer);
        }

        SerializeAndSend();
        Assert.That(stream.Length, Is.InRange(9_000, 12_000), "a ~10 KiB document");
        using (JsonDocument document = JsonDocument.Parse(stream.ToArray()))
        {
            Assert.That(document.RootElement.GetProperty("items").GetArrayLength(), Is.EqualTo(names.Length));
        }

        long allocated = Allocations.SteadyStateBytes(SerializeAndSend, iterations: 1_000);
        Assert.Multiple(() =>
        {
            Assert.That(allocated, Is.Zero);
            Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.Zero);
        });
    }

    /// <summary>
    /// Threads take writers from one object pool, write a pattern in random chunks (up to past the largest size
    /// class), check it through the sequence, and return the writer; a block shared by two writers, or a writer handed
    /// to two threads, breaks a pattern. Every block is back at the end.
    /// </summary>
    [Test]
    public void Threads_sharing_the_object_pool_never_share_a_writer_or_a_block()
    {
        ObjectPool<OrthotopeBufferWriter> writers = _pool.CreateBufferWriterPool(maximumRetained: 4);
        int threads = Math.Max(4, 2 * Environment.ProcessorCount);
        const int DocumentsPerThread = 200;
        int maxDocument = _pool.Options.LargestSizeClass + (64 << 10);
        long nextTicket = 0, failures = 0, bytes = 0;

        Task[] workers = Enumerable.Range(0, threads).Select(seed => Task.Factory.StartNew(() =>
        {
            var random = new Random(seed);
            for (int i = 0; i < DocumentsPerThread; i++)
            {
                long ticket = Interlocked.Increment(ref nextTicket);
                int length = (int)Math.Exp(random.NextDouble() * Math.Log(maxDocument));
                OrthotopeBufferWriter writer = writers.Get();
                int written = 0;
                while (written < length)
                {
                    Span<byte> span = writer.GetSpan(random.Next(0, 3000));
                    int count = Math.Min(Math.Min(span.Length, random.Next(1, 20_000)), length - written);
                    for (int j = 0; j < count; j++)
                    {
                        span[j] = ByteAt(ticket, written + j);
                    }

                    writer.Advance(count);
                    written += count;
                }

                Thread.Yield();
                if (writer.WrittenCount != length || !Check(writer.WrittenSequence, ticket))
                {
                    Interlocked.Increment(ref failures);
                }

                Interlocked.Add(ref bytes, length);
                writers.Return(writer);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        Assert.That(Task.WaitAll(workers, TimeSpan.FromMinutes(2)), Is.True, "workers finished");
        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Zero);
            Assert.That(bytes, Is.GreaterThan(0));
            Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.Zero);
        });
    }

    private static void WriteDocument(Utf8JsonWriter json, string[] names)
    {
        json.WriteStartObject();
        json.WriteString("catalogue", "orthotope-test");
        json.WriteStartArray("items");
        for (int i = 0; i < names.Length; i++)
        {
            json.WriteStartObject();
            json.WriteNumber("id", i);
            json.WriteString("name", names[i]);
            json.WriteNumber("price", 1.25 * i);
            json.WriteBoolean("inStock", (i & 1) == 0);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static byte ByteAt(long ticket, long position) => (byte)((ticket * 131) + (position * 7) + (position >> 8));

    private static bool Check(ReadOnlySequence<byte> sequence, long ticket)
    {
        long position = 0;
        foreach (ReadOnlyMemory<byte> segment in sequence)
        {
            ReadOnlySpan<byte> span = segment.Span;
            for (int i = 0; i < span.Length; i++, position++)
            {
                if (span[i] != ByteAt(ticket, position))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
