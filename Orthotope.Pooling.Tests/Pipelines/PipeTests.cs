using System;
using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Threading.Tasks;

namespace Orthotope.Pooling.Tests.Pipelines;

[TestFixtureSource(typeof(PoolConfigurations), nameof(PoolConfigurations.All))]
public sealed class PipeTests
{
    private const long TotalBytes = 64L << 20;
    private readonly string _configuration;

    public PipeTests(string configuration)
    {
        _configuration = configuration;
    }

    /// <summary>
    /// 64 MiB through a pipe backed by the pool, with random GetMemory hints (1..70,000 bytes), random advances and
    /// random flushes, hashed with SHA-256 on both sides; every block comes back once both sides complete.
    /// </summary>
    [Test]
    public async Task A_pipe_carries_64_MiB_intact_and_returns_every_block()
    {
        using var pool = new OrthotopeMemoryPool(PoolConfigurations.Create(_configuration));
        var pipe = pool.CreatePipe();

        Task<byte[]> writer = Task.Run(async () =>
        {
            var random = new Random(1);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long written = 0;
            while (written < TotalBytes)
            {
                int hint = random.Next(1, 70_001);
                Memory<byte> memory = pipe.Writer.GetMemory(hint);
                if (memory.Length < hint)
                {
                    throw new InvalidOperationException($"GetMemory({hint}) gave {memory.Length} bytes");
                }

                int count = (int)Math.Min(random.Next(1, memory.Length + 1), TotalBytes - written);
                random.NextBytes(memory.Span[..count]);
                hash.AppendData(memory.Span[..count]);
                pipe.Writer.Advance(count);
                written += count;
                if (random.Next(4) == 0)
                {
                    await pipe.Writer.FlushAsync();
                }
            }

            await pipe.Writer.CompleteAsync();
            return hash.GetHashAndReset();
        });

        Task<(byte[], long)> reader = Task.Run(async () =>
        {
            var random = new Random(2);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long read = 0;
            while (true)
            {
                ReadResult result = await pipe.Reader.ReadAsync();
                ReadOnlySequence<byte> buffer = result.Buffer;

                // Consume a random prefix (sometimes all) to exercise partial advances.
                long take = result.IsCompleted || random.Next(3) > 0 ? buffer.Length : random.NextInt64(0, buffer.Length + 1);
                foreach (ReadOnlyMemory<byte> segment in buffer.Slice(0, take))
                {
                    hash.AppendData(segment.Span);
                }

                read += take;
                pipe.Reader.AdvanceTo(buffer.GetPosition(take), buffer.End);
                if (result.IsCompleted && take == buffer.Length)
                {
                    break;
                }
            }

            await pipe.Reader.CompleteAsync();
            return (hash.GetHashAndReset(), read);
        });

        byte[] sent = await writer;
        (byte[] received, long bytesRead) = await reader;
        PoolStatistics stats = pool.GetStatistics();
        TestContext.Out.WriteLine(stats.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(bytesRead, Is.EqualTo(TotalBytes));
            Assert.That(received, Is.EqualTo(sent), "SHA-256 end to end");
            Assert.That(stats.Rents, Is.GreaterThan(TotalBytes / 70_000), "the pipe rented its segments from the pool");
            Assert.That(stats.OutstandingBlocks, Is.Zero, "every block back after both sides complete");
        });
    }

    [Test]
    public void Options_helpers_wire_the_pool_and_reject_bad_sizes()
    {
        using var pool = new OrthotopeMemoryPool(PoolConfigurations.Create(_configuration));
        Assert.Multiple(() =>
        {
            Assert.That(pool.CreatePipeOptions().Pool, Is.SameAs(pool));
            Assert.That(pool.CreatePipeOptions().MinimumSegmentSize, Is.EqualTo(4096));
            Assert.That(pool.CreateStreamPipeReaderOptions().Pool, Is.SameAs(pool));
            Assert.That(pool.CreateStreamPipeWriterOptions().Pool, Is.SameAs(pool));
            Assert.That(() => pool.CreatePipeOptions(segmentSize: 0),
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("segmentSize"));
            Assert.That(() => pool.CreateStreamPipeReaderOptions(bufferSize: -5),
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("bufferSize"));
            Assert.That(() => pool.CreateStreamPipeWriterOptions(minimumBufferSize: int.MaxValue),
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("minimumBufferSize"));
            Assert.That(() => OrthotopePipelines.CreatePipeOptions(null!), Throws.ArgumentNullException);
        });
    }
}
