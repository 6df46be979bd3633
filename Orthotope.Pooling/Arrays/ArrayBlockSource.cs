using System;
using Orthotope.Pooling.Engine;

namespace Orthotope.Pooling.Arrays;

/// <summary>
/// Makes whole <see cref="byte"/> arrays for <see cref="OrthotopeArrayPool"/>: one array per block, of exactly the
/// class length, on the ordinary (compacting) heap, as <see cref="System.Buffers.ArrayPool{T}.Shared"/> does.
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

    public override bool IsSlabBacked => false;

    public override long GetGrowthBytes(int classIndex, int previousGrowths)
    {
        int length = _classes.GetLength(classIndex);
        return (long)Math.Max(1, _refillBatchBytes / length) * length;
    }

    public override BlockSlot<byte[]>[] Grow(PoolEngine<byte[]> engine, int classIndex, long bytes, out int slabs)
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

    public override ReleaseResult ReleaseFree(int classIndex, Span<BlockSlot<byte[]>> free) =>
        new(RemainingBlocks: 0, ReleasedBlocks: free.Length, ReleasedSlabs: 0,
            ReleasedBytes: (long)free.Length * _classes.GetLength(classIndex));

    public override long GetLargeBytes(int length) => length;

    public override byte[] CreateLarge(PoolEngine<byte[]> engine, int length) => GC.AllocateUninitializedArray<byte>(length);

    public override int GetLargeLength(byte[] block) => block.Length;

    public override long GetLargeReservedBytes(byte[] block) => block.Length;
}
