using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;

namespace Orthotope.Pooling.Tests.Lifecycle;

/// <summary>
/// Whatever comes back (arrays served unpooled over the limit, arrays the pool never handed out, arrays returned
/// twice, blocks disposed after the pool), the reservation stays between zero and the cap, the pool holds no more
/// free memory than it counts, and no outstanding figure goes negative.
/// </summary>
[TestFixture]
public sealed class AccountingTests
{
    private const long OneMiB = 1 << 20;

    [Test]
    public void Arrays_served_unpooled_over_the_limit_are_dropped_when_they_come_back()
    {
        var pool = new OrthotopeArrayPool(CappedOptions(OneMiB, OrthotopeLimitBehavior.AllocateUnpooled));
        for (int round = 0; round < 3; round++)
        {
            byte[][] burst = Enumerable.Range(0, 2048).Select(_ => pool.Rent(4096)).ToArray();
            Assert.That(pool.GetStatistics().OutstandingBlocks, Is.EqualTo(burst.Length), "every array out is counted, unpooled ones too");
            Assert.That(pool.GetStatistics().OutstandingBytes, Is.GreaterThanOrEqualTo(2048L * 4096));
            foreach (byte[] array in burst)
            {
                pool.Return(array);
            }

            AssertSane(pool.GetStatistics(), OneMiB, "after the burst came back");
            Assert.That(pool.GetStatistics().OutstandingBlocks, Is.Zero);
            pool.Trim();
            AssertSane(pool.GetStatistics(), OneMiB, "after a trim", drained: true);
        }
    }

    [Test]
    public void Large_arrays_served_unpooled_over_the_limit_are_dropped_when_they_come_back()
    {
        var pool = new OrthotopeArrayPool(CappedOptions(4 * OneMiB, OrthotopeLimitBehavior.AllocateUnpooled));
        byte[][] large = Enumerable.Range(0, 5).Select(_ => pool.Rent(2 << 20)).ToArray();
        Assert.That(pool.GetStatistics().UnpooledRents, Is.GreaterThan(0));
        Assert.That(pool.GetStatistics().LargeOutstandingBlocks, Is.EqualTo(5));
        foreach (byte[] array in large)
        {
            pool.Return(array);
        }

        PoolStatistics statistics = pool.GetStatistics();
        AssertSane(statistics, 4 * OneMiB, "after the large arrays came back");
        Assert.That(statistics.LargeOutstandingBlocks, Is.Zero);
        Assert.That(statistics.LargeCachedBytes, Is.LessThanOrEqualTo(statistics.ReservedBytes), "only counted arrays are kept");
    }

    [Test]
    public void Foreign_large_arrays_cannot_push_the_pool_past_its_cap()
    {
        var options = CappedOptions(8 * OneMiB, OrthotopeLimitBehavior.Throw);
        options.LargeBlockCacheBytes = 0;
        var pool = new OrthotopeArrayPool(options);
        for (int i = 0; i < 4; i++)
        {
            pool.Return(new byte[4 << 20]);
        }

        AssertSane(pool.GetStatistics(), 8 * OneMiB, "after four foreign arrays");
        var live = new List<byte[]>();
        Assert.That(
            () =>
            {
                for (int i = 0; i < 12; i++)
                {
                    live.Add(pool.Rent(2 << 20));
                }
            },
            Throws.InstanceOf<OrthotopePoolExhaustedException>());
        Assert.That(live.Sum(a => (long)a.Length), Is.LessThanOrEqualTo(8 * OneMiB), "no more live than the cap");
        AssertSane(pool.GetStatistics(), 8 * OneMiB, "at the cap");
    }

    [Test]
    public void Foreign_class_arrays_are_counted_or_dropped_and_never_held_beyond_the_cap()
    {
        var pool = new OrthotopeArrayPool(CappedOptions(OneMiB, OrthotopeLimitBehavior.Throw));
        for (int i = 0; i < 1000; i++)
        {
            pool.Return(new byte[4096]);
        }

        AssertSane(pool.GetStatistics(), OneMiB, "after 4 MB of foreign arrays");
        pool.Trim();
        AssertSane(pool.GetStatistics(), OneMiB, "after a trim", drained: true);
        byte[][] rented = Enumerable.Range(0, 200).Select(_ => pool.Rent(4096)).ToArray();
        Assert.That(rented, Has.All.Length.EqualTo(4096));
        AssertSane(pool.GetStatistics(), OneMiB, "after renting them");
    }

