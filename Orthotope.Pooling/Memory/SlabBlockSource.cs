using System;
using Orthotope.Pooling.Engine;

namespace Orthotope.Pooling.Memory;

/// <summary>
/// Makes the size classes' <see cref="PooledMemoryBlock"/>s: carves pinned slabs into blocks aligned to 64 bytes, and
/// releases wholly free slabs.
/// </summary>
/// <remarks>
/// A class's first slab holds four blocks (at least 4 KiB, at most two refill batches); each further slab doubles,
/// up to the configured slab size, so a class that is used once costs little and a busy class gets large slabs.
/// Thread-safe: it keeps no mutable state of its own.
/// </remarks>
internal sealed class SlabBlockSource : BlockSource<PooledMemoryBlock>
{
    /// <summary>Blocks in a class's first slab, unless that is under <see cref="MinFirstSlabBytes"/>.</summary>
    private const int FirstSlabBlocks = 4;

    /// <summary>The smallest first slab: below this, slabs of tiny classes would be too small to be worth an array.</summary>
    private const long MinFirstSlabBytes = 4096;

    /// <summary>A <see cref="Slab.FreeTally"/> value that marks a slab being released by the current trim.</summary>
    private const int ReleasedMark = -1;

    /// <summary>A <see cref="Slab.FreeTally"/> value for a wholly free slab kept because the trim's budget ran out; it
    /// sorts as the emptiest, so its blocks are handed out last.</summary>
    private const int KeptMark = int.MaxValue;

    private readonly PoolEngine<PooledMemoryBlock> _engine;
    private readonly SizeClassTable _classes;
    private readonly long _firstSlabBytes;
    private readonly long _maxSlabBytes;

    public SlabBlockSource(PoolEngine<PooledMemoryBlock> engine, SizeClassTable classes, OrthotopePoolOptions options)
    {
        _engine = engine;
        _classes = classes;
        _firstSlabBytes = 2L * options.RefillBatchBytes;
        _maxSlabBytes = options.SlabSize;
    }

    public override int GetStride(int classIndex) => _classes.GetStride(classIndex);

    public override long GetGrowthBytes(int classIndex, int slabsHeld, long atMost)
    {
        // A class's first slab holds a few blocks (at least 4 KiB, at most two refill batches), so a class that a
        // program touches once costs little; each further slab it holds doubles the next, up to the slab size. Near
        // the cap, the largest slab that still fits, down to a single block.
        int stride = _classes.GetStride(classIndex);
        long first = Math.Min(_firstSlabBytes, Math.Max(MinFirstSlabBytes, (long)FirstSlabBlocks * stride));
        long wanted = Math.Min(_maxSlabBytes, first << Math.Min(slabsHeld, 30));
        long blocks = Math.Max(1, Math.Min(wanted / stride, (atMost - PinnedArrays.AlignmentPad) / stride));
        return blocks * stride + PinnedArrays.AlignmentPad;
    }

    public override string DescribeGrowth(int classIndex, long bytes) =>
        $"a new slab of {(bytes - PinnedArrays.AlignmentPad) / _classes.GetStride(classIndex)} blocks of {_classes.GetLength(classIndex)} bytes";

    /// <summary>False: a block of a slab is never foreign; a surplus can only be one block returned twice.</summary>
    public override bool AdoptsSurplus => false;

    public override BlockSlot<PooledMemoryBlock>[] Grow(int classIndex, long bytes, out int slabs)
    {
        int stride = _classes.GetStride(classIndex);
        int length = _classes.GetLength(classIndex);
        byte[] array = GC.AllocateUninitializedArray<byte>(checked((int)bytes), pinned: true);
        (int first, nint address) = PinnedArrays.AlignedStart(array);
        int count = (array.Length - first) / stride;
        var slab = new Slab(array, count);
        var blocks = new BlockSlot<PooledMemoryBlock>[count];
        for (int i = 0; i < count; i++)
        {
            int offset = first + (i * stride);
            blocks[i].Block = new PooledMemoryBlock(_engine, slab, classIndex, array, offset, length, address + (i * stride));
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
}
