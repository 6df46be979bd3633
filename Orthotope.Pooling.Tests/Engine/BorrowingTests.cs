using System;
using System.Buffers;
using System.Linq;

namespace Orthotope.Pooling.Tests.Engine;

/// <summary>
/// A rent whose class has nothing free borrows a free block of one of the next four classes before the class grows;
/// the block keeps its own class and goes back there.
/// </summary>
[TestFixture]
public sealed class BorrowingTests
{
    private const int Requested = 4096;

    /// <summary>The next class up from 4096 (4 KiB × 1.25).</summary>
    private const int NextClass = 5120;

    /// <summary>Five classes up from 4096: one past what a rent may borrow from.</summary>
    private const int BeyondBorrowing = 10240;

    [Test]
    public void A_class_with_nothing_free_borrows_from_the_threads_own_cache_without_growing()
    {
        using var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { TrimInterval = TimeSpan.Zero });
        pool.Rent(NextClass).Dispose();
        PoolStatistics before = pool.GetStatistics();

        for (int i = 0; i < 100; i++)
        {
            using IMemoryOwner<byte> owner = pool.Rent(Requested);
            Assert.That(owner.Memory.Length, Is.EqualTo(NextClass), "the 5 KiB block this thread cached");
            owner.Memory.Span.Fill(0xA5);
        }

        PoolStatistics after = pool.GetStatistics();
        Assert.That(after.SlabsAllocated, Is.EqualTo(before.SlabsAllocated), "the 4 KiB class never grew");
        Assert.That(after.ReservedBytes, Is.EqualTo(before.ReservedBytes));
        Assert.That(ClassOf(after, Requested).Rents, Is.EqualTo(100), "borrowed rents count for the class asked for");
        Assert.That(ClassOf(after, Requested).ReservedBlocks, Is.Zero);
        Assert.That(
            ClassOf(after, NextClass).ThreadCachedBlocks,
            Is.EqualTo(ClassOf(before, NextClass).ThreadCachedBlocks),
            "every borrowed block went back to its own class");
        Assert.That(after.OutstandingBlocks, Is.Zero);
    }

    [Test]
    public void Arrays_are_borrowed_the_same_way_and_come_back_to_their_own_class()
    {
        var pool = new OrthotopeArrayPool(new OrthotopePoolOptions { TrimInterval = TimeSpan.Zero });
        pool.Return(pool.Rent(NextClass));
        long cached = ClassOf(pool.GetStatistics(), NextClass).ThreadCachedBlocks;

        byte[] array = pool.Rent(Requested);
        Assert.That(array, Has.Length.EqualTo(NextClass));
        pool.Return(array);

        PoolStatistics statistics = pool.GetStatistics();
        Assert.That(ClassOf(statistics, Requested).ReservedBlocks, Is.Zero);
        Assert.That(ClassOf(statistics, NextClass).ThreadCachedBlocks, Is.EqualTo(cached));
        Assert.That(statistics.OutstandingBlocks, Is.Zero);
    }

    [Test]
    public void A_block_more_than_four_classes_up_is_not_borrowed()
    {
        using var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { TrimInterval = TimeSpan.Zero });
        pool.Rent(BeyondBorrowing).Dispose();

        using IMemoryOwner<byte> owner = pool.Rent(Requested);

        Assert.That(owner.Memory.Length, Is.EqualTo(Requested), "waste is bounded at one doubling: the class grew");
        Assert.That(ClassOf(pool.GetStatistics(), Requested).ReservedBlocks, Is.GreaterThan(0));
    }

    [Test]
    public void A_class_with_blocks_of_its_own_is_served_from_them_rather_than_borrowing()
    {
        using var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { TrimInterval = TimeSpan.Zero });
        pool.Rent(Requested).Dispose();
        pool.Rent(NextClass).Dispose();

        using IMemoryOwner<byte> owner = pool.Rent(Requested);

        Assert.That(owner.Memory.Length, Is.EqualTo(Requested));
    }

    private static SizeClassStatistics ClassOf(PoolStatistics statistics, int length) =>
        statistics.SizeClasses.Single(c => c.BlockLength == length);
}
