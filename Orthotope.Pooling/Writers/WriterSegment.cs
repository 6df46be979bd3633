using System;
using System.Buffers;
using System.Diagnostics;

namespace Orthotope.Pooling.Writers;

/// <summary>
/// One block of an <see cref="OrthotopeBufferWriter"/>: the owner rented for it and the
/// <see cref="ReadOnlySequenceSegment{T}"/> through which <see cref="OrthotopeBufferWriter.WrittenSequence"/> reads it.
/// </summary>
/// <remarks>
/// Not thread-safe: it belongs to one writer, which is single-threaded. The writer keeps its segments after a reset
/// and hands them out again, so a writer in steady state allocates none. <see cref="ReadOnlySequenceSegment{T}.Memory"/>
/// is the written part of the block only; the whole block is <see cref="Block"/>, and both are cleared before the
/// owner is disposed, so no memory of a returned block stays reachable from here.
/// </remarks>
internal sealed class WriterSegment : ReadOnlySequenceSegment<byte>
{
    /// <summary>The rented block, or null while the segment is not in use.</summary>
    public IMemoryOwner<byte>? Owner { get; private set; }

    /// <summary>The whole block, read once from <see cref="Owner"/> when it was rented; default while not in use.</summary>
    public Memory<byte> Block { get; private set; }

    /// <summary>Takes <paramref name="owner"/> as this segment's block, placed at <paramref name="runningIndex"/> in the sequence.</summary>
    public void Attach(IMemoryOwner<byte> owner, Memory<byte> block, long runningIndex)
    {
        Debug.Assert(Owner is null, "a segment holds one block at a time");
        Owner = owner;
        Block = block;
        RunningIndex = runningIndex;
        Memory = ReadOnlyMemory<byte>.Empty;
        Next = null;
    }

    /// <summary>Makes the first <paramref name="written"/> bytes of the block what the sequence sees.</summary>
    public void SetWritten(int written)
    {
        Debug.Assert((uint)written <= (uint)Block.Length);
        Memory = Block[..written];
    }

    /// <summary>Links <paramref name="next"/> after this segment.</summary>
    public void SetNext(WriterSegment next) => Next = next;

    /// <summary>Returns the block to its pool and forgets it; the segment can then be attached again.</summary>
    public void Release()
    {
        IMemoryOwner<byte>? owner = Owner;

        // Every reference to the block's memory goes before the owner is disposed: after that the memory may be
        // another renter's, and in a checking pool the owner's memory stops working.
        Memory = default;
        Block = default;
        Next = null;
        RunningIndex = 0;
        Owner = null;
        owner?.Dispose();
    }
}
