using System;
using System.Buffers;
using System.IO;
using System.IO.Pipelines;
using System.Threading.Tasks;

namespace Orthotope.Pooling.Tests.Writers;

/// <summary>
/// Contents written in random chunks (0 B to 8 MiB, through GetSpan and GetMemory, with hints that are exact, zero
/// or larger than what is written) come back byte for byte through every way out of the writer, and every block
/// goes back to the pool.
/// </summary>
[TestFixtureSource(typeof(PoolConfigurations), nameof(PoolConfigurations.All))]
public sealed class BufferWriterRoundTripTests
{
    private const int MaxChunk = 8 << 20;
    private readonly string _configuration;
    private OrthotopeMemoryPool _pool = null!;

    public BufferWriterRoundTripTests(string configuration)
    {
        _configuration = configuration;
    }

    [SetUp]
    public void SetUp() => _pool = new OrthotopeMemoryPool(PoolConfigurations.Create(_configuration));

    [TearDown]
    public void TearDown() => _pool.Dispose();

    public static readonly int[] Totals = [0, 1, 4095, 4096, 4097, 100_000, (1 << 20) + 3, 8 << 20, (20 << 20) + 5];

    [TestCaseSource(nameof(Totals))]
    public async Task Random_chunks_round_trip_through_every_way_out(int total)
    {
        var random = new Random(total);
        byte[] expected = new byte[total];
        random.NextBytes(expected);
        long outstandingBefore = _pool.GetStatistics().OutstandingBlocks;

        using OrthotopeBufferWriter writer = _pool.CreateBufferWriter();
        Write(writer, expected, random);
        Assert.That(writer.WrittenCount, Is.EqualTo(total));

        ReadOnlySequence<byte> sequence = writer.WrittenSequence;
        Assert.That(sequence.Length, Is.EqualTo(total));
        Assert.That(SequenceEquals(sequence, expected), Is.True, "WrittenSequence");

        byte[] copy = new byte[total];
        writer.CopyTo(copy);
        Assert.That(copy.AsSpan().SequenceEqual(expected), Is.True, "CopyTo");
        Assert.That(writer.ToArray().AsSpan().SequenceEqual(expected), Is.True, "ToArray");

        using (var stream = new MemoryStream())
        {
            await writer.WriteToAsync(stream);
            Assert.That(stream.GetBuffer().AsSpan(0, (int)stream.Length).SequenceEqual(expected), Is.True, "WriteToAsync(Stream)");
        }

        byte[] piped = await SendThroughPipeAsync(writer, total);
        Assert.That(piped.AsSpan().SequenceEqual(expected), Is.True, "WriteToAsync(PipeWriter)");

        Assert.That(writer.TryReset(), Is.True);
        Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.EqualTo(outstandingBefore), "TryReset returns every block");

        // The writer is usable again, and a second round returns its blocks too.
        Write(writer, expected.AsSpan(0, Math.Min(total, 70_000)).ToArray(), random);
        Assert.That(writer.WrittenSequence.ToArray().AsSpan().SequenceEqual(expected.AsSpan(0, Math.Min(total, 70_000))), Is.True);
        writer.Dispose();
        Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.EqualTo(outstandingBefore), "Dispose returns every block");
    }

    /// <summary>
    /// A pipe on the same pool with a small pause threshold: the copy has to wait for the reader (back-pressure), and
    /// the reader's segments are the pool's too, so both sides' blocks are accounted for at the end.
    /// </summary>
    private async Task<byte[]> SendThroughPipeAsync(OrthotopeBufferWriter writer, int total)
    {
        var pipe = new Pipe(_pool.CreatePipeOptions(pauseWriterThreshold: 256 << 10, resumeWriterThreshold: 128 << 10));
        Task<byte[]> reader = Task.Run(async () =>
        {
            byte[] received = new byte[total];
            int read = 0;
            while (true)
            {
                ReadResult result = await pipe.Reader.ReadAsync();
                foreach (ReadOnlyMemory<byte> segment in result.Buffer)
                {
                    segment.Span.CopyTo(received.AsSpan(read));
                    read += segment.Length;
                }

                pipe.Reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            await pipe.Reader.CompleteAsync();
            Assert.That(read, Is.EqualTo(total));
            return received;
        });

        await writer.WriteToAsync(pipe.Writer);
        await pipe.Writer.CompleteAsync();
        return await reader;
    }

    /// <summary>Writes <paramref name="data"/> in random chunks, each through GetSpan or GetMemory with a random kind of hint.</summary>
    private static void Write(OrthotopeBufferWriter writer, byte[] data, Random random)
    {
        int written = 0;
        while (written < data.Length)
        {
            // Log-uniform chunk sizes from 0 bytes to 8 MiB, so small and huge chunks both occur.
            int chunk = Math.Min((int)Math.Exp(random.NextDouble() * Math.Log(MaxChunk + 1)) - 1, data.Length - written);
            int hint = random.Next(3) switch
            {
                0 => chunk,
                1 => 0,
                _ => chunk + random.Next(1, 10_000),
            };

            Span<byte> span = random.Next(2) == 0 ? writer.GetSpan(hint) : writer.GetMemory(hint).Span;
            Assert.That(span.Length, Is.GreaterThanOrEqualTo(Math.Max(1, hint)));

            // A zero hint promises only one byte: write what fits and carry on.
            int count = Math.Min(chunk, span.Length);
            data.AsSpan(written, count).CopyTo(span);
            writer.Advance(count);
            written += count;
        }
    }

    private static bool SequenceEquals(ReadOnlySequence<byte> sequence, ReadOnlySpan<byte> expected)
    {
        int position = 0;
        foreach (ReadOnlyMemory<byte> segment in sequence)
        {
            if (!segment.Span.SequenceEqual(expected.Slice(position, segment.Length)))
            {
                return false;
            }

            position += segment.Length;
        }

        return position == expected.Length;
    }
}
