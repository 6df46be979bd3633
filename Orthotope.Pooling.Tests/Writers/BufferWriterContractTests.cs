using System;
using System.Buffers;
using System.IO;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace Orthotope.Pooling.Tests.Writers;

/// <summary>
/// The <see cref="IBufferWriter{T}"/> contract, case by case as dotnet/runtime tests <see cref="ArrayBufferWriter{T}"/>
/// (constructor, Advance, AdvanceZero, InvalidAdvance, GetSpan/GetMemory with size hints, GetMemoryAndSpan,
/// GetSpanOnlyGrowsAboveThreshold, InvalidGetMemoryAndSpan, MultipleCallsToGetSpan, Clear, WriteAndCopyToStream),
/// plus what a pooled writer adds: blocks accounted for, Dispose, and the block-size policy.
/// </summary>
[TestFixtureSource(typeof(PoolConfigurations), nameof(PoolConfigurations.All))]
public sealed class BufferWriterContractTests
{
    private readonly string _configuration;
    private OrthotopeMemoryPool _pool = null!;

    public BufferWriterContractTests(string configuration)
    {
        _configuration = configuration;
    }

    [SetUp]
    public void SetUp() => _pool = new OrthotopeMemoryPool(PoolConfigurations.Create(_configuration));

    [TearDown]
    public void TearDown() => _pool.Dispose();

