using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Orthotope.Pooling.Tests.Lifecycle;

[TestFixture]
public sealed class UnpooledLimitTests
{
    private const long Limit = 8L << 20;

    private static OrthotopeMemoryPool CreatePool() => new(new OrthotopePoolOptions
    {
        MaxReservedBytes = Limit,
        LimitBehavior = OrthotopeLimitBehavior.AllocateUnpooled,
        TrimInterval = TimeSpan.Zero,
    });

    [TestCase(4096)]
    [TestCase(3 << 20)]
    public unsafe void Rents_over_the_limit_are_served_unpooled_and_dropped_when_disposed(int size)
    {
        using OrthotopeMemoryPool pool = CreatePool();
        var held = Enumerable.Range(0, (int)(3 * Limit / size)).Select(_ => pool.Rent(size)).ToList();
        PoolStatistics stats = pool.GetStatistics();
        Assert.Multiple(() =>
        {
            Assert.That(stats.ReservedBytes, Is.LessThanOrEqualTo(Limit));
            Assert.That(stats.UnpooledRents, Is.GreaterThan(0));
            Assert.That(stats.LimitRejections, Is.GreaterThan(0));
            Assert.That(stats.OutstandingBlocks, Is.EqualTo(held.Count));
        });

        for (int i = 0; i < held.Count; i++)
        {
            Patterns.Fill(held[i].Memory.Span, i);
            using MemoryHandle handle = held[i].Memory.Pin();
            Assert.That((long)handle.Pointer % 64, Is.Zero);
        }

        for (int i = 0; i < held.Count; i++)
        {
            Assert.That(Patterns.Check(held[i].Memory.Span, i), Is.True);
            held[i].Dispose();
        }

        Assert.That(pool.GetStatistics().OutstandingBlocks, Is.Zero);
        Assert.That(pool.GetStatistics().ReservedBytes, Is.LessThanOrEqualTo(Limit));
    }

    [Test]
    public void Threads_racing_past_the_limit_are_all_served_and_the_cap_holds()
    {
        using OrthotopeMemoryPool pool = CreatePool();
        int threads = Math.Max(4, 2 * Environment.ProcessorCount);
        long failures = 0, overLimit = 0;
        Task[] workers = Enumerable.Range(0, threads).Select(seed => Task.Factory.StartNew(() =>
        {
            var random = new Random(seed);
            var held = new Queue<(IMemoryOwner<byte>, long)>();
            for (int i = 0; i < 3_000; i++)
            {
                IMemoryOwner<byte> owner = pool.Rent(random.Next(1, 2_000_000));
                long ticket = (seed * 1_000_000L) + i;
                Patterns.Fill(owner.Memory.Span, ticket);
                held.Enqueue((owner, ticket));
                if (pool.GetStatistics().ReservedBytes > Limit)
                {
                    Interlocked.Increment(ref overLimit);
                }

                Patterns.DisposeDownTo(held, random.Next(4, 24), ref failures);
            }

            foreach ((IMemoryOwner<byte> owner, long _) in held)
            {
                owner.Dispose();
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(workers);

        PoolStatistics stats = pool.GetStatistics();
        TestContext.Out.WriteLine(stats.ToString() + $", {stats.UnpooledRents} unpooled");
        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Zero);
            Assert.That(overLimit, Is.Zero);
            Assert.That(stats.UnpooledRents, Is.GreaterThan(0));
            Assert.That(stats.OutstandingBlocks, Is.Zero);
        });
    }

    [Test]
    public void An_array_pool_at_its_limit_serves_arrays_that_can_be_returned_and_are_then_dropped()
    {
        var pool = new OrthotopeArrayPool(new OrthotopePoolOptions
        {
            MaxReservedBytes = 1 << 20,
            LimitBehavior = OrthotopeLimitBehavior.AllocateUnpooled,
            TrimInterval = TimeSpan.Zero,
        });
        List<byte[]> arrays = Enumerable.Range(0, 600).Select(_ => pool.Rent(4000)).ToList();
        Assert.That(arrays.All(a => a.Length >= 4000), Is.True);
        Assert.That(arrays.Count(a => a.Length == 4096), Is.LessThanOrEqualTo((1 << 20) / 4096), "the pooled ones, within the cap");
        Assert.That(arrays.Count(a => a.Length == 4097), Is.EqualTo(pool.GetStatistics().UnpooledRents), "unpooled ones are a byte longer than the class, so their return is recognised");
        Assert.That(() => arrays.ForEach(a => pool.Return(a)), Throws.Nothing);
        PoolStatistics statistics = pool.GetStatistics();
        Assert.That(statistics.OutstandingBlocks, Is.Zero);
        Assert.That(statistics.SizeClasses.Sum(c => (c.CentralBlocks + c.ThreadCachedBlocks) * (long)c.BlockLength), Is.LessThanOrEqualTo(1 << 20), "the unpooled arrays were dropped");
    }

    [Test]
    public void An_unknown_limit_behavior_is_rejected_naming_the_option()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            new OrthotopeMemoryPool(new OrthotopePoolOptions { LimitBehavior = (OrthotopeLimitBehavior)7 }));
        Assert.That(ex!.ParamName, Is.EqualTo(nameof(OrthotopePoolOptions.LimitBehavior)));
    }
}
