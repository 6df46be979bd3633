using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Orthotope.Pooling.Tests.Lifecycle;

[TestFixture]
public sealed class TrimmingTests
{
    /// <summary>
    /// Four threads reserve hundreds of MB between them, return everything (into their own caches and the central
    /// pool) and stay alive but idle. Within two trim periods, counted in ticks rather than time, the pool is back
    /// under 10% of its peak; then every thread rents again and gets correct, working memory.
    /// </summary>
    [Test]
    [CancelAfter(120_000)]
    public void After_a_burst_reserved_bytes_fall_below_a_tenth_of_the_peak_within_two_trim_periods()
    {
        using var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions
        {
            Name = "burst",
            TrimInterval = TimeSpan.FromMilliseconds(250),
            TrimOnMemoryPressure = false,
        });
        const int Threads = 4;
        const long BytesPerThread = 80L << 20;
        using var holding = new CountdownEvent(Threads);
        using var release = new ManualResetEventSlim();
        using var returned = new CountdownEvent(Threads);
        using var rentAgain = new ManualResetEventSlim();
        long failures = 0;

        Thread[] threads = Enumerable.Range(0, Threads).Select(id => new Thread(() =>
        {
            var random = new Random(id);
            var held = new List<(IMemoryOwner<byte>, long)>();
            long bytes = 0;
            while (bytes < BytesPerThread)
            {
                int size = random.Next(10) == 0 ? random.Next(1 << 20, 3 << 20) : (int)Math.Exp(random.NextDouble() * Math.Log(1 << 20));
                IMemoryOwner<byte> owner = pool.Rent(size);
                long ticket = (id * 1_000_000L) + held.Count;
                Patterns.Fill(owner.Memory.Span, ticket);
                held.Add((owner, ticket));
                bytes += owner.Memory.Length;
            }

            holding.Signal();
            release.Wait();
            foreach ((IMemoryOwner<byte> owner, long ticket) in held)
            {
                if (!Patterns.Check(owner.Memory.Span, ticket))
                {
                    Interlocked.Increment(ref failures);
                }

                owner.Dispose();
            }

            returned.Signal();
            rentAgain.Wait(); // idle, but alive: its cache must be trimmed from outside

            for (int i = 0; i < 1000; i++)
            {
                using IMemoryOwner<byte> owner = pool.Rent(random.Next(1, 300_000));
                Patterns.Fill(owner.Memory.Span, i);
                if (!Patterns.Check(owner.Memory.Span, i))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();

        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        holding.Wait();
        long peak = pool.GetStatistics().ReservedBytes;
        release.Set();
        returned.Wait();
        long ticksAtReturn = pool.Engine.Trimmer.Ticks;
        while (pool.Engine.Trimmer.Ticks < ticksAtReturn + 2)
        {
            Thread.Sleep(20);
        }

        PoolStatistics trimmed = pool.GetStatistics();
        TestContext.Out.WriteLine($"peak {peak >> 20} MiB; after two ticks {trimmed}");
        rentAgain.Set();
        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.Multiple(() =>
        {
            Assert.That(peak, Is.GreaterThan(300L << 20), "hundreds of MB reserved at the peak");
            Assert.That(trimmed.ReservedBytes, Is.LessThanOrEqualTo(peak / 10));
            Assert.That(trimmed.Trims, Is.GreaterThanOrEqualTo(2), "the idle trims are counted");
            Assert.That(trimmed.BytesTrimmed, Is.GreaterThan(0), "what the trims released is counted");
            Assert.That(trimmed.SlabsReleased, Is.GreaterThan(0).And.LessThanOrEqualTo(trimmed.SlabsAllocated));
            Assert.That(failures, Is.Zero);
            Assert.That(pool.GetStatistics().OutstandingBlocks, Is.Zero);
        });
    }

    [Test]
    public void A_manual_trim_drains_the_caches_of_idle_live_threads()
    {
        using var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { TrimInterval = TimeSpan.Zero });
        using var parked = new ManualResetEventSlim();
        using var resume = new ManualResetEventSlim();
        bool secondRentOk = false;
        var thread = new Thread(() =>
        {
            IMemoryOwner<byte>[] owners = Enumerable.Range(0, 10).Select(_ => pool.Rent(4096)).ToArray();
            foreach (IMemoryOwner<byte> owner in owners)
            {
                owner.Dispose();
            }

            parked.Set();
            resume.Wait();
            using IMemoryOwner<byte> again = pool.Rent(4096);
            Patterns.Fill(again.Memory.Span, 9);
            secondRentOk = Patterns.Check(again.Memory.Span, 9);
        });
        thread.Start();
        parked.Wait();
        Assert.That(pool.GetStatistics().SizeClasses.Sum(s => s.ThreadCachedBlocks), Is.GreaterThan(0));

        long released = pool.Trim();
        PoolStatistics stats = pool.GetStatistics();
        resume.Set();
        thread.Join();

        Assert.Multiple(() =>
        {
            Assert.That(stats.SizeClasses.Sum(s => s.ThreadCachedBlocks), Is.Zero, "the parked thread's cache was drained");
            Assert.That(stats.ReservedBytes, Is.Zero);
            Assert.That(released, Is.GreaterThan(0));
            Assert.That(secondRentOk, Is.True, "the thread rents normally after its cache was taken");
        });
    }

    /// <summary>
    /// Renters hammer the pool (rent, fill, check, dispose, with bursts and cross-thread hand-offs) while another
    /// thread keeps trimming, full and idle, stealing their caches: no block is handed out twice or lost.
    /// </summary>
    [Test]
    [CancelAfter(120_000)]
    public void Trimming_while_threads_rent_and_return_never_loses_or_duplicates_a_block()
    {
        using var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions
        {
            TrimInterval = TimeSpan.FromMilliseconds(1),
            SlabSize = OrthotopePoolOptions.MinSlabSize,
        });
        int threads = Math.Max(4, 2 * Environment.ProcessorCount);
        using var stop = new CancellationTokenSource();
        var handoff = new System.Collections.Concurrent.ConcurrentQueue<(IMemoryOwner<byte>, long)>();
        long failures = 0, tickets = 0, trims = 0;

        void CheckAndDispose(IMemoryOwner<byte> owner, long ticket)
        {
            if (!Patterns.Check(owner.Memory.Span, ticket))
            {
                Interlocked.Increment(ref failures);
            }

            owner.Dispose();
        }

        Task trimmer = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                pool.Trim();
                pool.Engine.Trimmer.TrimIdle();
                Interlocked.Increment(ref trims);
            }
        }, TaskCreationOptions.LongRunning);

        Task[] workers = Enumerable.Range(0, threads).Select(seed => Task.Factory.StartNew(() =>
        {
            var random = new Random(seed);
            var mine = new Stack<(IMemoryOwner<byte>, long)>();
            for (int i = 0; i < 10_000; i++)
            {
                IMemoryOwner<byte> owner = pool.Rent(random.Next(1, 20_000));
                long ticket = Interlocked.Increment(ref tickets);
                Patterns.Fill(owner.Memory.Span, ticket);
                switch (random.Next(3))
                {
                    case 0: handoff.Enqueue((owner, ticket)); break;
                    case 1: mine.Push((owner, ticket)); break;
                    default: CheckAndDispose(owner, ticket); break;
                }

                if (mine.Count > random.Next(1, 64))
                {
                    while (mine.TryPop(out var own))
                    {
                        CheckAndDispose(own.Item1, own.Item2);
                    }
                }

                if (handoff.TryDequeue(out var other))
                {
                    CheckAndDispose(other.Item1, other.Item2);
                }
            }

            while (mine.TryPop(out var own))
            {
                CheckAndDispose(own.Item1, own.Item2);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        Task.WaitAll(workers);
        stop.Cancel();
        trimmer.Wait();
        while (handoff.TryDequeue(out var rest))
        {
            CheckAndDispose(rest.Item1, rest.Item2);
        }

        PoolStatistics stats = pool.GetStatistics();
        TestContext.Out.WriteLine($"{Interlocked.Read(ref trims)} trim rounds during the run; {stats}");
        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Zero);
            Assert.That(stats.OutstandingBlocks, Is.Zero);
            Assert.That(trims, Is.GreaterThan(0));
        });

        // Everything is free now, so a full trim gives back every slab: nothing was lost or counted twice.
        pool.Trim();
        Assert.That(pool.GetStatistics().ReservedBytes, Is.Zero);
    }

    [Test]
    public void High_memory_pressure_trims_fully_and_low_pressure_leaves_the_pool_alone()
    {
        using var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { TrimInterval = TimeSpan.Zero });
        List<IMemoryOwner<byte>> owners = Enumerable.Range(0, 100).Select(_ => pool.Rent(8192)).ToList();
        owners.ForEach(o => o.Dispose());
        long reserved = pool.GetStatistics().ReservedBytes;

        Assert.That(pool.Engine.Trimmer.OnMemoryPressure(0.3), Is.Zero);
        Assert.That(pool.GetStatistics().ReservedBytes, Is.EqualTo(reserved));
        Assert.That(pool.Engine.Trimmer.OnMemoryPressure(0.95), Is.EqualTo(reserved));
        Assert.That(pool.GetStatistics().ReservedBytes, Is.Zero);
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void The_gen2_pressure_check_keeps_running_without_an_idle_timer(int intervalMilliseconds)
    {
        // Zero and infinite both turn the idle timer off; the pressure trim is independent of it.
        using var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions
        {
            TrimInterval = TimeSpan.FromMilliseconds(intervalMilliseconds),
            TrimOnMemoryPressure = true,
        });
        long before = pool.Engine.Trimmer.PressureChecks;
        for (int i = 0; i < 4; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            GC.WaitForPendingFinalizers();
        }

        Assert.That(pool.Engine.Trimmer.PressureChecks - before, Is.GreaterThanOrEqualTo(3), "one check per gen2 collection");
        GC.KeepAlive(pool);
    }

    [Test]
    public void A_bad_trim_interval_is_rejected_naming_the_option()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            new OrthotopeMemoryPool(new OrthotopePoolOptions { TrimInterval = TimeSpan.FromSeconds(-1) }));
        Assert.That(ex!.ParamName, Is.EqualTo(nameof(OrthotopePoolOptions.TrimInterval)));
    }
}
