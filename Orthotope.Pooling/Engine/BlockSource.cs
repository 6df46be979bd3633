using System;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// What differs between pools in the size classes: how blocks of a class are made (carved from pinned slabs, or
/// whole arrays) and how free ones are given back to the runtime. The engine calls it only on slow paths: growth
/// and trimming. Blocks above the largest class come from a <see cref="LargeBlockSource{TBlock}"/>.
/// </summary>
/// <remarks>Implementations are thread-safe: the engine may call them from several threads at once.</remarks>
internal abstract class BlockSource<TBlock>
    where TBlock : class
{
    /// <summary>
    /// Bytes the next growth of class <paramref name="classIndex"/> reserves, given the slabs the class holds now; no
    /// more than <paramref name="atMost"/> (what the reservation has left) if a smaller growth of at least one block
    /// fits in it.
    /// </summary>
    public abstract long GetGrowthBytes(int classIndex, int slabsHeld, long atMost);

    /// <summary>Says in words what a growth of <paramref name="bytes"/> bytes of class <paramref name="classIndex"/> makes, for messages.</summary>
    public abstract string DescribeGrowth(int classIndex, long bytes);

    /// <summary>
    /// Whether a free block the pool did not make (returned to it from elsewhere) is as good as its own, so a central
    /// list may adopt it when the reservation has room: true for whole arrays, false for blocks carved from slabs.
    /// </summary>
    public abstract bool AdoptsSurplus { get; }

    /// <summary>
    /// Makes the blocks of one growth of <paramref name="bytes"/> bytes (as <see cref="GetGrowthBytes"/> said) and
    /// returns them; <paramref name="slabs"/> is how many slabs they came in (zero when blocks are not slab-backed).
    /// </summary>
    public abstract BlockSlot<TBlock>[] Grow(int classIndex, long bytes, out int slabs);

    /// <summary>
    /// Given every free block of a class held centrally, releases what can be released, but no more than
    /// <paramref name="maxBlocks"/> blocks, moves the blocks it keeps to the front of <paramref name="free"/> (those
    /// to hand out first last), and says what it released.
    /// </summary>
    public abstract ReleaseResult ReleaseFree(int classIndex, Span<BlockSlot<TBlock>> free, int maxBlocks);

    /// <summary>The bytes one block of class <paramref name="classIndex"/> occupies in its slab; zero when blocks are not slab-backed.</summary>
    public abstract int GetStride(int classIndex);
}
