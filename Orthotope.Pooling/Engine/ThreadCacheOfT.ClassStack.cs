using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Orthotope.Pooling.Engine;

internal sealed partial class ThreadCache<TBlock>
{
    /// <summary>
    /// A thread's stack of free blocks of one size class: the newest in a slot of its own (<c>_hot</c>), the rest in
    /// an array whose bottom <see cref="Count"/> entries hold blocks, the top one handed out first.
    /// </summary>
    /// <remarks>
    /// A mutable struct, used only in place in its cache's array. Only the cache's owner (inside its fast path or
    /// under the steal lock) or a thread holding the steal lock with the owner proven idle changes it; statistics
    /// read <see cref="Count"/> and <see cref="Rents"/> racily, through <see cref="ReadCount"/> and
    /// <see cref="ReadRents"/>.
    /// </remarks>
    private struct ClassStack
    {
        /// <summary>The entries; its length is the class's current limit, or zero until the class is first used.</summary>
        private BlockSlot<TBlock>[] _items;

        /// <summary>
        /// The newest free block, kept out of the array: a rent that follows a dispose (the commonest pattern) takes
        /// it with a load and a store, where the array costs a dozen instructions (its length, the count, the entry).
        /// Null when the stack is empty or the array holds the newest block.
        /// </summary>
        private TBlock? _hot;

        /// <summary>How many entries of <see cref="_items"/>, from the bottom, hold a free block (<c>_hot</c> aside).</summary>
        public int Count;

        /// <summary>Rents served to this thread from this class, for statistics and the activity signature.</summary>
        public long Rents;

        /// <summary><see cref="Rents"/> when the stack last overflowed: unchanged means the thread only returns.</summary>
        private long _rentsAtLastOverflow;

        public ClassStack(BlockSlot<TBlock>[] items) => _items = items;

        public readonly int Capacity => _items.Length;

        public readonly bool IsFull => _hot is not null && Count == _items.Length;

        /// <summary>Whether the thread rented from this class since the stack last overflowed (a burst, not a one-way flow).</summary>
        public readonly bool RentedSinceLastOverflow => Rents != _rentsAtLastOverflow;

        /// <summary>Pops the newest block, clearing its entry, or returns null when the stack is empty.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TBlock? TryPop()
        {
            TBlock? hot = _hot;
            if (hot is not null)
            {
                _hot = null;
                return hot;
            }

            BlockSlot<TBlock>[] items = _items;
            int top = Count - 1;
            if ((uint)top >= (uint)items.Length)
            {
                return null;
            }

            Count = top;
            TBlock? block = items[top].Block;
            items[top].Block = null;
            Debug.Assert(block is not null, "an entry below Count always holds a block");
            return block;
        }

        /// <summary>Pushes a block; false when the stack is full (the array's part full or not yet allocated).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool TryPush(TBlock block)
        {
            if (_hot is null)
            {
                _hot = block;
                return true;
            }

            BlockSlot<TBlock>[] items = _items;
            int count = Count;
            if ((uint)count >= (uint)items.Length)
            {
                return false;
            }

            // The hot block stays: a pop takes it first, then the array newest first. Moving it down to keep the order
            // strictly newest first would cost a second store, with its write barrier, for one block out of order.
            items[count].Block = block;
            Count = count + 1;
            return true;
        }

        /// <summary>Allocates the stack at <paramref name="capacity"/> entries on the class's first use.</summary>
        public void EnsureCapacity(int capacity)
        {
            if (_items.Length == 0)
            {
                _items = new BlockSlot<TBlock>[capacity];
            }
        }

        /// <summary>The first <paramref name="count"/> entries above the top, for a refill to write into.</summary>
        public readonly Span<BlockSlot<TBlock>> EmptySpace(int count) => _items.AsSpan(Count, Math.Min(count, _items.Length - Count));

        /// <summary>Records that <paramref name="count"/> blocks were written above the top.</summary>
        public void Added(int count)
        {
            Debug.Assert(count > 0 && Count + count <= _items.Length);
            Count += count;
        }

        /// <summary>Grows the stack to <paramref name="capacity"/> entries, keeping its blocks.</summary>
        public void Grow(int capacity)
        {
            Debug.Assert(capacity > _items.Length);
            Array.Resize(ref _items, capacity);
        }

        /// <summary>Replaces a stack grown beyond <paramref name="capacity"/> by an empty one of that size.</summary>
        public void ShrinkTo(int capacity)
        {
            Debug.Assert(Count == 0 && _hot is null);
            if (_items.Length > capacity)
            {
                _items = new BlockSlot<TBlock>[capacity];
            }
        }

        /// <summary>Remembers the rent count at an overflow, so the next one can tell whether the thread rented since.</summary>
        public void MarkOverflow() => _rentsAtLastOverflow = Rents;

        /// <summary>Hands the <paramref name="count"/> oldest blocks (the bottom) to <paramref name="central"/> and moves the rest down.</summary>
        public void DrainOldest(int count, CentralFreeList<TBlock> central)
        {
            Span<BlockSlot<TBlock>> items = _items.AsSpan(0, Count);
            central.PutBatch(items[..count]);
            items[count..].CopyTo(items);
            items[(Count - count)..].Clear();
            Count -= count;
        }

        /// <summary>Hands the <paramref name="count"/> newest blocks of the array (its top) to <paramref name="central"/>.</summary>
        public void DrainNewest(int count, CentralFreeList<TBlock> central)
        {
            Span<BlockSlot<TBlock>> top = _items.AsSpan(Count - count, count);
            central.PutBatch(top);
            top.Clear();
            Count -= count;
        }

        /// <summary>Hands every block to <paramref name="central"/>; returns how many.</summary>
        public int DrainAll(CentralFreeList<TBlock> central)
        {
            int count = Count;
            if (_hot is not null && count < _items.Length)
            {
                // One batch with the others rather than a put of its own.
                _items[count++].Block = _hot;
                _hot = null;
            }

            if (count > 0)
            {
                Span<BlockSlot<TBlock>> items = _items.AsSpan(0, count);
                central.PutBatch(items);
                items.Clear();
                Count = 0;
            }

            if (_hot is not null)
            {
                central.Put(_hot);
                _hot = null;
                count++;
            }

            return count;
        }

        /// <summary>The free blocks held, read from another thread (each field a whole value, possibly a moment old).</summary>
        public int ReadCount() => Volatile.Read(ref Count) + (Volatile.Read(ref _hot) is null ? 0 : 1);

        /// <summary><see cref="Rents"/>, read from another thread.</summary>
        public long ReadRents() => Volatile.Read(ref Rents);
    }
}
