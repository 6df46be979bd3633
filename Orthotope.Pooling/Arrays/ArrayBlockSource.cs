using System;
using Orthotope.Pooling.Engine;

namespace Orthotope.Pooling.Arrays;

/// <summary>
/// Makes the size classes' <see cref="byte"/> arrays for <see cref="OrthotopeArrayPool"/>: one array per block, of
/// exactly the class length, on the ordinary (compacting) heap, as <see cref="System.Buffers.ArrayPool{T}.Shared"/>
/// does.
/// </summary>
/// <remarks>
/// A growth makes one refill batch of arrays, so a class costs no more than what its first renter asked for.
/// Each array is its own unit of release: a trim gives back every free array held centrally.
/// Thread-safe: it keeps no mutable state.
/// </remarks>
internal sealed class ArrayBlockSource : BlockSource<byte[]>
{
    private readonly SizeClassTable _classes;
    private readonly int _refillBatchBytes;

    public ArrayBlockSource(SizeClassTable classes, OrthotopePoolOptions options)
    {
        _classes = classes;
        _refillBatchBytes = options.RefillBatchBytes;
    }

    public override long GetGrowthBytes(int classIndex, int slabsHeld, long atMost)
    {
        // One refill batch of arrays; near the cap, as many as still fit, down to one.
        int length = _classes.GetLength(classIndex);
        return Math.Max(1, Math.Min(_refillBatchBytes / length, atMost / length)) * length;
    }

    public override string DescribeGrowth(int classIndex, long bytes) =>
        $"{bytes / _classes.GetLength(classIndex)} new arrays of {_classes.GetLength(classIndex)} bytes";

    /// <summary>True: any array of a class's length serves as well as one the pool made.</summary>
    public override bool AdoptsSurplus => true;

    public override BlockSlot<byte[]>[] Grow(int classIndex, long bytes, out int slabs)
    {
        int length = _classes.GetLength(classIndex);
        var blocks = new BlockSlot<byte[]>[(int)(bytes / length)];
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i].Block = GC.AllocateUninitializedArray<byte>(length);
        }

        slabs = 0;
        return blocks;
    }

    public override ReleaseResult ReleaseFree(int classIndex, Span<BlockSlot<byte[]>> free, int maxBlocks)
    {
        // Release the oldest arrays (the bottom of the stack); the most recently returned stay for the next rents.
        int released = Math.Min(free.Length, maxBlocks);
        free[released..].CopyTo(free);
        return new ReleaseResult(
            RemainingBlocks: free.Length - released, ReleasedBlocks: released, ReleasedSlabs: 0,
            ReleasedBytes: (long)released * _classes.GetLength(classIndex));
    }

    /// <summary>Zero: arrays are not carved from slabs.</summary>
    public override int GetStride(int classIndex) => 0;
}
