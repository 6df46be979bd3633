using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Orthotope.Pooling.Tests.Memory;

[TestFixture]
public sealed class ReservationLimitTests
{
    private const long Limit = 8L << 20;

    [TestCase(4096)]
    [TestCase(1 << 20)]
    [TestCase(3 << 20)]
    public void A_rent_past_MaxReservedBytes_throws_and_the_pool_serves_again_once_blocks_return(int size)
    {
        using var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { MaxReservedBytes = Limit, LargeBlockCacheBytes = 0 });
        var held = new List<IMemoryOwner<byte>>();
        OrthotopePoolExhaustedException? failure = null;
        try
        {
            while (held.Count < 100_000)
            {
                held.Add(pool.Rent(size));
                Patterns.Fill(held[^1].Memory.Span, held.Count);
            }
        }
        catch (OrthotopePoolExhaustedException ex)
        {
            failure = ex;
        }

        Assert.That(failure, Is.Not.Null);
        Assert.That(failure, Is.InstanceOf<OutOfMemoryException>());
        Assert.That(failure!.Message, Does.Contain("MaxReservedBytes").And.Contain(Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(failure.MaxReservedBytes, Is.EqualTo(Limit));
        Assert.That(pool.GetStatistics().ReservedBytes, Is.LessThanOrEqualTo(Limit));
        for (int i = 0; i < held.Count; i++)
        {
            Assert.That(Patterns.Check(held[i].Memory.Span, i + 1), Is.True, "nothing corrupted");
        }

        held.ForEach(o => o.Dispose());
        using IMemoryOwner<byte> again = pool.Rent(size);
        Assert.That(again.Memory.Length, Is.GreaterThanOrEqualTo(size));
    }

    [Test]
    public void Freeing_memory_of_another_class_lets_a_rent_succeed_at_the_limit()
    {
        using var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { MaxReservedBytes = Limit });
        var small = Enumerable.Range(0, (int)(Limit / 4096) - 64).Select(_ => pool.Rent(4096)).ToList();
        Assert.That(() => pool.Rent(4 << 20), Throws.InstanceOf<OrthotopePoolExhaustedException>());
        small.ForEach(o => o.Dispose());

        // The failed rent trims: the small class's free slabs are released to make room.
        using IMemoryOwner<byte> big = pool.Rent(4 << 20);
        Assert.That(pool.GetStatistics().ReservedBytes, Is.LessThanOrEqualTo(Limit));
    }

    [Test]
    public void Threads_racing_at_the_limit_never_pass_it_and_leave_every_block_accounted_for()
    {
        using var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { MaxReservedBytes = Limit });
        int threads = Math.Max(4, 2 * Environment.ProcessorCount);
        long failures = 0, rejections = 0, overLimit = 0;
        Task[] workers = Enumerable.Range(0, threads).Select(seed => Task.Factory.StartNew(() =>
        {
            var random = new Random(seed);
            var held = new Queue<(IMemoryOwner<byte>, long)>();
            for (int i = 0; i < 3_000; i++)
            {
                try
                {
                    IMemoryOwner<byte> owner = pool.Rent(random.Next(1, 600_000));
                    long ticket = (seed * 1_000_000L) + i;
                    Patterns.Fill(owner.Memory.Span, ticket);
                    held.Enqueue((owner, ticket));
                }
                catch (OrthotopePoolExhaustedException)
                {
                    Interlocked.Increment(ref rejections);
                }

                if (pool.GetStatistics().ReservedBytes > Limit)
                {
                    Interlocked.Increment(ref overLimit);
                }

                Patterns.DisposeDownTo(held, random.Next(1, 12), ref failures);
            }

            foreach ((IMemoryOwner<byte> owner, long _) in held)
            {
                owner.Dispose();
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(workers);

        TestContext.Out.WriteLine($"{rejections} rents rejected at the limit; {pool.GetStatistics()}");
        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Zero);
            Assert.That(overLimit, Is.Zero);
            Assert.That(pool.GetStatistics().OutstandingBlocks, Is.Zero);
        });
    }
}
