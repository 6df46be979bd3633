using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// The central pool of one size class: a lock-protected stack of free blocks, and in front of it a lock-free queue of
/// whole refill batches, through which thread caches exchange blocks; plus the class's bookkeeping (blocks created,
/// slabs, refills).
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe: every member takes <see cref="_lock"/> unless its name ends in <c>Locked</c>, which needs it held, or
/// it says it does not.
/// </para>
/// <para>
/// Why the queue: when one thread rents and another disposes (every <c>Pipe</c>), the renter refills and the disposer
/// drains a batch at a time, and on a lock the two collide on most batches, the waiter blocking each time (figures
/// in docs/benchmarks.md, W4). A batch of exactly the class's batch count travels instead as one
/// <see cref="BlockBatch{TBlock}"/> through a <see cref="ConcurrentQueue{T}"/>: a few interlocked operations and no
/// waiting. Everything else (single blocks, odd-sized batches from trims, growth,
/// borrowing) uses the locked stack, and a trim first moves every queued batch there, so slab release, the low-water
/// mark and statistics see all free blocks. A block is always in exactly one place: a queued batch, the stack, or
/// the hands of the one thread that took it out of either.
/// </para>
/// <para>
/// Surplus: the list never holds more free blocks than the class has created. Blocks the pool did not hand out (an
/// array returned twice, or one that came from elsewhere) can reach it. The free blocks are counted where they pile
/// up: a single put, a locked batch, a trim, and a whole batch that finds no spare batch object (the queue holds more
/// than it ever did); a surplus is resolved under the lock: duplicates of one block are dropped, the rest adopted if
/// the source allows it and the reservation has room for them (they are then counted like the class's own blocks),
/// and dropped otherwise. Neither the fast paths nor the steady exchange of batches between two threads pay for
/// this: that exchange recycles its batch objects.
/// </para>
/// </remarks>
internal sealed class CentralFreeList<TBlock>
    where TBlock : class
{
    private readonly Lock _lock = new();

    /// <summary>How many blocks a refill batch of this class holds; only batches of exactly this size are queued.</summary>
    private readonly int _batchCount;

    /// <summary>The length of this class's blocks: what a surplus block adopted into the class reserves.</summary>
    private readonly int _blockLength;

    /// <summary>The pool's reservation, charged for surplus blocks adopted into the class.</summary>
    private readonly Reservation _reservation;

    /// <summary>Whether a surplus block that is not a duplicate may be adopted (arrays: any array of the length will do).</summary>
    private readonly bool _adoptsSurplus;

    /// <summary>
    /// The queue of full batches and the spare empty ones, made on the first whole batch put here (a queue costs
    /// about a kilobyte, and most classes of most pools never see a batch). Published once with a CAS.
    /// </summary>
    private BatchQueues? _queues;

    public CentralFreeList(int batchCount, int blockLength, Reservation reservation, bool adoptsSurplus)
    {
        Debug.Assert(batchCount > 0);
        _batchCount = batchCount;
        _blockLength = blockLength;
        _reservation = reservation;
        _adoptsSurplus = adoptsSurplus;
    }

    /// <summary>Free blocks; the top of the stack (highest index) is handed out first. Guarded by <see cref="_lock"/>.</summary>
    private BlockSlot<TBlock>[] _items = new BlockSlot<TBlock>[16];

    /// <summary>How many entries of <see cref="_items"/> are in use. Guarded by <see cref="_lock"/>.</summary>
    private int _count;

    /// <summary>Blocks of this class created and not yet released. Guarded by <see cref="_lock"/>.</summary>
    private long _createdBlocks;

    /// <summary>Slabs of this class held. Guarded by <see cref="_lock"/>.</summary>
    private int _slabs;


    /// <summary>Batches handed to thread caches (each one a thread-cache miss). Changed with interlocked operations.</summary>
    private long _refills;

    /// <summary>Rents served straight from this list, without a thread cache (caches off). Interlocked.</summary>
    private long _uncachedRents;

    /// <summary>
    /// The fewest free blocks held since the last idle trim: that many sat unused for the whole period, so an idle
    /// trim may release them. Guarded by <see cref="_lock"/>.
    /// </summary>
    private int _lowWater;

    /// <summary>Slabs of this class held now; the next growth is sized from it, so a class trimmed down grows again as it first did.</summary>
    public int Slabs
    {
        get
        {
            lock (_lock)
            {
                return _slabs;
            }
        }
    }

    /// <summary>
    /// Whether the list looked empty a moment ago: a read without the lock, so it may be stale either way. For callers
    /// that only look for a spare block and would rather skip a list than take its lock to find nothing.
    /// </summary>
    public bool LooksEmpty => Volatile.Read(ref _count) == 0 && (Volatile.Read(ref _queues)?.Queued.IsEmpty ?? true);

    /// <summary>Moves up to <paramref name="destination"/>.Length free blocks into it; returns how many.</summary>
    /// <remarks>A whole batch comes from the queue without the lock when one is there.</remarks>
    public int TakeBatch(Span<BlockSlot<TBlock>> destination)
    {
        BatchQueues? queues = Volatile.Read(ref _queues);
        BlockBatch<TBlock>? batch = null;
        if (queues is not null && destination.Length == _batchCount && queues.Queued.TryDequeue(out batch))
        {
            Span<BlockSlot<TBlock>> items = batch.Items;
            items.CopyTo(destination);
            items.Clear();
            queues.Spares.Enqueue(batch);
            Interlocked.Increment(ref _refills);
            return destination.Length;
        }

        if (Volatile.Read(ref _count) == 0 && (queues is null || queues.Queued.IsEmpty))
        {
            // Nothing to take, seen without the lock: a miss that will borrow or grow need not queue behind a
            // drain. A put racing with this read is found by the next refill; at worst this one grows a slab early.
            return 0;
        }

        lock (_lock)
        {
            if (queues is not null && _count < destination.Length && queues.Queued.TryDequeue(out batch))
            {
                // A smaller request (borrowing, no thread caches) or a race with the queue: bring one batch in.
                PutBatchLocked(batch.Items);
                batch.Items.AsSpan().Clear();
                queues.Spares.Enqueue(batch);
            }

            int n = Math.Min(destination.Length, _count);
            if (n > 0)
            {
                Span<BlockSlot<TBlock>> top = _items.AsSpan(_count - n, n);
                top.CopyTo(destination);
                top.Clear();
                _count -= n;
                Interlocked.Increment(ref _refills);
                _lowWater = Math.Min(_lowWater, _count);
            }

            return n;
        }
    }

    /// <summary>Takes one free block, or returns null; an empty list answers without its lock.</summary>
    public TBlock? TakeOne()
    {
        BlockSlot<TBlock> one = default;
        return TakeBatch(new Span<BlockSlot<TBlock>>(ref one)) == 1 ? one.Block : null;
    }

    /// <summary>Counts a rent served from this list without a thread cache.</summary>
    public void CountUncachedRent() => Interlocked.Increment(ref _uncachedRents);

    /// <summary>Adds free blocks; a whole batch goes to the queue without the lock.</summary>
    public void PutBatch(ReadOnlySpan<BlockSlot<TBlock>> blocks)
    {
        if (blocks.Length == _batchCount)
        {
            BatchQueues queues = Volatile.Read(ref _queues) ?? CreateQueues();
            if (queues.Spares.TryDequeue(out BlockBatch<TBlock>? batch))
            {
                blocks.CopyTo(batch.Items);
                queues.Queued.Enqueue(batch);
                return;
            }

            // No spare batch: the queue holds more than it ever did. That is where a surplus would pile up, so the
            // free blocks are counted here, under the lock, and not on every batch (a counter that the renting and
            // the returning threads both wrote per batch cost W4 a cache line changing cores each time).
            batch = new BlockBatch<TBlock>(_batchCount);
            blocks.CopyTo(batch.Items);
            queues.Queued.Enqueue(batch);
            lock (_lock)
            {
                ResolveSurplusLocked();
            }

            return;
        }

        lock (_lock)
        {
            PutBatchLocked(blocks);
            ResolveSurplusLocked();
        }
    }

    /// <summary>Adds one free block.</summary>
    public void Put(TBlock block)
    {
        lock (_lock)
        {
            EnsureCapacityLocked(1);
            _items[_count++].Block = block;
            ResolveSurplusLocked();
        }
    }

    /// <summary>
    /// Forgets a block that came back after the pool was disposed: it is dropped, and no longer counted as created.
    /// </summary>
    public void ForgetReturned()
    {
        lock (_lock)
        {
            _createdBlocks = Math.Max(0, _createdBlocks - 1);
        }
    }

    /// <summary>
    /// Records freshly created blocks: hands the first of them to <paramref name="destination"/> and keeps the rest.
    /// Returns how many went to <paramref name="destination"/>.
    /// </summary>
    public int AddCreated(ReadOnlySpan<BlockSlot<TBlock>> created, int slabs, Span<BlockSlot<TBlock>> destination)
    {
        lock (_lock)
        {
            _createdBlocks += created.Length;
            _slabs += slabs;
            int n = Math.Min(destination.Length, created.Length);
            created[..n].CopyTo(destination);
            PutBatchLocked(created[n..]);
            if (n > 0)
            {
                Interlocked.Increment(ref _refills);
            }

            return n;
        }
    }

    /// <summary>
    /// Offers the free blocks to <paramref name="source"/>, which releases whole slabs (or arrays) of at most
    /// <paramref name="idleBlocks"/> plus the low-water mark of blocks, and compacts the rest in place. A full trim
    /// passes <see cref="int.MaxValue"/>. Resets the low-water mark.
    /// </summary>
    public ReleaseResult Release(BlockSource<TBlock> source, int classIndex, int idleBlocks)
    {
        lock (_lock)
        {
            // Every free block must be in the stack for the slab tally; queued batches joined since the last trim,
            // so they do not raise the low-water mark.
            DrainQueueLocked();
            Volatile.Read(ref _queues)?.Spares.Clear();
            ResolveSurplusLocked();

            ReleaseResult result = default;
            long budget = Math.Min(int.MaxValue, (long)idleBlocks + _lowWater);
            if (_count > 0 && budget > 0)
            {
                result = source.ReleaseFree(classIndex, _items.AsSpan(0, _count), (int)budget);
                Debug.Assert(result.RemainingBlocks <= _count);
                _items.AsSpan(result.RemainingBlocks, _count - result.RemainingBlocks).Clear();
                _count = result.RemainingBlocks;
                _createdBlocks -= result.ReleasedBlocks;
                _slabs -= result.ReleasedSlabs;
                Debug.Assert(_createdBlocks >= 0 && _slabs >= 0);
            }

            _lowWater = _count;
            return result;
        }
    }

    /// <summary>
    /// Drops every free block (the engine is being disposed); they are no longer counted as created, so what stays
    /// counted is what is still rented.
    /// </summary>
    public void Clear()
    {
        lock (_lock)
        {
            DrainQueueLocked();
            _createdBlocks = Math.Max(0, _createdBlocks - _count);
            _items = [];
            _count = 0;
            _slabs = 0;
            Volatile.Write(ref _queues, null);
        }
    }

    public CentralSnapshot Snapshot()
    {
        lock (_lock)
        {
            // The queued count changes without the lock, so it may be a batch off while blocks move.
            return new CentralSnapshot(
                _count + QueuedBlocks, _createdBlocks, _slabs, Interlocked.Read(ref _refills),
                Interlocked.Read(ref _uncachedRents));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private BatchQueues CreateQueues()
    {
        var created = new BatchQueues();
        return Interlocked.CompareExchange(ref _queues, created, null) ?? created;
    }

    /// <summary>Blocks in the queue's batches: a moment's count (the queue changes without the lock).</summary>
    private int QueuedBlocks => (Volatile.Read(ref _queues)?.Queued.Count ?? 0) * _batchCount;

    /// <summary>
    /// Moves every queued batch onto the stack, so the stack holds every free block. The batch objects are dropped, not
    /// kept as spares: a drain that later finds no spare makes a new one and counts the free blocks again, so a surplus
    /// cannot build up again unseen in the batches this one emptied.
    /// </summary>
    private void DrainQueueLocked()
    {
        if (Volatile.Read(ref _queues) is { } queues)
        {
            while (queues.Queued.TryDequeue(out BlockBatch<TBlock>? batch))
            {
                PutBatchLocked(batch.Items);
            }
        }
    }

    /// <summary>
    /// If the list holds more free blocks than the class created, drops duplicates, adopts what the reservation can
    /// count (when the source allows), and drops the rest: afterwards free blocks never exceed created ones.
    /// </summary>
    private void ResolveSurplusLocked()
    {
        if (_count + QueuedBlocks <= _createdBlocks)
        {
            return;
        }

        DrainQueueLocked();
        if (_count <= _createdBlocks)
        {
            return;
        }

        // The same block twice is one block.
        var seen = new HashSet<TBlock>(_count, ReferenceEqualityComparer.Instance);
        int kept = 0;
        for (int i = 0; i < _count; i++)
        {
            if (seen.Add(_items[i].Block!))
            {
                _items[kept++] = _items[i];
            }
        }

        _items.AsSpan(kept, _count - kept).Clear();
        _count = kept;

        long surplus = _count - _createdBlocks;
        while (surplus > 0 && _adoptsSurplus && _reservation.TryReserve(_blockLength))
        {
            _createdBlocks++;
            surplus--;
        }

        if (surplus > 0)
        {
            // No room to count them: drop the oldest free blocks (the bottom of the stack).
            int drop = (int)surplus;
            _items.AsSpan(drop, _count - drop).CopyTo(_items);
            _items.AsSpan(_count - drop, drop).Clear();
            _count -= drop;
        }

        _lowWater = Math.Min(_lowWater, _count);
    }

    private void PutBatchLocked(ReadOnlySpan<BlockSlot<TBlock>> blocks)
    {
        EnsureCapacityLocked(blocks.Length);
        blocks.CopyTo(_items.AsSpan(_count));
        _count += blocks.Length;
    }

    private void EnsureCapacityLocked(int extra)
    {
        if (_items.Length - _count < extra)
        {
            Array.Resize(ref _items, Math.Max(_count + extra, Math.Max(16, _items.Length * 2)));
        }
    }

    /// <summary>The lock-free side of a central list: full batches, and empty ones kept for reuse.</summary>
    private sealed class BatchQueues
    {
        public ConcurrentQueue<BlockBatch<TBlock>> Queued { get; } = new();

        public ConcurrentQueue<BlockBatch<TBlock>> Spares { get; } = new();
    }

    /// <summary>What <see cref="Snapshot"/> saw, all read under one lock.</summary>
    internal readonly record struct CentralSnapshot(int FreeBlocks, long CreatedBlocks, int Slabs, long Refills, long UncachedRents);
}
