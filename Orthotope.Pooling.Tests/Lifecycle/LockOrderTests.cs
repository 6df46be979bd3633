using System;
using System.Buffers;
using System.Collections.Generic;
using System.Threading;

namespace Orthotope.Pooling.Tests.Lifecycle;

/// <summary>
/// The engine's locks taken from every side at once: rents that meet the reservation limit trim while holding their
/// own cache's lock, an idle trimmer and a manual trimmer steal caches, and short-lived threads exit and leave caches
/// to be swept. A wrong lock order deadlocks here; the test then fails on its join timeout instead of hanging (its
/// threads are background threads, and a deadlocked pool is kept from its finalizer, which would block on the lock).
/// </summary>
[TestFixture]
public sealed class LockOrderTests
{
    private const int Waves = 8;
    private static readonly TimeSpan Deadlock = TimeSpan.FromSeconds(60);

    /// <summary>Pools whose threads deadlocked: never disposed or finalized, since that would wait on their locks.</summary>
    private static readonly List<OrthotopeMemoryPool> s_deadlocked = [];

    [Test]
    [CancelAfter(120_000)]
    public void Limit_trims_idle_trims_manual_trims_and_thread_exits_never_deadlock_and_lose_nothing()
    {
        var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions
        {
            Name = "lock-order",
            MaxReservedBytes = 1 << 20,
            LimitBehavior = OrthotopeLimitBehavior.AllocateUnpooled,
            TrimInterval = TimeSpan.Zero,
            TrimOnMemoryPressure = false,
            SlabSize = OrthotopePoolOptions.MinSlabSize,
        });
        long failures = 0, rents = 0, threadsRun = 0;
        using var done = new ManualResetEventSlim();
        bool Running() => !done.IsSet;

        var trimmers = new[]
        {
            new Thread(() =>
            {
                while (Running())
                {
                    pool.Engine.Trimmer.TrimIdle();
                }
            }),
            new Thread(() =>
            {
                while (Running())
                {
                    pool.Trim();
                    Thread.Yield();
                }
            }),
        };

        // Waves of short-lived renters: each holds enough blocks to meet the limit (so its rents trim from inside
        // its own slow path), checks them, returns them and exits, leaving its cache for the next sweep.
        var spawner = new Thread(() =>
        {
            for (int wave = 0; wave < Waves; wave++)
            {
                var renters = new Thread[3];
                for (int t = 0; t < renters.Length; t++)
                {
                    int seed = (wave * 16) + t;
                    renters[t] = new Thread(() => RentCheckReturn(pool, seed, ref failures, ref rents)) { IsBackground = true };
                    renters[t].Start();
                }

                foreach (Thread renter in renters)
                {
                    if (!renter.Join(Deadlock))
                    {
                        Interlocked.Increment(ref failures);
                        return;
                    }

                    Interlocked.Increment(ref threadsRun);
                }
            }
        });

        spawner.IsBackground = true;
        foreach (Thread trimmer in trimmers)
        {
            trimmer.IsBackground = true;
            trimmer.Start();
        }

        spawner.Start();
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        bool finished = spawner.Join(Deadlock);
        done.Set();
        foreach (Thread trimmer in trimmers)
        {
            finished &= trimmer.Join(Deadlock - deadline.Elapsed > TimeSpan.Zero ? Deadlock - deadline.Elapsed : TimeSpan.Zero);
        }

        if (!finished)
        {
            s_deadlocked.Add(pool);
            Assert.Fail("a renter or a trimmer did not finish within a minute: the locks deadlocked");
        }

        using (pool)
        {
            pool.Trim();
            PoolStatistics statistics = pool.GetStatistics();
            TestContext.Out.WriteLine($"{threadsRun} threads, {rents} rents; {statistics}");
            Assert.Multiple(() =>
            {
                Assert.That(failures, Is.Zero, "every block held its pattern until it was returned");
                Assert.That(threadsRun, Is.EqualTo(Waves * 3));
                Assert.That(statistics.OutstandingBlocks, Is.Zero, "every block came back");
                Assert.That(statistics.ReservedBytes, Is.InRange(0, 1 << 20));
                Assert.That(statistics.LimitRejections, Is.GreaterThan(0), "the limit was met, so limit trims ran");
            });
        }
    }

    private static void RentCheckReturn(OrthotopeMemoryPool pool, int seed, ref long failures, ref long rents)
    {
        var random = new Random(seed);
        var held = new Queue<(IMemoryOwner<byte> Owner, long Ticket)>();
        for (int i = 0; i < 400; i++)
        {
            IMemoryOwner<byte> owner = pool.Rent(random.Next(1, 24 << 10));
            long ticket = ((long)seed << 20) + i;
            Patterns.Fill(owner.Memory.Span, ticket);
            held.Enqueue((owner, ticket));
            Interlocked.Increment(ref rents);
            Patterns.DisposeDownTo(held, keep: 48, ref failures);
        }

        Patterns.DisposeDownTo(held, keep: 0, ref failures);
    }
}
