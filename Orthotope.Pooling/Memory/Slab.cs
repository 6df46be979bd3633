using System.Diagnostics;

namespace Orthotope.Pooling.Memory;

/// <summary>
/// One pinned array carved into equal blocks of one size class, each starting on a 64-byte boundary.
/// </summary>
/// <remarks>
/// The array lives on the pinned object heap, so its address never changes and pointers into it need no GCHandle.
/// The slab is referenced by each of its blocks; once the pool drops a slab's free blocks (trimming, disposal) and
/// no renter holds one, the garbage collector frees the array. <see cref="FreeTally"/> is scratch space for the
/// central free list's lock holder during a trim.
/// </remarks>
internal sealed class Slab
{
    public Slab(byte[] array, int blockCount)
    {
        Debug.Assert(blockCount > 0);
        Array = array;
        BlockCount = blockCount;
    }

    /// <summary>The pinned array.</summary>
    public byte[] Array { get; }

    /// <summary>How many blocks the slab was carved into.</summary>
    public int BlockCount { get; }

    /// <summary>Free blocks of this slab counted during a trim; only touched under the class's central lock.</summary>
    public int FreeTally { get; set; }
}
