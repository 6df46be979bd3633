using System;
using System.Collections.Generic;
using System.Threading;
using Orthotope.Pooling.Engine;

namespace Orthotope.Pooling.Tests.Engine;

/// <summary>The central free list's two places (the lock-free batch queue and the locked stack) under concurrency.</summary>
[TestFixture]
public sealed class CentralFreeListTests
{
    private const int BatchCount = 8;

    [Test]
    public void Whole_batches_go_through_the_queue_and_the_rest_through_the_stack()
    {
        var central = NewCentral(BatchCount);
        central.PutBatch(Made(central, 0, BatchCount));
        central.PutBatch(Made(central, 100, 3));
        Assert.That(central.Snapshot().FreeBlocks, Is.EqualTo(BatchCount + 3));

        var whole = new BlockSlot<Token>[BatchCount];
        Assert.That(central.TakeBatch(whole), Is.EqualTo(BatchCount));
        Assert.That(whole, Has.All.Matches<BlockSlot<Token>>(s => s.Block!.Id < 100), "the queued batch, whole");

        var one = new BlockSlot<Token>[1];
        Assert.That(central.TakeBatch(one), Is.EqualTo(1));
        Assert.That(one[0].Block!.Id, Is.GreaterThanOrEqualTo(100), "single blocks come from the stack");
        Assert.That(central.Snapshot().FreeBlocks, Is.EqualTo(2));
    }

    [Test]
    public void A_small_request_finds_blocks_that_only_the_queue_holds()
    {
        var central = NewCentral(BatchCount);
        central.PutBatch(Made(central, 0, BatchCount));
        Assert.That(central.LooksEmpty, Is.False);

        var one = new BlockSlot<Token>[1];
        Assert.That(central.TakeBatch(one), Is.EqualTo(1));
        Assert.That(central.Snapshot().FreeBlocks, Is.EqualTo(BatchCount - 1));
    }

    [Test]
    public void The_lock_free_empty_check_sees_a_single_block_in_the_stack_and_in_the_queue()
    {
        var central = NewCentral(batchCount: 1);
        var one = new BlockSlot<Token>[1];
        Assert.That(central.TakeBatch(one), Is.Zero, "empty");

        central.Put(Made(central, 1, 1)[0].Block!);
        Assert.That(central.TakeBatch(one), Is.EqualTo(1), "a single put goes to the stack");
        Assert.That(central.TakeBatch(one), Is.Zero);

        central.PutBatch(Made(central, 2, 1));
        Assert.That(central.TakeBatch(new BlockSlot<Token>[4]), Is.EqualTo(1), "a one-block batch sits in the queue");
        Assert.That(central.Snapshot().FreeBlocks, Is.Zero);
    }

