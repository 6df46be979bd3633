using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// One thread's free blocks for one engine: a LIFO stack per size class, refilled from and drained to the engine's
/// central free lists in batches, grown by bursts, and drained from outside when the thread goes idle or exits.
/// </summary>
/// <remarks>
/// <para>
/// Only <see cref="ThreadCache.Owner"/> pushes and pops on its fast path (<see cref="TryEnter"/> ...
/// <see cref="Exit"/>), with no lock and no interlocked operation. Everything else that changes the stacks runs with
/// <see cref="StealLock"/> held: the owner's slow paths, and a trimmer that drains an idle cache. Other threads read
/// the counts, racily, for statistics.
/// </para>
/// <para>
/// The steal handshake is asymmetric: the owner's fast path sets <c>_inUse</c> and then reads <c>_stealing</c> with
/// plain (volatile) accesses; a trimmer (<see cref="ThreadCacheRegistry{TBlock}"/>) takes <see cref="StealLock"/>,
/// sets <c>_stealing</c>, runs <see cref="Interlocked.MemoryBarrierProcessWide"/> (which makes each side's write
/// visible to the other), and drains only if <c>_inUse</c> is clear. An owner that sees <c>_stealing</c> takes its
/// slow path, which waits on <see cref="StealLock"/>.
/// </para>
/// </remarks>
internal sealed partial class ThreadCache<TBlock> : ThreadCache
    where TBlock : class
{
    private readonly CacheLimits _limits;

    /// <summary>
    /// Held by the owner's slow paths and by a trimmer while either changes the stacks outside the fast path.
    /// Lock order: a thread that holds it may go on to take the trim lock (<see cref="PoolTrimmer{TBlock}"/>) and the registry lock (a rent at the
    /// reservation limit trims), never the other way round except with <see cref="CacheLock.TryEnter"/>, or for the
    /// cache of a thread that has exited.
    /// </summary>
    /// <remarks>A mutable struct: always used in place, through this field.</remarks>
    public CacheLock StealLock;

    /// <summary>1 while the owner's fast path runs. Written only by the owner.</summary>
    private int _inUse;

    /// <summary>1 while a trimmer is deciding whether to drain this cache. Written only under <see cref="StealLock"/>.</summary>
    private int _stealing;

    /// <summary>One stack per size class; a stack's array is empty until the class is first used.</summary>
    private readonly ClassStack[] _stacks;

    /// <summary>Slow-path calls by the owner, part of the activity signature. Under <see cref="StealLock"/>.</summary>
    private long _slowOperations;

    /// <summary>Bytes of stack capacity grown beyond the base limits by bursts, over all classes. Under <see cref="StealLock"/>.</summary>
    private long _burstBytes;

    public ThreadCache(object registry, Thread owner, CacheLimits limits)
        : base(registry, owner)
    {
        _limits = limits;
        _stacks = new ClassStack[limits.ClassCount];
        for (int i = 0; i < _stacks.Length; i++)
        {
            _stacks[i] = new ClassStack(Array.Empty<BlockSlot<TBlock>>());
        }
    }

    /// <summary>The activity signature the trimmer saw at its last tick. Read and written by the trimmer only.</summary>
    public long LastSignature { get; set; } = -1;

    /// <summary>
    /// Enters the fast path: true when the owner may push and pop without the lock until <see cref="Exit"/>; false
    /// when a trimmer is at work, and the caller must take its slow path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryEnter()
    {
        Volatile.Write(ref _inUse, 1);
        if (Volatile.Read(ref _stealing) == 0)
        {
            return true;
        }

        Volatile.Write(ref _inUse, 0);
        return false;
    }

    /// <summary>Leaves the fast path that <see cref="TryEnter"/> entered.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit() => Volatile.Write(ref _inUse, 0);

    /// <summary>Pops a free block of class <paramref name="classIndex"/> and counts the rent, or returns null.</summary>
    /// <remarks>Owner only, inside the fast path or under <see cref="StealLock"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TBlock? TryPop(int classIndex)
    {
        ref ClassStack stack = ref StackOf(classIndex);
        TBlock? block = stack.TryPop();
        if (block is not null)
        {
            stack.Rents++;
        }

        return block;
    }

    /// <summary>Pushes a free block of class <paramref name="classIndex"/>; false when its stack is full.</summary>
    /// <remarks>Owner only, inside the fast path or under <see cref="StealLock"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryPush(int classIndex, TBlock block) => StackOf(classIndex).TryPush(block);

    /// <summary>The stack of class <paramref name="classIndex"/>, without a bounds check on the fast paths.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref ClassStack StackOf(int classIndex)
    {
        Debug.Assert((uint)classIndex < (uint)_stacks.Length);

        // Safe: every class index the engine passes comes from its size-class table (SizeClassTable.GetIndex of a
        // size no larger than the largest class, or a block's own class), and the array has one stack per class.
        return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_stacks), classIndex);
    }

    /// <summary>
    /// Pops a free block of class <paramref name="classIndex"/> without counting a rent, or returns null: a block lent
    /// to a rent of a smaller class, which counts the rent with <see cref="CountRent"/>.
    /// </summary>
    /// <remarks>Owner only, inside the fast path or under <see cref="StealLock"/>.</remarks>
    public TBlock? TryLend(int classIndex) => _stacks[classIndex].TryPop();

    /// <summary>Counts a rent of class <paramref name="classIndex"/> served with a block lent by a larger class.</summary>
    /// <remarks>Owner only, inside the fast path or under <see cref="StealLock"/>.</remarks>
    public void CountRent(int classIndex) => _stacks[classIndex].Rents++;

    /// <summary>
    /// Starts a refill of class <paramref name="classIndex"/>, whose stack is empty: returns the span a refill of one
    /// batch writes into. <see cref="CompleteRefill"/> ends it.
    /// </summary>
    /// <remarks>Owner only, under <see cref="StealLock"/>.</remarks>
    public Span<BlockSlot<TBlock>> BeginRefill(int classIndex)
    {
        _slowOperations++;
        ref ClassStack stack = ref _stacks[classIndex];
        stack.EnsureCapacity(_limits.BaseLimit(classIndex));
        return stack.EmptySpace(_limits.BatchCount(classIndex));
    }

    /// <summary>Ends a refill that wrote <paramref name="filled"/> (at least one) blocks, and pops one for the rent.</summary>
    /// <remarks>Owner only, under <see cref="StealLock"/>.</remarks>
    public TBlock CompleteRefill(int classIndex, int filled)
    {
        _stacks[classIndex].Added(filled);
        TBlock? block = TryPop(classIndex);
        System.Diagnostics.Debug.Assert(block is not null);
        return block;
    }

    /// <summary>
    /// Takes back a block whose stack was full on the fast path: grows the stack if the overflow is a burst (this
    /// thread rents from the class too, and has burst allowance left), else hands the oldest batch to
    /// <paramref name="central"/>; then pushes the block.
    /// </summary>
    /// <remarks>Owner only, under <see cref="StealLock"/>.</remarks>
    public void PushOverflow(int classIndex, int blockLength, TBlock block, CentralFreeList<TBlock> central)
    {
        _slowOperations++;
        ref ClassStack stack = ref _stacks[classIndex];
        stack.EnsureCapacity(_limits.BaseLimit(classIndex));
        if (stack.IsFull)
        {
            int capacity = stack.Capacity;
            int grown = Math.Min(_limits.BurstLimit(classIndex), capacity * 2);
            long growthBytes = (long)(grown - capacity) * blockLength;
            if (stack.RentedSinceLastOverflow && growthBytes > 0 &&
                _burstBytes + growthBytes <= _limits.BurstAllowanceBytes)
            {
                // The thread rents from this class too, so the overflow is a burst (rent many, then return them
                // all): keep the burst local by growing the stack, instead of shuttling batches through the centre.
                stack.Grow(grown);
                _burstBytes += growthBytes;
            }
            else if (stack.RentedSinceLastOverflow)
            {
                // Full: hand the oldest (coldest) batch to the central pool and keep the recently used blocks.
                stack.DrainOldest(Math.Min(_limits.BatchCount(classIndex), stack.Count), central);
            }
            else
            {
                // A thread that only returns (a pipe's reader) never uses its blocks again, so which ones go makes no
                // difference: the top batch goes, and the rest need not move down.
                stack.DrainNewest(Math.Min(_limits.BatchCount(classIndex), stack.Count), central);
            }

            stack.MarkOverflow();
        }

        bool pushed = stack.TryPush(block);
        System.Diagnostics.Debug.Assert(pushed, "room was made above");
    }

    /// <summary>
    /// Moves every free block to <paramref name="central"/>, counting them per class into <paramref name="moved"/>,
    /// and shrinks stacks grown by bursts back to their base limits; the stack of <paramref name="exceptClass"/>, if
    /// any, is left as it is (its owner is refilling it).
    /// </summary>
    /// <remarks>
    /// The caller has the cache to itself: it holds <see cref="StealLock"/> with the owner out of its fast path (or
    /// is the owner, in its slow path), or the owner has exited.
    /// </remarks>
    public void Flush(CentralFreeList<TBlock>[] central, int[]? moved, int exceptClass = -1)
    {
        for (int i = 0; i < _stacks.Length; i++)
        {
            if (i == exceptClass)
            {
                continue;
            }

            int count = _stacks[i].DrainAll(central[i]);
            if (moved is not null)
            {
                moved[i] += count;
            }

            _stacks[i].ShrinkTo(_limits.BaseLimit(i));
        }

        _burstBytes = 0;
    }

    /// <summary>
    /// The trimmer's side of the steal handshake: with <see cref="StealLock"/> held, announces the steal and reports
    /// whether the owner is outside its fast path (and will stay out until <see cref="EndSteal"/>).
    /// </summary>
    public bool BeginSteal()
    {
        Volatile.Write(ref _stealing, 1);

        // After this, an owner that set _inUse before our write to _stealing is visible to us, and an owner that
        // sets it later sees _stealing and takes its (locked) slow path.
        Interlocked.MemoryBarrierProcessWide();
        return Volatile.Read(ref _inUse) == 0;
    }

    /// <summary>Ends what <see cref="BeginSteal"/> began; the caller still holds <see cref="StealLock"/>.</summary>
    public void EndSteal() => Volatile.Write(ref _stealing, 0);

    /// <summary>
    /// Closes the cache for good (its engine is being disposed): with <see cref="StealLock"/> held, announces a steal
    /// that never ends, waits for the owner to leave a fast-path operation it may be in, and moves every free block to
    /// <paramref name="central"/>. From then on the owner's every rent and return takes its slow path, which sees the
    /// engine disposed.
    /// </summary>
    public void Close(CentralFreeList<TBlock>[] central)
    {
        Volatile.Write(ref _stealing, 1);
        Interlocked.MemoryBarrierProcessWide();
        SpinWait spinner = default;
        while (Volatile.Read(ref _inUse) != 0)
        {
            // The owner is between TryEnter and Exit: a handful of instructions.
            spinner.SpinOnce();
        }

        Flush(central, moved: null);
    }

    /// <summary>A cheap summary of the cache's state: unchanged between two trimmer ticks means the owner was idle.</summary>
    public long ActivitySignature()
    {
        long signature = Volatile.Read(ref _slowOperations);
        for (int i = 0; i < _stacks.Length; i++)
        {
            signature = (signature * 31) + _stacks[i].ReadRents() + ((long)_stacks[i].ReadCount() << 32);
        }

        return signature;
    }

    /// <summary>Adds this cache's free blocks (unless null) and rents, per class, to the totals (racy reads of whole values).</summary>
    public void AddCounts(long[]? cachedBlocks, long[] rents)
    {
        for (int i = 0; i < _stacks.Length; i++)
        {
            if (cachedBlocks is not null)
            {
                cachedBlocks[i] += _stacks[i].ReadCount();
            }

            rents[i] += _stacks[i].ReadRents();
        }
    }
}
