using System;
using System.Linq;
using System.Threading;
using Orthotope.Pooling.Engine;

namespace Orthotope.Pooling.Tests.Engine;

/// <summary>
/// The thread cache on its own, as its owner and a trimmer use it: the per-class stacks, refills, burst growth,
/// draining to the central list, flushing, and the steal handshake.
/// </summary>
[TestFixture]
public sealed class ThreadCacheTests
{
    private const int Length = 4096;

    // 16 KiB per class and 8 KiB batches: the 4 KiB class keeps 4 blocks, moves 2 at a time, and a burst may grow it
    // to 16 (four times the budget).
    private static readonly OrthotopePoolOptions s_options = new() { ThreadCacheBytesPerClass = 4 * Length, RefillBatchBytes = 2 * Length };

    private static readonly SizeClassTable s_classes = new(OrthotopePoolOptions.DefaultLargestSizeClass);

    private static readonly int s_class = SizeClassTable.GetIndex(Length);

    [Test]
    public void The_limits_follow_the_options()
    {
        var limits = new CacheLimits(s_classes, s_options);
        Assert.Multiple(() =>
        {
            Assert.That(limits.Enabled, Is.True);
            Assert.That(limits.BaseLimit(s_class), Is.EqualTo(4));
            Assert.That(limits.BatchCount(s_class), Is.EqualTo(2));
            Assert.That(limits.BurstLimit(s_class), Is.EqualTo(16));
            Assert.That(limits.BaseLimit(s_classes.Count - 1), Is.EqualTo(2), "a class always keeps two blocks");
            Assert.That(limits.BaseLimit(SizeClassTable.GetIndex(512)), Is.EqualTo(32));
            Assert.That(limits.BurstLimit(SizeClassTable.GetIndex(512)), Is.EqualTo(CacheLimits.MaxBurstBlocks), "bursts are capped in blocks too");
            Assert.That(limits.BurstLimit(0), Is.EqualTo(limits.BaseLimit(0)), "never below the base limit");
        });
    }

    [Test]
    public void A_new_cache_holds_nothing_and_keeps_one_returned_block_before_its_stack_exists()
    {
        ThreadCache<Block> cache = NewCache();
        Assert.That(cache.TryPop(s_class), Is.Null);
        Assert.That(cache.TryPush(s_class, new Block(1)), Is.True, "the hot slot needs no array");
        Assert.That(cache.TryPush(s_class, new Block(2)), Is.False, "the array is allocated on the class's first slow path");
        Assert.That(Counts(cache).Cached[s_class], Is.EqualTo(1));
        Assert.That(cache.TryPop(s_class)!.Id, Is.EqualTo(1));
        Assert.That(cache.TryPop(s_class), Is.Null);
    }

    [Test]
    public void A_refill_fills_one_batch_and_the_stack_is_last_in_first_out()
    {
        ThreadCache<Block> cache = NewCache();
        Span<BlockSlot<Block>> space = cache.BeginRefill(s_class);
        Assert.That(space.Length, Is.EqualTo(2), "one batch");
        space[0].Block = new Block(1);
        space[1].Block = new Block(2);

        Block rented = cache.CompleteRefill(s_class, 2);
        Assert.That(rented.Id, Is.EqualTo(2), "the top of the refill goes to the rent");

        Assert.That(cache.TryPush(s_class, new Block(3)), Is.True);
        Assert.That(cache.TryPop(s_class)!.Id, Is.EqualTo(3));
        Assert.That(cache.TryPop(s_class)!.Id, Is.EqualTo(1));
        Assert.That(cache.TryPop(s_class), Is.Null);
        Assert.That(Counts(cache).Rents[s_class], Is.EqualTo(3), "every pop for a rent is counted");
    }

    [Test]
    public void A_thread_that_only_returns_drains_a_batch_to_the_central_list()
    {
        ThreadCache<Block> cache = NewCache();
        var central = NewCentral(batchCount: 2);
        for (int id = 0; id < 5; id++)
        {
            cache.PushOverflow(s_class, Length, new Block(id), central);
        }

        Assert.That(central.Snapshot().FreeBlocks, Is.Zero, "the hot slot and the base limit of four hold five blocks");
        cache.PushOverflow(s_class, Length, new Block(5), central);

        Assert.That(central.Snapshot().FreeBlocks, Is.EqualTo(2), "one batch went to the centre");
        var drained = new BlockSlot<Block>[2];
        Assert.That(central.TakeBatch(drained), Is.EqualTo(2));
        Assert.That(drained.Select(s => s.Block!.Id), Is.EquivalentTo(new[] { 3, 4 }), "the array's top two: none of the rest moves");
        Assert.That(Counts(cache).Cached[s_class], Is.EqualTo(4));
        Assert.That(cache.TryPop(s_class)!.Id, Is.EqualTo(0), "the hot slot first");
        Assert.That(cache.TryPop(s_class)!.Id, Is.EqualTo(5), "then the array, newest first");
    }

