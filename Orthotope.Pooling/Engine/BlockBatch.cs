namespace Orthotope.Pooling.Engine;

/// <summary>
/// One refill batch of free blocks, exactly a class's batch count, as it waits in a central free list's lock-free
/// queue between a thread that drained it and a thread that will refill from it.
/// </summary>
/// <remarks>
/// Owned by whoever holds it: the queue, or the one thread that dequeued it, which copies the blocks out, clears the
/// slots and recycles the batch. Batches are reused, so moving one allocates nothing in steady state.
/// </remarks>
internal sealed class BlockBatch<TBlock>
    where TBlock : class
{
    public BlockBatch(int count) => Items = new BlockSlot<TBlock>[count];

    /// <summary>The blocks; every slot is filled while the batch is queued, and cleared while it is recycled.</summary>
    public BlockSlot<TBlock>[] Items { get; }
}
