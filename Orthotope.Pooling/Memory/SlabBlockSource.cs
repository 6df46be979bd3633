using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Orthotope.Pooling.Engine;

namespace Orthotope.Pooling.Memory;

/// <summary>
/// Makes <see cref="PooledMemoryBlock"/>s: carves pinned slabs for the size classes and allocates one pinned array
/// per large block, aligning every block to 64 bytes.
/// </summary>
/// <remarks>
/// A class's first slab holds four blocks (at least 4 KiB, at most two refill batches); each further slab doubles,
/// up to the configured slab size, so a class that is used once costs little and a busy class gets large slabs.
/// Thread-safe: it keeps no mutable state of its own.
/// </remarks>
internal sealed class SlabBlockSource : BlockSource<PooledMemoryBlock>
{
    /// <summary>Padding added to each array so that a 64-byte boundary falls inside it.</summary>
    private const int AlignmentPad = SizeClassTable.Alignment - 1;

    /// <summary>Blocks in a class's first slab, unless that is under <see cref="MinFirstSlabBytes"/>.</summary>
    private const int FirstSlabBlocks = 4;

    /// <summary>The smallest first slab: below this, slabs of tiny classes would be too small to be worth an array.</summary>
    private const long MinFirstSlabBytes = 4096;

    /// <summary>A <see cref="Slab.FreeTally"/> value that marks a slab being released by the current trim.</summary>
    private const int ReleasedMark = -1;

    /// <summary>A <see cref="Slab.FreeTally"/> value for a wholly free slab kept because the trim's budget ran out; it
    /// sorts as the emptiest, so its blocks are handed out last.</summary>
    private const int KeptMark = int.MaxValue;

    private readonly SizeClassTable _classes;
    private readonly long _firstSlabBytes;
    private readonly long _maxSlabBytes;

    public SlabBlockSource(SizeClassTable classes, OrthotopePoolOptions options)
    {
        _classes = classes;
        _firstSlabBytes = 2L * options.RefillBatchBytes;
        _maxSlabBytes = options.SlabSize;
    }

    public override bool IsSlabBacked => true;

    public override long GetGrowthBytes(int classIndex, int previousGrowths)
    {
        // A class's first slab holds a few blocks (at least 4 KiB, at most two refill batches), so a class that a
        // program touches once costs little; each further slab doubles, up to the slab size.
        int stride = _classes.GetStride(classIndex);
        long first = Math.Min(_firstSlabBytes, Math.Max(MinFirstSlabBytes, (long)FirstSlabBlocks * stride));
        long wanted = Math.Min(_maxSlabBytes, first << Math.Min(previousGrowths, 30));
        long blocks = Math.Max(1, wanted / stride);
        return blocks * stride + AlignmentPad;
    }

    public override BlockSlot<PooledMemoryBlock>[] Grow(PoolEngine<PooledMemoryBlock> engine, int classIndex, long bytes, out int slabs)
    {
        int stride = _classes.GetStride(classIndex);
        int length = _classes.GetLength(classIndex);
        byte[] array = GC.AllocateUninitializedArray<byte>(checked((int)bytes), pinned: true);
        (int first, nint address) = AlignedStart(array);
        int count = (array.Length - first) / stride;
        var slab = new Slab(array, count);
        var blocks = new BlockSlot<PooledMemoryBlock>[count];
        for (int i = 0; i < count; i++)
        {
            int offset = first + (i * stride);
            blocks[i].Block = new PooledMemoryBlock(engine, slab, classIndex, array, offset, length, address + (i * stride));
        }

        // Hand out the lowest addresses first: the central list pops from the end.
        blocks.AsSpan().Reverse();
        slabs = 1;
        return blocks;
    }

    public override ReleaseResult ReleaseFree(int classIndex, Span<BlockSlot<PooledMemoryBlock>> free, int maxBlocks)
    {
        // Tally the free blocks of each slab; a slab whose blocks are all free is released whole.
        foreach (BlockSlot<PooledMemoryBlock> slot in free)
        {
            slot.Block!.Slab!.FreeTally = 0;
        }

        foreach (BlockSlot<PooledMemoryBlock> slot in free)
        {
            slot.Block!.Slab!.FreeTally++;
        }

        int kept = 0, releasedBlocks = 0, releasedSlabs = 0;
        long releasedBytes = 0;
        for (int i = 0; i < free.Length; i++)
        {
            Slab slab = free[i].Block!.Slab!;
            if (slab.FreeTally == slab.BlockCount)
            {
                // First block seen of a wholly free slab: release it whole if the budget allows (marking it so its
                // other blocks go too), else keep it.
                if (releasedBlocks + slab.BlockCount <= maxBlocks)
                {
                    slab.FreeTally = ReleasedMark;
                    releasedSlabs++;
                    releasedBytes += slab.Array.Length;
                }
                else
                {
                    slab.FreeTally = KeptMark;
                }
            }

            if (slab.FreeTally == ReleasedMark)
            {
                releasedBlocks++;
            }
            else
            {
                free[kept++] = free[i];
            }
        }

        // Hand out blocks of the fullest slabs first (the end of the list), so the emptiest slabs drain and can be
        // released by a later trim.
        free[..kept].Sort(static (a, b) => b.Block!.Slab!.FreeTally.CompareTo(a.Block!.Slab!.FreeTally));
        return new ReleaseResult(kept, releasedBlocks, releasedSlabs, releasedBytes);
    }

    public override long GetLargeBytes(int length) => SizeClassTable.AlignUp((long)length) + AlignmentPad;

    public override PooledMemoryBlock CreateLarge(PoolEngine<PooledMemoryBlock> engine, int length)
    {
        byte[] array = GC.AllocateUninitializedArray<byte>(checked((int)GetLargeBytes(length)), pinned: true);
        (int first, nint address) = AlignedStart(array);
        int usable = (int)SizeClassTable.AlignUp((long)length);
        return new PooledMemoryBlock(engine, slab: null, PooledMemoryBlock.LargeClassIndex, array, first, usable, address);
    }

    public override PooledMemoryBlock CreateUnpooled(PoolEngine<PooledMemoryBlock> engine, int length)
    {
        byte[] array = GC.AllocateUninitializedArray<byte>(checked((int)GetLargeBytes(length)), pinned: true);
        (int first, nint address) = AlignedStart(array);
        int usable = (int)SizeClassTable.AlignUp((long)length);
        return new PooledMemoryBlock(engine, slab: null, PooledMemoryBlock.UnpooledClassIndex, array, first, usable, address);
    }

    public override int GetLargeLength(PooledMemoryBlock block) => block.Length;

    public override long GetLargeReservedBytes(PooledMemoryBlock block) => block.ArrayLength;

    /// <summary>The first 64-byte aligned offset in a pinned array, and its address.</summary>
    private static unsafe (int Offset, nint Address) AlignedStart(byte[] array)
    {
        // Safe: the array was allocated on the pinned object heap, so its address is fixed for its lifetime.
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        int offset = (int)(-start & (SizeClassTable.Alignment - 1));
        return (offset, start + offset);
    }
}
