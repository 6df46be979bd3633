using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace Orthotope.Pooling.Tests.Tensors;

[TestFixtureSource(typeof(PoolConfigurations), nameof(PoolConfigurations.All))]
public sealed class TypedMemoryPoolConcurrencyTests
{
    private readonly string _configuration;

    public TypedMemoryPoolConcurrencyTests(string configuration)
    {
        _configuration = configuration;
    }

    /// <summary>
    /// 2×cores threads rent from three typed pools and the byte pool under them (so blocks change element type as
    /// they go round), random counts log-uniform up to past the largest class; each writes a pattern over the
    /// buffer's bytes and either checks and disposes it itself or hands it to another thread to check and dispose.
    /// A block handed to two renters at once, an owner returned twice, or a typed length past its block breaks a
    /// pattern or the final count.
    /// </summary>
    [Test]
    public void Threads_renting_typed_buffers_and_disposing_across_threads_never_share_a_block()
    {
        using var bytes = new OrthotopeMemoryPool(PoolConfigurations.Create(_configuration));
        using var floats = new OrthotopeMemoryPool<float>(bytes);
        using var doubles = new OrthotopeMemoryPool<double>(bytes);
        using var points = new OrthotopeMemoryPool<Vec3>(bytes);
        long outstandingBefore = bytes.GetStatistics().OutstandingBlocks;
        int threads = Math.Max(4, 2 * Environment.ProcessorCount);
        const int OperationsPerThread = 4_000;
        int maxBytes = bytes.Options.LargestSizeClass * 2;
        var handoff = new ConcurrentQueue<(IDisposable Owner, ByteView Bytes, long Ticket)>();
        long nextTicket = 0, failures = 0, crossThreadDisposes = 0;

        void CheckAndDispose(IDisposable owner, ByteView view, long ticket)
        {
            if (!Patterns.Check(view(), ticket))
            {
                Interlocked.Increment(ref failures);
            }

            owner.Dispose();
        }

        Task[] workers = Enumerable.Range(0, threads).Select(seed => Task.Factory.StartNew(() =>
        {
            var random = new Random(seed);
            for (int i = 0; i < OperationsPerThread; i++)
            {
                int size = (int)Math.Exp(random.NextDouble() * Math.Log(maxBytes));
                (IDisposable owner, ByteView view) = (i % 4) switch
                {
                    0 => Wrap(floats.Rent(size / sizeof(float))),
                    1 => Wrap(doubles.Rent(size / sizeof(double))),
                    2 => Wrap(points.Rent(size / 12)),
                    _ => WrapBytes(bytes.Rent(size)),
                };
                long ticket = Interlocked.Increment(ref nextTicket);
                Patterns.Fill(view(), ticket);
                if (random.Next(2) == 0)
                {
                    handoff.Enqueue((owner, view, ticket));
                }
                else
                {
                    CheckAndDispose(owner, view, ticket);
                }

                if (random.Next(2) == 0 && handoff.TryDequeue(out var other))
                {
                    Interlocked.Increment(ref crossThreadDisposes);
                    CheckAndDispose(other.Owner, other.Bytes, other.Ticket);
                }
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(workers);

        while (handoff.TryDequeue(out var rest))
        {
            CheckAndDispose(rest.Owner, rest.Bytes, rest.Ticket);
        }

        PoolStatistics stats = bytes.GetStatistics();
        TestContext.Out.WriteLine($"{threads} threads, {crossThreadDisposes} cross-thread disposes: {stats}");
        Assert.Multiple(() =>
        {
            Assert.That(Interlocked.Read(ref failures), Is.Zero, "patterns intact");
            Assert.That(stats.OutstandingBlocks, Is.EqualTo(outstandingBefore), "every block accounted for");
            Assert.That(stats.Rents, Is.EqualTo(threads * (long)OperationsPerThread));
            Assert.That(crossThreadDisposes, Is.GreaterThan(0));
        });
    }

    /// <summary>The bytes of a rented buffer, whatever its element type, read through its owner each time.</summary>
    private delegate Span<byte> ByteView();

    // The closures are allocated per rent; that is the test's cost, not the pool's.
    private static (IDisposable, ByteView) Wrap<T>(IMemoryOwner<T> owner)
        where T : unmanaged =>
        (owner, () => MemoryMarshal.AsBytes(owner.Memory.Span));

    private static (IDisposable, ByteView) WrapBytes(IMemoryOwner<byte> owner) => (owner, () => owner.Memory.Span);
}
