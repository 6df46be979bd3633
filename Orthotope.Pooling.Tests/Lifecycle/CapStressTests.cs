using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Orthotope.Pooling.Tests.Lifecycle;

/// <summary>
/// A capped array pool on four threads that rent, return, return arrays it never handed out, return arrays twice,
/// and trim, in phases; after every phase the reservation is within the cap and no figure is negative.
/// </summary>
[TestFixture]
public sealed class CapStressTests
{
    private const long Cap = 4L << 20;
    private const int Threads = 4;

    [TestCase(OrthotopeLimitBehavior.Throw)]
    [TestCase(OrthotopeLimitBehavior.AllocateUnpooled)]
    [CancelAfter(120_000)]
    public void The_cap_and_the_figures_hold_through_every_kind_of_return(OrthotopeLimitBehavior behavior)
    {
        var pool = new OrthotopeArrayPool(new OrthotopePoolOptions
        {
            Name = "cap-stress",
            MaxReservedBytes = Cap,
            LimitBehavior = behavior,
            LargeBlockCacheBytes = 2L << 20,
            TrimInterval = TimeSpan.Zero,
            TrimOnMemoryPressure = false,
        });
        long failures = 0;

        // Phase 1: rents of every size, patterns checked, foreign arrays returned among them, a thread trimming.
        RunPhase(pool, seed => Churn(pool, seed, foreignEvery: 7, ref failures), trimWhileRunning: true);
        AccountingTests.AssertSane(pool.GetStatistics(), Cap, "after rents, returns, foreign returns and trims");
        Assert.That(failures, Is.Zero, "a block handed out twice, or memory shared between two arrays");

        // Phase 2: arrays returned twice. The pool cannot tell a second return from a first one (that is what
        // diagnostics mode is for), so a twice-returned array may reach two renters: no patterns are checked here.
        RunPhase(pool, seed => ReturnTwice(pool, seed), trimWhileRunning: true);
        AccountingTests.AssertSane(pool.GetStatistics(), Cap, "after double returns");

        // Phase 3: everything back, trimmed.
        pool.Trim();
        PoolStatistics drained = pool.GetStatistics();
        AccountingTests.AssertSane(drained, Cap, "after the final trim", drained: true);
        Assert.That(drained.OutstandingBlocks, Is.Zero, "nothing is out");
    }

    private static void RunPhase(OrthotopeArrayPool pool, Action<int> work, bool trimWhileRunning)
    {
        using var stop = new CancellationTokenSource();
        Task trimmer = trimWhileRunning
            ? Task.Factory.StartNew(
                () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        pool.Trim();
                        Thread.Sleep(1);
                    }
                },
                TaskCreationOptions.LongRunning)
            : Task.CompletedTask;
        Task[] workers = Enumerable.Range(0, Threads).Select(seed => Task.Factory.StartNew(() => work(seed), TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(workers);
        stop.Cancel();
        trimmer.Wait();
    }

    private static void Churn(OrthotopeArrayPool pool, int seed, int foreignEvery, ref long failures)
    {
        var random = new Random(seed);
        var held = new Queue<(byte[] Array, long Ticket)>();
        for (int i = 0; i < 6000; i++)
        {
            int size = random.Next(20) == 0 ? random.Next(1 << 20, 3 << 20) : (int)Math.Exp(random.NextDouble() * Math.Log(256 << 10));
            byte[] array;
            try
            {
                array = pool.Rent(size);
            }
            catch (OrthotopePoolExhaustedException)
            {
                ReturnOldest(pool, held, held.Count / 2, ref failures);
                continue;
            }

            long ticket = ((long)seed << 32) + i;
            Patterns.Fill(array, ticket);
            held.Enqueue((array, ticket));
            if (i % foreignEvery == 0)
            {
                // An array of a class length the pool never handed out: 4 KiB, or a large one.
                pool.Return(new byte[random.Next(4) == 0 ? (2 << 20) + 17 : 4096]);
            }

            ReturnOldest(pool, held, Math.Max(0, held.Count - 16), ref failures);
        }

        ReturnOldest(pool, held, held.Count, ref failures);
    }

    private static void ReturnOldest(OrthotopeArrayPool pool, Queue<(byte[] Array, long Ticket)> held, int count, ref long failures)
    {
        for (int i = 0; i < count; i++)
        {
            (byte[] array, long ticket) = held.Dequeue();
            if (!Patterns.Check(array, ticket))
            {
                Interlocked.Increment(ref failures);
            }

            pool.Return(array);
        }
    }

    private static void ReturnTwice(OrthotopeArrayPool pool, int seed)
    {
        var random = new Random(1000 + seed);
        for (int i = 0; i < 3000; i++)
        {
            byte[] array;
            try
            {
                array = pool.Rent(random.Next(1, 64 << 10));
            }
            catch (OrthotopePoolExhaustedException)
            {
                continue;
            }

            pool.Return(array);
            if (i % 5 == 0)
            {
                pool.Return(array);
            }
        }
    }
}