    [Test]
    public void A_burst_grows_the_stack_instead_of_draining_and_a_flush_shrinks_it_back()
    {
        ThreadCache<Block> cache = NewCache();
        var central = NewCentral(batchCount: 2);
        for (int id = 0; id < 16; id++)
        {
            cache.PushOverflow(s_class, Length, new Block(id), central);
            cache.CountRent(s_class); // the thread rents from the class too: each overflow is a burst
        }

        Assert.That(central.Snapshot().FreeBlocks, Is.Zero, "the burst stayed local: the array grew from 4 to 8 to 16");
        Assert.That(Counts(cache).Cached[s_class], Is.EqualTo(16));

        cache.PushOverflow(s_class, Length, new Block(16), central);
        Assert.That(central.Snapshot().FreeBlocks, Is.Zero, "16 in the array and one hot");
        cache.PushOverflow(s_class, Length, new Block(17), central);
        Assert.That(central.Snapshot().FreeBlocks, Is.EqualTo(2), "past the burst limit, batches drain again");

        var moved = new int[s_classes.Count];
        cache.Flush(CentralLists(central), moved);
        Assert.That(moved[s_class], Is.EqualTo(16));
        Assert.That(central.Snapshot().FreeBlocks, Is.EqualTo(18));
        Assert.That(Counts(cache).Cached.Sum(), Is.Zero);

        // Shrunk to the base limit, and no rent since the last overflow: the sixth push drains a batch.
        for (int id = 0; id < 6; id++)
        {
            cache.PushOverflow(s_class, Length, new Block(100 + id), central);
        }

        Assert.That(central.Snapshot().FreeBlocks, Is.EqualTo(20));
    }

    [Test]
    public void Burst_growth_over_all_classes_is_bounded_by_the_allowance()
    {
        ThreadCache<Block> cache = NewCache();
        int larger = SizeClassTable.GetIndex(2 * Length);
        var limits = new CacheLimits(s_classes, s_options);

        // Growing the 4 KiB class to its burst limit of 16 takes 48 KiB of the 64 KiB allowance.
        Assert.That(GrowBurst(cache, s_class, Length, pushes: 16, NewCentral(batchCount: 2)), Is.EqualTo(16));

        // The 8 KiB class (base 2, burst limit 8) may then grow by 16 KiB only: to 4 blocks in its array, and one hot.
        Assert.That(limits.BurstLimit(larger), Is.EqualTo(8));
        Assert.That(GrowBurst(cache, larger, 2 * Length, pushes: 8, NewCentral(batchCount: 1)), Is.EqualTo(5));
    }

    [Test]
    public void Lending_does_not_count_a_rent_for_the_lender()
    {
        ThreadCache<Block> cache = NewCache();
        int larger = s_class + 1;
        cache.BeginRefill(larger)[0].Block = new Block(1);
        Assert.That(cache.CompleteRefill(larger, 1).Id, Is.EqualTo(1));
        Assert.That(cache.TryPush(larger, new Block(2)), Is.True);

        Block? lent = cache.TryLend(larger);
        cache.CountRent(s_class);

        Assert.That(lent!.Id, Is.EqualTo(2));
        (long[] cachedCounts, long[] rents) = Counts(cache);
        Assert.That(rents[larger], Is.EqualTo(1), "only the refill's own rent");
        Assert.That(rents[s_class], Is.EqualTo(1));
        Assert.That(cachedCounts[larger], Is.Zero);
    }

    [Test]
    public void A_steal_is_refused_while_the_owner_is_inside_its_fast_path_and_the_owner_steps_aside_during_one()
    {
        ThreadCache<Block> cache = NewCache();

        Assert.That(cache.TryEnter(), Is.True);
        Assert.That(cache.StealLock.TryEnter(), Is.True);
        Assert.That(cache.BeginSteal(), Is.False, "the owner is mid-operation");
        cache.EndSteal();
        cache.StealLock.Exit();
        cache.Exit();

        Assert.That(cache.StealLock.TryEnter(), Is.True);
        Assert.That(cache.BeginSteal(), Is.True, "the owner is outside its fast path");
        Assert.That(cache.TryEnter(), Is.False, "the owner takes its slow path while a steal runs");
        cache.EndSteal();
        cache.StealLock.Exit();

        Assert.That(cache.TryEnter(), Is.True);
        cache.Exit();
    }

