using System;
using System.Diagnostics;
using System.Threading;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// The central pool of one size class: a lock-protected stack of free blocks that thread caches refill from and
/// drain to in batches, plus the class's bookkeeping (blocks created, slabs, refills).
/// </summary>
/// <remarks>
/// Thread-safe: every member takes <see cref="_lock"/> unless its name ends in <c>Locked</c>, which needs it held.
/// Threads meet here only once per batch, so one lock per class stays uncontended in practice.
/// </remarks>
internal sealed class CentralFreeList<TBlock>
    where TBlock : class
{
    private readonly Lock _lock = new();

    /// <summary>Free blocks; the top of the stack (highest index) is handed out first. Guarded by <see cref="_lock"/>.</summary>
    private BlockSlot<TBlock>[] _items = new BlockSlot<TBlock>[16];

    /// <summary>How many entries of <see cref="_items"/> are in use. Guarded by <see cref="_lock"/>.</summary>
    private int _count;

    /// <summary>Blocks of this class created and not yet released. Guarded by <see cref="_lock"/>.</summary>
    private long _createdBlocks;

    /// <summary>Slabs of this class held. Guarded by <see cref="_lock"/>.</summary>
    private int _slabs;

    /// <summary>Slabs ever created for this class; sizes the next one. Guarded by <see cref="_lock"/>.</summary>
    private int _growths;

    /// <summary>Batches handed to thread caches (each one a thread-cache miss). Guarded by <see cref="_lock"/>.</summary>
    private long _refills;

    /// <summary>
    /// The fewest free blocks held since the last idle trim: that many sat unused for the whole period, so an idle
    /// trim may release them. Guarded by <see cref="_lock"/>.
    /// </summary>
    private int _lowWater;

    public int Growths
    {
        get
        {
            lock (_lock)
            {
                return _growths;
            }
        }
    }

    /// <summary>
    /// Whether the list looked empty a moment ago: a read without the lock, so it may be stale either way. For callers
    /// that only look for a spare block and would rather skip a list than take its lock to find nothing.
    /// </summary>
    public bool LooksEmpty => Volatile.Read(ref _count) == 0;

    /// <summary>Moves up to <paramref name="destination"/>.Length free blocks into it; returns how many.</summary>
    public int TakeBatch(Span<BlockSlot<TBlock>> destination)
    {
        lock (_lock)
        {
            int n = Math.Min(destination.Length, _count);
            if (n > 0)
            {
                Span<BlockSlot<TBlock>> top = _items.AsSpan(_count - n, n);
                top.CopyTo(destination);
                top.Clear();
                _count -= n;
                _refills++;
                _lowWater = Math.Min(_lowWater, _count);
            }

            return n;
        }
    }

    /// <summary>Adds free blocks.</summary>
    public void PutBatch(ReadOnlySpan<BlockSlot<TBlock>> blocks)
    {
        lock (_lock)
        {
            PutBatchLocked(blocks);
        }
    }

    /// <summary>Adds one free block.</summary>
    public void Put(TBlock block)
    {
        lock (_lock)
        {
            EnsureCapacityLocked(1);
            _items[_count++].Block = block;
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
            _growths++;
            int n = Math.Min(destination.Length, created.Length);
            created[..n].CopyTo(destination);
            PutBatchLocked(created[n..]);
            if (n > 0)
            {
                _refills++;
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

    /// <summary>Drops every free block (the engine is being disposed).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _items = [];
            _count = 0;
        }
    }

    public CentralSnapshot Snapshot()
    {
        lock (_lock)
        {
            return new CentralSnapshot(_count, _createdBlocks, _slabs, _refills);
        }
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

    /// <summary>What <see cref="Snapshot"/> saw, all read under one lock.</summary>
    internal readonly record struct CentralSnapshot(int FreeBlocks, long CreatedBlocks, int Slabs, long Refills);
}