    [Test]
    public void An_array_returned_twice_never_drives_a_figure_negative()
    {
        var pool = new OrthotopeArrayPool(CappedOptions(OneMiB, OrthotopeLimitBehavior.Throw));
        byte[] array = pool.Rent(4096);
        pool.Return(array);
        pool.Return(array);
        AssertSane(pool.GetStatistics(), OneMiB, "after the double return");
        pool.Trim();
        AssertSane(pool.GetStatistics(), OneMiB, "after a trim", drained: true);
    }

    [Test]
    public void Unpooled_blocks_count_in_the_outstanding_bytes_until_they_come_back()
    {
        using var pool = new OrthotopeMemoryPool(CappedOptions(OneMiB, OrthotopeLimitBehavior.AllocateUnpooled));
        IMemoryOwner<byte>[] owners = Enumerable.Range(0, 512).Select(_ => pool.Rent(4096)).ToArray();
        PoolStatistics statistics = pool.GetStatistics();
        Assert.That(statistics.UnpooledRents, Is.GreaterThan(0));
        Assert.That(statistics.OutstandingBlocks, Is.EqualTo(512));
        Assert.That(statistics.OutstandingBytes, Is.EqualTo(owners.Sum(o => (long)o.Memory.Length)), "unpooled bytes included");

        foreach (IMemoryOwner<byte> owner in owners)
        {
            owner.Dispose();
        }

        AssertSane(pool.GetStatistics(), OneMiB, "after every owner came back");
        Assert.That(pool.GetStatistics().OutstandingBytes, Is.Zero);
    }

    [Test]
    public void After_the_pool_is_disposed_and_every_owner_is_back_nothing_is_outstanding()
    {
        var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { TrimInterval = TimeSpan.Zero });
        IMemoryOwner<byte>[] owners = Enumerable.Range(0, 125).Select(i => pool.Rent(64 << (i % 12))).ToArray();
        IMemoryOwner<byte> large = pool.Rent(3 << 20);
        pool.Dispose();
        Assert.That(pool.GetStatistics().OutstandingBlocks, Is.EqualTo(126), "what is still rented");

        foreach (IMemoryOwner<byte> owner in owners)
        {
            owner.Dispose();
        }

        large.Dispose();
        PoolStatistics statistics = pool.GetStatistics();
        Assert.Multiple(() =>
        {
            Assert.That(statistics.OutstandingBlocks, Is.Zero);
            Assert.That(statistics.OutstandingBytes, Is.Zero);
            Assert.That(statistics.ReservedBytes, Is.Zero);
            Assert.That(statistics.SizeClasses.Sum(c => c.ReservedBlocks), Is.Zero, "a disposed pool keeps nothing");
        });
    }

    private static OrthotopePoolOptions CappedOptions(long cap, OrthotopeLimitBehavior behavior) => new()
    {
        MaxReservedBytes = cap,
        LimitBehavior = behavior,
        TrimInterval = TimeSpan.Zero,
        TrimOnMemoryPressure = false,
    };

    /// <summary>
    /// The promises every figure keeps, whatever was returned. Free memory is checked against the cap outside the
    /// thread caches, which may hold a foreign array until they drain to the central list (or everywhere, after a
    /// trim has drained them).
    /// </summary>
    internal static void AssertSane(PoolStatistics statistics, long cap, string when, bool drained = false)
    {
        long heldFree = statistics.SizeClasses.Sum(c => (c.CentralBlocks + (drained ? c.ThreadCachedBlocks : 0)) * c.BlockLength)
            + statistics.LargeCachedBytes;
        Assert.Multiple(() =>
        {
            Assert.That(statistics.ReservedBytes, Is.InRange(0, cap), $"reserved bytes, {when}");
            Assert.That(statistics.OutstandingBlocks, Is.GreaterThanOrEqualTo(0), $"outstanding blocks, {when}");
            Assert.That(statistics.OutstandingBytes, Is.GreaterThanOrEqualTo(0), $"outstanding bytes, {when}");
            Assert.That(statistics.LargeOutstandingBlocks, Is.GreaterThanOrEqualTo(0), $"large outstanding blocks, {when}");
            Assert.That(statistics.SizeClasses.Select(c => c.OutstandingBlocks), Has.All.GreaterThanOrEqualTo(0), $"per-class outstanding, {when}");
            Assert.That(heldFree, Is.LessThanOrEqualTo(cap), $"free memory the pool holds, {when}");
        });
    }
}