    [Test]
    public void A_block_put_twice_is_kept_once()
    {
        var central = new CentralFreeList<Token>(BatchCount, blockLength: 64, new Reservation(limit: 0), adoptsSurplus: false);
        BlockSlot<Token>[] made = Made(central, 0, 2);
        central.Put(made[0].Block!);
        central.Put(made[0].Block!);
        central.Put(made[1].Block!);

        Assert.That(central.Snapshot().FreeBlocks, Is.EqualTo(2));
        Assert.That(central.Snapshot().CreatedBlocks, Is.EqualTo(2));
        Assert.That(new[] { central.TakeOne()!.Id, central.TakeOne()!.Id }, Is.EquivalentTo(new[] { 0, 1 }));
        Assert.That(central.TakeOne(), Is.Null);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Blocks_the_class_never_made_are_adopted_while_the_reservation_has_room_and_dropped_after(bool wholeBatch)
    {
        var reservation = new Reservation(limit: 3 * 64);
        var central = new CentralFreeList<Token>(BatchCount, blockLength: 64, reservation, adoptsSurplus: true);
        BlockSlot<Token>[] foreign = Make(0, wholeBatch ? BatchCount : 5);
        central.PutBatch(foreign);

        CentralFreeList<Token>.CentralSnapshot snapshot = central.Snapshot();
        Assert.That(snapshot.FreeBlocks, Is.EqualTo(3), "as many as the cap counts");
        Assert.That(snapshot.CreatedBlocks, Is.EqualTo(3));
        Assert.That(reservation.Bytes, Is.EqualTo(3 * 64));
    }

    [Test]
    public void A_trim_sees_queued_blocks_and_nothing_is_lost_or_handed_out_twice_under_concurrency()
    {
        const int Tokens = 2048;
        const int Threads = 4;
        const int Rounds = 20_000;
        var central = NewCentral(BatchCount);
        central.AddCreated(Make(0, Tokens), slabs: 0, destination: []);

        int doubleHandouts = 0, corrupted = 0;
        using var stop = new CancellationTokenSource();
        var trimmer = new Thread(() =>
        {
            var keepAll = new KeepAllSource();
            while (!stop.IsCancellationRequested)
            {
                central.Release(keepAll, classIndex: 0, idleBlocks: Tokens);
                _ = central.Snapshot();
                Thread.Yield();
            }
        });
        trimmer.Start();

        var workers = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int me = t + 1;
            workers[t] = new Thread(() =>
            {
                var random = new Random(me);
                var held = new BlockSlot<Token>[BatchCount];
                for (int round = 0; round < Rounds; round++)
                {
                    // Mostly whole batches (the queue), sometimes odd sizes (the stack).
                    int want = random.Next(4) == 0 ? random.Next(1, BatchCount) : BatchCount;
                    int got = central.TakeBatch(held.AsSpan(0, want));
                    for (int i = 0; i < got; i++)
                    {
                        Token token = held[i].Block!;
                        if (Interlocked.CompareExchange(ref token.Holder, me, 0) != 0)
                        {
                            Interlocked.Increment(ref doubleHandouts);
                        }

                        token.Pattern = (me * 1_000_003) ^ token.Id;
                    }

                    Thread.SpinWait(random.Next(20));
                    for (int i = 0; i < got; i++)
                    {
                        Token token = held[i].Block!;
                        if (token.Pattern != ((me * 1_000_003) ^ token.Id))
                        {
                            Interlocked.Increment(ref corrupted);
                        }

                        Volatile.Write(ref token.Holder, 0);
                    }

                    if (got == BatchCount || random.Next(2) == 0)
                    {
                        central.PutBatch(held.AsSpan(0, got));
                    }
                    else
                    {
                        for (int i = 0; i < got; i++)
                        {
                            central.Put(held[i].Block!);
                        }
                    }

                    held.AsSpan().Clear();
                }
            });
            workers[t].Start();
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        stop.Cancel();
        trimmer.Join();

        var seen = new HashSet<int>();
        var drain = new BlockSlot<Token>[BatchCount];
        int taken;
        while ((taken = central.TakeBatch(drain)) > 0)
        {
            for (int i = 0; i < taken; i++)
            {
                Assert.That(seen.Add(drain[i].Block!.Id), Is.True, $"token {drain[i].Block!.Id} was free twice");
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(doubleHandouts, Is.Zero, "a block held by two threads at once");
            Assert.That(corrupted, Is.Zero, "a block's pattern changed while held");
            Assert.That(seen, Has.Count.EqualTo(Tokens), "every block came back");
        });
    }

    /// <summary>Tokens the list counts as its own (created, then handed out), as a class's blocks are.</summary>
    private static BlockSlot<Token>[] Made(CentralFreeList<Token> central, int firstId, int count)
    {
        var taken = new BlockSlot<Token>[count];
        central.AddCreated(Make(firstId, count), slabs: 0, destination: taken);
        return taken;
    }

    private static BlockSlot<Token>[] Make(int firstId, int count)
    {
        var slots = new BlockSlot<Token>[count];
        for (int i = 0; i < count; i++)
        {
            slots[i].Block = new Token(firstId + i);
        }

        return slots;
    }

    /// <summary>A central list with no cap that adopts the tokens a test puts in without creating them.</summary>
    private static CentralFreeList<Token> NewCentral(int batchCount) => new(batchCount, blockLength: 1, new Reservation(limit: 0), adoptsSurplus: true);

    private sealed class Token(int id)
    {
        public int Id { get; } = id;

        public int Holder;

        public int Pattern;
    }

    /// <summary>A block source whose trim keeps every free block, so a test can count them afterwards.</summary>
    private sealed class KeepAllSource : BlockSource<Token>
    {
        public override ReleaseResult ReleaseFree(int classIndex, Span<BlockSlot<Token>> free, int maxBlocks) =>
            new(free.Length, 0, 0, 0);

        public override long GetGrowthBytes(int classIndex, int slabsHeld, long atMost) => throw new NotSupportedException();

        public override string DescribeGrowth(int classIndex, long bytes) => throw new NotSupportedException();

        public override bool AdoptsSurplus => true;

        public override BlockSlot<Token>[] Grow(int classIndex, long bytes, out int slabs) => throw new NotSupportedException();

        public override int GetStride(int classIndex) => 0;
    }
}
