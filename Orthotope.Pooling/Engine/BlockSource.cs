using System;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// What differs between pools: how blocks of a size class are made (carved from pinned slabs, or whole arrays),
/// how free ones are given back to the runtime, and how large blocks are made. The engine calls it only on slow
/// paths: growth, trimming and the large path.
/// </summary>
/// <remarks>Implementations are thread-safe: the engine may call them from several threads at once.</remarks>
internal abstract class BlockSource<TBlock>
    where TBlock : class
{
    /// <summary>Bytes the next growth of class <paramref name="classIndex"/> reserves, given how many came before.</summary>
    public abstract long GetGrowthBytes(int classIndex, int previousGrowths);

    /// <summary>
    /// Makes the blocks of one growth of <paramref name="bytes"/> bytes (as <see cref="GetGrowthBytes"/> said) and
    /// returns them; <paramref name="slabs"/> is how many slabs they came in (zero when blocks are not slab-backed).
    /// </summary>
    public abstract BlockSlot<TBlock>[] Grow(PoolEngine<TBlock> engine, int classIndex, long bytes, out int slabs);

    /// <summary>
    /// Given every free block of a class held centrally, releases what can be released, but no more than
    /// <paramref name="maxBlocks"/> blocks, moves the blocks it keeps to the front of <paramref name="free"/> (those
    /// to hand out first last), and says what it released.
    /// </summary>
    public abstract ReleaseResult ReleaseFree(int classIndex, Span<BlockSlot<TBlock>> free, int maxBlocks);

    /// <summary>
    /// Makes a block of at least <paramref name="length"/> bytes that the pool does not keep: served over the
    /// reservation limit with <see cref="OrthotopeLimitBehavior.AllocateUnpooled"/>.
    /// </summary>
    public abstract TBlock CreateUnpooled(PoolEngine<TBlock> engine, int length);

    /// <summary>Bytes a large block able to hold <paramref name="length"/> bytes reserves.</summary>
    public abstract long GetLargeBytes(int length);

    /// <summary>Makes a large block able to hold <paramref name="length"/> bytes.</summary>
    public abstract TBlock CreateLarge(PoolEngine<TBlock> engine, int length);

    /// <summary>The usable length of a large block.</summary>
    public abstract int GetLargeLength(TBlock block);

    /// <summary>True when blocks are carved from slabs (so statistics report strides and slabs).</summary>
    public abstract bool IsSlabBacked { get; }

    /// <summary>Bytes a large block reserves (what <see cref="GetLargeBytes"/> said when it was made).</summary>
    public abstract long GetLargeReservedBytes(TBlock block);
}
