namespace Orthotope.Pooling.Engine;

/// <summary>
/// Makes the blocks that are not carved for a size class: large blocks, for requests above the largest class, each
/// its own array and kept for reuse in the <see cref="LargeBlockCache{TBlock}"/>; and unpooled blocks, served over
/// the reservation limit with <see cref="OrthotopeLimitBehavior.AllocateUnpooled"/> and never kept.
/// </summary>
/// <remarks>Implementations are thread-safe and keep no mutable state; the engine calls them on slow paths only.</remarks>
internal abstract class LargeBlockSource<TBlock>
    where TBlock : class
{
    /// <summary>Bytes a large block able to hold <paramref name="length"/> bytes reserves.</summary>
    public abstract long ReservedBytesFor(int length);

    /// <summary>Makes a large block able to hold <paramref name="length"/> bytes, reserving <see cref="ReservedBytesFor"/>.</summary>
    public abstract TBlock CreateLarge(int length);

    /// <summary>Makes a block of at least <paramref name="length"/> bytes that the pool neither counts nor keeps.</summary>
    public abstract TBlock CreateUnpooled(int length);

    /// <summary>The usable length of a large block.</summary>
    public abstract int LengthOf(TBlock block);

    /// <summary>Bytes a large block reserves (what <see cref="ReservedBytesFor"/> said when it was made).</summary>
    public abstract long ReservedBytesOf(TBlock block);
}
