using System;
using System.Threading;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// One thread's free blocks for one engine: a LIFO stack per size class, refilled from and drained to the
/// engine's central free lists in batches.
/// </summary>
/// <remarks>
/// Single-writer: only <see cref="ThreadCache.Owner"/> pushes and pops. Other threads read the counts, racily, for
/// statistics; the engine drains the stacks from another thread only once the owner has exited, or replaces
/// <see cref="Classes"/> wholesale when the engine is disposed.
/// </remarks>
internal sealed class ThreadCache<TBlock> : ThreadCache
    where TBlock : class
{
    public ThreadCache(object engine, Thread owner, int classCount)
        : base(engine, owner)
    {
        Classes = CreateEmpty(classCount);
    }

    /// <summary>Bytes of stack capacity grown beyond the base limits by bursts, over all classes. Owner thread only.</summary>
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
    }
}