    [Test]
    public void A_new_writer_is_empty_and_holds_no_block()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        Assert.Multiple(() =>
        {
            Assert.That(writer.WrittenCount, Is.Zero);
            Assert.That(writer.WrittenSequence.IsEmpty, Is.True);
            Assert.That(writer.ToArray(), Is.Empty);
            Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.Zero);
        });
    }

    [Test]
    public void A_writer_needs_a_pool() =>
        Assert.That(() => new OrthotopeBufferWriter(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("pool"));

    [Test]
    public void Advancing_by_the_whole_memory_writes_it_all_and_the_next_GetSpan_starts_a_new_block()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        Memory<byte> memory = writer.GetMemory();
        writer.Advance(memory.Length);
        Assert.That(writer.WrittenCount, Is.EqualTo(memory.Length));

        Span<byte> next = writer.GetSpan();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(next.Length, Is.GreaterThan(0));
            Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.EqualTo(2));
        }
    }

    [Test]
    public void Advance_past_the_last_memory_throws_InvalidOperationException_and_changes_nothing()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        Span<byte> span = writer.GetSpan(20);
        WriteData(writer, 10, seed: 1);
        ReadOnlySequence<byte> before = writer.WrittenSequence;
        int free = writer.GetSpan().Length;

        Assert.That(() => writer.Advance(free + 1), Throws.InvalidOperationException);
        Assert.That(writer.WrittenCount, Is.EqualTo(10));

        writer.Advance(10);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(writer.WrittenCount, Is.EqualTo(20));
            Assert.That(before.Length, Is.EqualTo(10), "a sequence taken before covers what was written then");
            Assert.That(writer.WrittenSequence.Slice(0, 10).ToArray(), Is.EqualTo(before.ToArray()));
            Assert.That(span.Length, Is.GreaterThanOrEqualTo(20));
        }
    }

    [Test]
    public void Advance_zero_changes_nothing()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        WriteData(writer, 2, seed: 2);
        byte[] before = writer.ToArray();
        writer.Advance(0);
        Assert.Multiple(() =>
        {
            Assert.That(writer.WrittenCount, Is.EqualTo(2));
            Assert.That(writer.ToArray(), Is.EqualTo(before));
        });
    }

    [Test]
    public void Advance_zero_before_any_GetMemory_is_allowed()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        writer.Advance(0);
        Assert.That(writer.WrittenCount, Is.Zero);
    }

    [Test]
    public void A_negative_advance_throws_ArgumentOutOfRangeException_naming_count()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        Assert.That(() => writer.Advance(-1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("count"));
        writer.GetSpan();
        Assert.That(() => writer.Advance(int.MinValue), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("count"));
    }

    [Test]
    public void Advance_with_no_memory_taken_or_past_the_free_space_throws_InvalidOperationException()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        Assert.That(() => writer.Advance(1), Throws.InvalidOperationException);

        WriteData(writer, 100, seed: 3);
        int free = writer.GetMemory().Length;
        Assert.Multiple(() =>
        {
            Assert.That(() => writer.Advance(free + 1), Throws.InvalidOperationException);
            Assert.That(() => writer.Advance(int.MaxValue), Throws.InvalidOperationException);
            Assert.That(writer.WrittenCount, Is.EqualTo(100));
        });
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(99)]
    [TestCase(100)]
    [TestCase(101)]
    [TestCase(255)]
    [TestCase(256)]
    [TestCase(257)]
    [TestCase(1000)]
    [TestCase(4096)]
    [TestCase(4097)]
    [TestCase(65_537)]
    [TestCase(1 << 20)]
    [TestCase((1 << 20) + 1)]
    [TestCase(3_000_000)]
    public void GetSpan_and_GetMemory_give_at_least_the_hint_and_at_least_one_byte(int sizeHint)
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        Assert.That(writer.GetSpan(sizeHint).Length, Is.GreaterThanOrEqualTo(Math.Max(1, sizeHint)));
        WriteData(writer, 7, seed: 4);
        Assert.That(writer.GetMemory(sizeHint).Length, Is.GreaterThanOrEqualTo(Math.Max(1, sizeHint)));
        Assert.That(writer.WrittenCount, Is.EqualTo(7));
    }

    [Test]
    public void GetSpan_and_GetMemory_without_advancing_give_the_same_memory()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        WriteData(writer, 2, seed: 5);
        Span<byte> span = writer.GetSpan();
        Memory<byte> memory = writer.GetMemory();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(span.Length, Is.GreaterThan(0));
            Assert.That(memory.Length, Is.EqualTo(span.Length));
            Assert.That(Unsafe.AreSame(ref MemoryMarshal.GetReference(span), ref MemoryMarshal.GetReference(memory.Span)), Is.True);
        }

        Span<byte> larger = writer.GetSpan(span.Length + 1);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(larger.Length, Is.GreaterThan(span.Length));
            Assert.That(writer.GetMemory().Length, Is.EqualTo(larger.Length));
            Assert.That(writer.WrittenCount, Is.EqualTo(2), "what was written stays written");
        }
    }

    [Test]
    public void Asking_again_for_no_more_than_is_free_does_not_grow()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        int free = writer.GetSpan().Length;
        for (int i = 0; i < 10; i++)
        {
            Assert.That(writer.GetSpan().Length, Is.EqualTo(free));
            Assert.That(writer.GetSpan(free).Length, Is.EqualTo(free));
        }

        Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.EqualTo(1));
    }

    [Test]
    public void Repeated_GetSpan_calls_return_the_same_address()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        Span<byte> first = writer.GetSpan(300);
        Span<byte> second = writer.GetSpan();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Length, Is.GreaterThanOrEqualTo(300));
            Assert.That(second.Length, Is.EqualTo(first.Length));
            Assert.That(Unsafe.AreSame(ref MemoryMarshal.GetReference(first), ref MemoryMarshal.GetReference(second)), Is.True);
        }
    }

    [TestCase(-1)]
    [TestCase(int.MinValue)]
    public void A_negative_size_hint_throws_ArgumentOutOfRangeException_naming_sizeHint(int sizeHint)
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        WriteData(writer, 2, seed: 6);
        Assert.Multiple(() =>
        {
            Assert.That(() => writer.GetSpan(sizeHint), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("sizeHint"));
            Assert.That(() => writer.GetMemory(sizeHint), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("sizeHint"));
            Assert.That(writer.WrittenCount, Is.EqualTo(2));
        });
    }

    [Test]
    public void A_size_hint_above_the_pools_MaxBufferSize_throws_naming_sizeHint()
    {
        OrthotopePoolOptions options = PoolConfigurations.Create(_configuration);
        options.MaxBufferSize = options.LargestSizeClass * 2;
        using var pool = new OrthotopeMemoryPool(options);
        using OrthotopeBufferWriter writer = pool.CreateBufferWriter();
        Assert.That(() => writer.GetMemory(pool.MaxBufferSize + 1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("sizeHint"));
        Assert.That(writer.GetMemory(pool.MaxBufferSize).Length, Is.GreaterThanOrEqualTo(pool.MaxBufferSize));
    }

    [Test]
    public void TryReset_returns_every_block_empties_the_writer_and_keeps_it_usable()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        WriteInChunks(writer, 300_000, seed: 7);
        Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.GreaterThan(1));

        Assert.That(writer.TryReset(), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.Zero);
            Assert.That(writer.WrittenCount, Is.Zero);
            Assert.That(writer.WrittenSequence.IsEmpty, Is.True);
        });

        byte[] expected = WriteData(writer, 5000, seed: 8);
        Assert.That(writer.ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void Dispose_returns_every_block_and_later_use_throws_ObjectDisposedException()
    {
        OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        WriteInChunks(writer, 100_000, seed: 9);
        writer.GetSpan(10);
        writer.Dispose();
        writer.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.Zero);
            Assert.That(() => writer.GetSpan(), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => writer.GetMemory(), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => writer.Advance(0), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => writer.Advance(1), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => writer.WrittenCount, Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => writer.WrittenSequence, Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => writer.ToArray(), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => writer.CopyTo(new byte[10]), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(async () => await writer.WriteToAsync(Stream.Null), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(async () => await writer.WriteToAsync(new Pipe().Writer), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(writer.TryReset(), Is.False);
        });
    }

    [Test]
    public void CopyTo_a_destination_shorter_than_what_was_written_throws_naming_destination()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        byte[] expected = WriteData(writer, 10_000, seed: 10);
        Assert.That(() => writer.CopyTo(new byte[9_999]), Throws.ArgumentException.With.Property("ParamName").EqualTo("destination"));

        byte[] destination = new byte[10_001];
        writer.CopyTo(destination);
        Assert.That(destination.AsSpan(0, 10_000).SequenceEqual(expected), Is.True);
    }

    [Test]
    public void WriteToAsync_needs_a_destination()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        Assert.That(() => writer.WriteToAsync((Stream)null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("destination"));
        Assert.That(() => writer.WriteToAsync((PipeWriter)null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("destination"));
    }

    [Test]
    public async Task What_was_written_copies_to_a_stream()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        byte[] expected = WriteData(writer, 100, seed: 11);
        using var stream = new MemoryStream();
        await writer.WriteToAsync(stream);
        Assert.That(stream.ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void A_block_nothing_was_written_to_is_swapped_for_a_larger_one_not_left_empty()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        writer.GetMemory(10);
        Memory<byte> memory = writer.GetMemory(50_000);
        memory.Span[..3].Fill(7);
        writer.Advance(3);
        Assert.Multiple(() =>
        {
            Assert.That(writer.WrittenSequence.IsSingleSegment, Is.True);
            Assert.That(writer.WrittenSequence.ToArray(), Is.EqualTo(new byte[] { 7, 7, 7 }));
            Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.EqualTo(1));
        });
    }

    [Test]
    public void A_tail_taken_but_not_written_is_left_out_of_the_sequence()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        byte[] expected = WriteInChunks(writer, 20_000, seed: 12);
        writer.GetSpan(writer.GetSpan().Length + 1);
        ReadOnlySequence<byte> sequence = writer.WrittenSequence;
        int segments = 0;
        foreach (ReadOnlyMemory<byte> segment in sequence)
        {
            Assert.That(segment.IsEmpty, Is.False);
            segments++;
        }

        Assert.Multiple(() =>
        {
            Assert.That(segments, Is.GreaterThan(1));
            Assert.That(sequence.ToArray(), Is.EqualTo(expected));
        });
    }

    [Test]
    public void Blocks_start_at_4_KiB_and_grow_with_what_was_written_up_to_the_largest_size_class()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        int largest = _pool.Options.LargestSizeClass;
        long total = 0;
        var lengths = new System.Collections.Generic.List<int>();
        while (total < 3L * largest)
        {
            // One byte asked for each time, the whole memory written: each block is filled exactly.
            int length = writer.GetMemory(1).Length;
            lengths.Add(length);
            writer.Advance(length);
            total += length;
        }

        Assert.That(lengths[0], Is.EqualTo(OrthotopeBufferWriter.MinimumBlockSize));
        long before = 0;
        foreach (int length in lengths)
        {
            // Each block is the policy's size, written-so-far clamped to [4 KiB, largest class], rounded up to its class.
            long asked = Math.Clamp(before, OrthotopeBufferWriter.MinimumBlockSize, largest);
            Assert.That(length, Is.InRange(asked, asked + (asked / 4)), $"block after {before} bytes");
            before += length;
        }

        int expectedBlocks = (int)Math.Log2(largest / OrthotopeBufferWriter.MinimumBlockSize) + 1 + 2;
        Assert.That(lengths, Has.Count.InRange(expectedBlocks - 1, expectedBlocks + 1), "log2(n / 4 KiB) + 1 blocks to the largest class, then one per largest class");
    }

    [Test]
    public void A_hint_above_the_largest_size_class_takes_the_large_path_and_comes_back()
    {
        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        int hint = _pool.Options.LargestSizeClass + 1;
        Memory<byte> memory = writer.GetMemory(hint);
        memory.Span.Fill(1);
        writer.Advance(hint);
        Assert.Multiple(() =>
        {
            Assert.That(_pool.GetStatistics().LargeOutstandingBlocks, Is.EqualTo(1));
            Assert.That(writer.WrittenCount, Is.EqualTo(hint));
        });

        writer.TryReset();
        Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.Zero);
    }

    [Test]
    public void A_rent_refused_at_the_pools_cap_leaves_the_writer_as_it_was()
    {
        OrthotopePoolOptions options = PoolConfigurations.Create(_configuration);
        options.MaxReservedBytes = 4L << 20;
        options.MaxBufferSize = 64 << 20;
        using var pool = new OrthotopeMemoryPool(options);
        using OrthotopeBufferWriter writer = pool.CreateBufferWriter();
        byte[] expected = WriteData(writer, 10_000, seed: 13);

        Assert.That(() => writer.GetSpan(8 << 20), Throws.TypeOf<OrthotopePoolExhaustedException>());
        Assert.Multiple(() =>
        {
            Assert.That(writer.WrittenCount, Is.EqualTo(10_000));
            Assert.That(writer.ToArray(), Is.EqualTo(expected));
        });

        byte[] more = WriteData(writer, 1000, seed: 14);
        Assert.That(writer.WrittenSequence.Slice(10_000).ToArray(), Is.EqualTo(more));
        writer.TryReset();
        Assert.That(pool.GetStatistics().OutstandingBlocks, Is.Zero);
    }

    /// <summary>Writes <paramref name="count"/> random bytes through GetSpan(count)/Advance, as dotnet/runtime's tests do.</summary>
    private static byte[] WriteData(OrthotopeBufferWriter writer, int count, int seed)
    {
        byte[] data = new byte[count];
        new Random(seed).NextBytes(data);
        Span<byte> span = writer.GetSpan(count);
        Assert.That(span.Length, Is.GreaterThanOrEqualTo(count));
        data.CopyTo(span);
        writer.Advance(count);
        return data;
    }

    /// <summary>Writes <paramref name="count"/> random bytes in 1,000-byte chunks, so that they span several blocks.</summary>
    private static byte[] WriteInChunks(OrthotopeBufferWriter writer, int count, int seed)
    {
        byte[] data = new byte[count];
        new Random(seed).NextBytes(data);
        for (int written = 0; written < count;)
        {
            int chunk = Math.Min(1000, count - written);
            data.AsSpan(written, chunk).CopyTo(writer.GetSpan(chunk));
            writer.Advance(chunk);
            written += chunk;
        }

        return data;
    }
}
