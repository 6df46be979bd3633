using System;
using Orthotope.Pooling.Engine;

namespace Orthotope.Pooling.Memory;

/// <summary>
/// Makes the <see cref="PooledMemoryBlock"/>s above the largest size class, and those served unpooled over the
/// limit: one pinned array each, its usable part starting on a 64-byte boundary and rounded up to 64 bytes.
/// </summary>
/// <remarks>Thread-safe: it keeps no mutable state.</remarks>
internal sealed class LargeMemoryBlockSource : LargeBlockSource<PooledMemoryBlock>
{
    private readonly PoolEngine<PooledMemoryBlock> _engine;

    public LargeMemoryBlockSource(PoolEngine<PooledMemoryBlock> engine) => _engine = engine;

    public override long ReservedBytesFor(int length) => SizeClassTable.AlignUp((long)length) + PinnedArrays.AlignmentPad;

    public override PooledMemoryBlock CreateLarge(int length) => Create(length, PooledMemoryBlock.LargeClassIndex);

    public override PooledMemoryBlock CreateUnpooled(int length) => Create(length, PooledMemoryBlock.UnpooledClassIndex);

    public override int LengthOf(PooledMemoryBlock block) => block.Length;

    public override long ReservedBytesOf(PooledMemoryBlock block) => block.ArrayLength;

    private PooledMemoryBlock Create(int length, int classIndex)
    {
        byte[] array = GC.AllocateUninitializedArray<byte>(checked((int)ReservedBytesFor(length)), pinned: true);
        (int first, nint address) = PinnedArrays.AlignedStart(array);
        int usable = (int)SizeClassTable.AlignUp((long)length);
        return new PooledMemoryBlock(_engine, slab: null, classIndex, array, first, usable, address);
    }
}
