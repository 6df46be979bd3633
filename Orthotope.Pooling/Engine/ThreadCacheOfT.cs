using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// One thread's free blocks for one engine: a LIFO stack per size class, refilled from and drained to the
/// engine's central free lists in batches.
/// </summary>
/// <remarks>
/// <para>
/// Only <see cref="ThreadCache.Owner"/> pushes and pops on its fast path, with no lock and no interlocked operation.
/// Other threads read the counts, racily, for statistics.
/// </para>
/// <para>
/// A trimmer may drain the cache of an idle live thread ("steal" it) through an asymmetric handshake: the owner's
/// fast path sets <see cref="InUse"/> and then reads <see cref="Stealing"/> with plain (volatile) accesses; the
/// trimmer sets <see cref="Stealing"/>, runs <see cref="Interlocked.MemoryBarrierProcessWide"/> (which makes each side's
/// write visible to the other), and drains only if <see cref="InUse"/> is clear. An owner that sees
/// <see cref="Stealing"/> takes its slow path, which, like the trimmer, holds <see cref="StealLock"/> while it
/// touches the stacks. The engine also drains the cache once the owner has exited, and replaces
/// <see cref="Classes"/> wholesale when it is disposed.
/// </para>
/// </remarks>
internal sealed class ThreadCache<TBlock> : ThreadCache
    where TBlock : class
{
    public ThreadCache(object engine, Thread owner, int classCount)
        : base(engine, owner)
    {
        Classes = CreateEmpty(classCount);
    }

    /// <summary>Held by the owner's slow path and by a trimmer while either changes the stacks.</summary>
    /// <remarks>A mutable struct: always used in place, through this field.</remarks>
    public CacheLock StealLock;

    /// <summary>1 while the owner's fast path runs. Written only by the owner.</summary>
    public int InUse;

    /// <summary>1 while a trimmer is deciding whether to drain this cache. Written only under <see cref="StealLock"/>.</summary>
    public int Stealing;

    /// <summary>Slow-path calls by the owner, part of the activity signature the trimmer compares between ticks.</summary>
    public long SlowOperations;

    /// <summary>The activity signature the trimmer saw at its last tick. Trimmer only.</summary>
    public long LastSignature = -1;

    /// <summary>Bytes of stack capacity grown beyond the base limits by bursts, over all classes. Under <see cref="StealLock"/> or owner.</summary>
    public long BurstBytes;

    /// <summary>One stack per size class. Never null, and every stack's array is non-null (possibly empty).</summary>
    public ClassCache[] Classes;

    /// <summary>Creates per-class stacks that hold nothing, so the hot path falls through to the slow path.</summary>
    public static ClassCache[] CreateEmpty(int classCount)
    {
        var classes = new ClassCache[classCount];
        for (int i = 0; i < classes.Length; i++)
        {
            classes[i].Items = Array.Empty<BlockSlot<TBlock>>();
        }

        return classes;
    }

    /// <summary>A cheap summary of the cache's state: unchanged between two trimmer ticks means the owner was idle.</summary>
    public long ActivitySignature()
    {
        long signature = Volatile.Read(ref SlowOperations);
        foreach (ClassCache slot in Classes)
        {
            signature = (signature * 31) + slot.Rents + ((long)slot.Count << 32);
        }

        return signature;
    }

    /// <summary>A thread's stack of free blocks of one size class.</summary>
    internal struct ClassCache
    {
        /// <summary>The stack; its length is the class's current limit, or zero until the class is first used.</summary>
        public BlockSlot<TBlock>[] Items;

        /// <summary>How many entries of <see cref="Items"/>, from the bottom, hold a free block.</summary>
        public int Count;

        /// <summary>Rents served to this thread from this class, for statistics.</summary>
        public long Rents;

        /// <summary><see cref="Rents"/> when the stack last overflowed: unchanged means the thread only returns.</summary>
        public long RentsAtLastOverflow;

        /// <summary>
        /// Pops the top block, clearing its slot, or returns null when the stack is empty. For the borrowing paths;
        /// the fast path in <see cref="PoolEngine{TBlock}.Rent"/> does the same inline, with its statistics between.
        /// </summary>
        /// <remarks>Only for the owner inside its handshake, or under the cache's steal lock.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TBlock? TryPop()
        {
            BlockSlot<TBlock>[] items = Items;
            int top = Count - 1;
            if ((uint)top >= (uint)items.Length)
            {
                return null;
            }

            Count = top;
            TBlock? block = items[top].Block;
            items[top].Block = null;
            Debug.Assert(block is not null, "a slot below Count always holds a block");
            return block;
        }
    }
}