    [Test]
    public void The_activity_signature_changes_with_use_and_not_without()
    {
        ThreadCache<Block> cache = NewCache();
        long idle = cache.ActivitySignature();
        Assert.That(cache.ActivitySignature(), Is.EqualTo(idle));

        cache.PushOverflow(s_class, Length, new Block(1), NewCentral(batchCount: 2));
        long afterPush = cache.ActivitySignature();
        Assert.That(afterPush, Is.Not.EqualTo(idle));

        cache.TryPop(s_class);
        Assert.That(cache.ActivitySignature(), Is.Not.EqualTo(afterPush));
    }

    [Test]
    public void A_closed_cache_gives_its_blocks_to_the_centre_and_sends_its_owner_to_the_slow_path_for_good()
    {
        ThreadCache<Block> cache = NewCache();
        CentralFreeList<Block> central = NewCentral(batchCount: 2);
        cache.PushOverflow(s_class, Length, new Block(1), central);
        cache.StealLock.Enter();
        cache.Close(CentralLists(central));
        cache.StealLock.Exit();

        Assert.That(central.TakeOne()!.Id, Is.EqualTo(1));
        Assert.That(Counts(cache).Cached.Sum(), Is.Zero);
        Assert.That(cache.TryEnter(), Is.False, "the owner's fast path is closed");
        Assert.That(cache.TryEnter(), Is.False, "for good");
    }

    [Test]
    public void The_registry_finds_a_threads_own_cache_sweeps_exited_threads_and_forgets_caches_once_closed()
    {
        var limits = new CacheLimits(s_classes, s_options);
        CentralFreeList<Block>[] central = Enumerable.Range(0, s_classes.Count).Select(i => NewCentral(limits.BatchCount(i))).ToArray();
        var registry = new ThreadCacheRegistry<Block>(limits, central);
        Assert.That(registry.Current(), Is.Null);

        ThreadCache<Block> mine = registry.GetOrCreate()!;
        Assert.That(registry.Current(), Is.SameAs(mine));
        Assert.That(registry.GetOrCreate(), Is.SameAs(mine));

        var other = new Thread(() =>
        {
            ThreadCache<Block> cache = registry.GetOrCreate()!;
            cache.StealLock.Enter();
            cache.PushOverflow(s_class, Length, new Block(7), central[s_class]);
            cache.StealLock.Exit();
        });
        other.Start();
        other.Join();
        Assert.That(registry.Count, Is.EqualTo(2), "an exited thread's cache stays until a sweep");

        var moved = new int[s_classes.Count];
        registry.DrainIdle(all: false, moved);
        Assert.That(registry.Count, Is.EqualTo(1));
        Assert.That(moved[s_class], Is.EqualTo(1), "the dead thread's block went to the centre");
        Assert.That(central[s_class].TakeOne()!.Id, Is.EqualTo(7));

        registry.Close();
        var successor = new ThreadCacheRegistry<Block>(limits, central);
        Assert.That(successor.Current(), Is.Null, "a registry that reuses the slot never mistakes the old cache for its own");
        Assert.That(successor.GetOrCreate(), Is.Not.SameAs(mine));
        successor.Close();
    }

    /// <summary>A central list with no cap that adopts every block pushed to it, as an array pool's does.</summary>
    private static CentralFreeList<Block> NewCentral(int batchCount) => new(batchCount, Length, new Reservation(limit: 0), adoptsSurplus: true);

    private static ThreadCache<Block> NewCache() => new(new object(), Thread.CurrentThread, new CacheLimits(s_classes, s_options));

    private static CentralFreeList<Block>[] CentralLists(CentralFreeList<Block> forClass)
    {
        var lists = new CentralFreeList<Block>[s_classes.Count];
        for (int i = 0; i < lists.Length; i++)
        {
            lists[i] = i == s_class ? forClass : NewCentral(batchCount: 1);
        }

        return lists;
    }

    /// <summary>Pushes with a rent after each (so every overflow is a burst); returns what the stack holds at the end.</summary>
    private static int GrowBurst(ThreadCache<Block> cache, int classIndex, int length, int pushes, CentralFreeList<Block> central)
    {
        for (int id = 0; id < pushes; id++)
        {
            cache.PushOverflow(classIndex, length, new Block(id), central);
            cache.CountRent(classIndex);
        }

        return (int)Counts(cache).Cached[classIndex];
    }

    private static (long[] Cached, long[] Rents) Counts(ThreadCache<Block> cache)
    {
        var cached = new long[s_classes.Count];
        var rents = new long[s_classes.Count];
        cache.AddCounts(cached, rents);
        return (cached, rents);
    }

    private sealed class Block(int id)
    {
        public int Id { get; } = id;
    }
}
