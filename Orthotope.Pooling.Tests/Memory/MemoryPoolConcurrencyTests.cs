using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Orthotope.Pooling.Tests.Memory;

[TestFixtureSource(typeof(PoolConfigurations), nameof(PoolConfigurations.All))]
public sealed class MemoryPoolConcurrencyTests
{
    private readonly string _configuration;

    public MemoryPoolConcurrencyTests(string configuration)
    {
        _configuration = configuration;
    }

    /// <summary>
    /// 2×cores threads rent random sizes (log-uniform up to past the largest class), write a pattern, and either
    /// check and dispose it themselves or pass it through a shared queue for another thread to check and dispose.
    /// A block handed to two renters at once, or two blocks that overlap, breaks a pattern.
    /// </summary>
    [Test]
    public void Threads_renting_random_sizes_and_disposing_across_threads_never_share_a_block()
    {
        using var pool = new OrthotopeMemoryPool(PoolConfigurations.Create(_configuration));
        int threads = Math.Max(4, 2 * Environment.ProcessorCount);
        const int OperationsPerThread = 8_000;
        int maxSize = pool.Options.LargestSizeClass * 2;
        var handoff = new ConcurrentQueue<(IMemoryOwner<byte> Owner, long Ticket)>();
        long nextTicket = 0, failures = 0, crossThreadDisposes = 0;

        void CheckAndDispose(IMemoryOwner<byte> owner, long ticket)
        {
            if (!Patterns.Check(owner.Memory.Span, ticket))
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
                int size = (int)Math.Exp(random.NextDouble() * Math.Log(maxSize));
                IMemoryOwner<byte> owner = pool.Rent(size);
                long ticket = Interlocked.Increment(ref nextTicket);
                Patterns.Fill(owner.Memory.Span, ticket);
                if (random.Next(2) == 0)
                {
                    handoff.Enqueue((owner, ticket));
                }
                else
                {
                    CheckAndDispose(owner, ticket);
                }

                if (random.Next(2) == 0 && handoff.TryDequeue(out var other))
                {
                    Interlocked.Increment(ref crossThreadDisposes);
                    CheckAndDispose(other.Owner, other.Ticket);
                }
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(workers);

        while (handoff.TryDequeue(out var rest))
        {
            CheckAndDispose(rest.Owner, rest.Ticket);
        }

        PoolStatistics stats = pool.GetStatistics();
        TestContext.Out.WriteLine($"{threads} threads, {crossThreadDisposes} cross-thread disposes: {stats}");
        Assert.Multiple(() =>
        {
            Assert.That(Interlocked.Read(ref failures), Is.Zero, "patterns intact");
            Assert.That(stats.OutstandingBlocks, Is.Zero, "every block accounted for");
            Assert.That(stats.Rents, Is.EqualTo(threads * (long)OperationsPerThread));
            Assert.That(crossThreadDisposes, Is.GreaterThan(0));
        });
    }

    /// <summary>
    /// The Pipelines pattern: one thread rents, another disposes. Memory must stop growing once the blocks in
    /// flight are covered, because the renter is refilled from what the disposer hands to the central pool.
    /// </summary>
    [Test]
    public void Rent_on_one_thread_and_dispose_on_another_reaches_a_steady_state()
    {
        using var pool = new OrthotopeMemoryPool(PoolConfigurations.Create(_configuration));
        using var queue = new BlockingCollection<IMemoryOwner<byte>[]>(boundedCapacity: 4);
        const int Rounds = 2_000, Batch = 64;
        long failures = 0, reservedAfterWarmUp = 0;

        var consumer = Task.Factory.StartNew(() =>
        {
            foreach (IMemoryOwner<byte>[] batch in queue.GetConsumingEnumerable())
            {
                foreach (IMemoryOwner<byte> owner in batch)
                {
                    if (owner.Memory.Span[0] != (byte)owner.Memory.Length || owner.Memory.Span[^1] != 0x5A)
                    {
                        Interlocked.Increment(ref failures);
                    }

                    owner.Dispose();
                }
            }
        }, TaskCreationOptions.LongRunning);

        var producer = Task.Factory.StartNew(() =>
        {
            for (int round = 0; round < Rounds; round++)
            {
                var batch = new IMemoryOwner<byte>[Batch];
                for (int i = 0; i < Batch; i++)
                {
                    batch[i] = pool.Rent(4096);
                    batch[i].Memory.Span[0] = (byte)batch[i].Memory.Length;
                    batch[i].Memory.Span[^1] = 0x5A;
                }

                queue.Add(batch);
                if (round == Rounds / 4)
                {
                    reservedAfterWarmUp = pool.GetStatistics().ReservedBytes;
                }
            }

            queue.CompleteAdding();
        }, TaskCreationOptions.LongRunning);

        Task.WaitAll(producer, consumer);
        PoolStatistics stats = pool.GetStatistics();
        TestContext.Out.WriteLine($"after warm-up {reservedAfterWarmUp} B reserved; at the end {stats}");

        // In flight at most: the queue (4 batches), one being filled, one being drained, plus the caches.
        long bound = (7L * Batch * 4096) + (2L * 64 * 1024) + (1 << 20);
        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Zero);
            Assert.That(stats.OutstandingBlocks, Is.Zero);
            Assert.That(stats.ReservedBytes, Is.LessThanOrEqualTo(bound));
            Assert.That(stats.ReservedBytes, Is.LessThanOrEqualTo(Math.Max(reservedAfterWarmUp * 2, bound)));
        });
    }

    /// <summary>
    /// 100 short-lived threads each leave blocks of every class in their cache and exit. The pool recovers what
    /// they cached for the threads that follow, so reserved memory stays near what one thread needed.
    /// </summary>
    [Test]
    public void Blocks_cached_by_exited_threads_are_recovered()
    {
        using var pool = new OrthotopeMemoryPool(PoolConfigurations.Create(_configuration));
        int largest = pool.Options.LargestSizeClass;
        long afterFirst = 0;

        for (int t = 0; t < 100; t++)
        {
            var thread = new Thread(() =>
            {
                var owners = new IMemoryOwner<byte>[2];
                for (int size = 64; size <= largest; size += Math.Max(16, size / 4))
                {
                    owners[0] = pool.Rent(size);
                    owners[1] = pool.Rent(size);
                    Patterns.Fill(owners[0].Memory.Span, size);
                    owners[0].Dispose();
                    owners[1].Dispose();
                }
            });
            thread.Start();
            thread.Join();
            if (t == 0)
            {
                afterFirst = pool.GetStatistics().ReservedBytes;
            }
        }

        PoolStatistics stats = pool.GetStatistics();
        TestContext.Out.WriteLine($"after 1 thread: {afterFirst} B reserved; after 100: {stats}");
        Assert.That(stats.OutstandingBlocks, Is.Zero);
        Assert.That(stats.ReservedBytes, Is.LessThanOrEqualTo(afterFirst * 2));

        pool.Trim();
        Assert.That(pool.Engine.ThreadCacheCount, Is.LessThanOrEqualTo(1), "exited threads' caches are dropped");
        Assert.That(pool.GetStatistics().SizeClasses.Sum(s => s.ThreadCachedBlocks), Is.Zero);
    }
}
