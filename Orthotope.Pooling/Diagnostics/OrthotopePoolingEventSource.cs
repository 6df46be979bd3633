using System.Diagnostics.Tracing;

namespace Orthotope.Pooling.Diagnostics;

/// <summary>
/// The <see cref="EventSource"/> <c>Orthotope-Pooling</c>, for the pool's rare events: slabs allocated, slabs
/// released (per size class), trims (with the slabs and bytes released), and rents that hit the reservation limit. Every call site checks
/// <see cref="EventSource.IsEnabled()"/> first, so it costs one field read when no listener is attached; none of
/// its events is on the rent or dispose fast path.
/// </summary>
/// <remarks>Thread-safe, as every <see cref="EventSource"/>.</remarks>
[EventSource(Name = "Orthotope-Pooling")]
internal sealed class OrthotopePoolingEventSource : EventSource
{
    public static readonly OrthotopePoolingEventSource Log = new();

    public const int SlabAllocatedId = 1;
    public const int TrimmedId = 2;
    public const int LimitReachedId = 3;
    public const int SlabsReleasedId = 4;

    private OrthotopePoolingEventSource()
    {
    }

    /// <summary>A size class grew by a slab (or a batch of arrays).</summary>
    [Event(SlabAllocatedId, Level = EventLevel.Informational, Message = "Pool {0}: {3} blocks of {1} bytes allocated ({2} bytes)")]
    public void SlabAllocated(string pool, int blockLength, long bytes, int blocks)
    {
        if (IsEnabled(EventLevel.Informational, EventKeywords.All))
        {
            WriteEvent(SlabAllocatedId, pool, blockLength, bytes, blocks);
        }
    }

    /// <summary>A trim released memory of one size class to the garbage collector: whole free slabs, or for an array
    /// pool (slabs zero) free arrays.</summary>
    [Event(SlabsReleasedId, Level = EventLevel.Informational, Message = "Pool {0}: {2} slabs of {1}-byte blocks released ({3} bytes)")]
    public void SlabsReleased(string pool, int blockLength, int slabs, long bytes)
    {
        if (IsEnabled(EventLevel.Informational, EventKeywords.All))
        {
            WriteEvent(SlabsReleasedId, pool, blockLength, slabs, bytes);
        }
    }

    /// <summary>A trim ran.</summary>
    [Event(TrimmedId, Level = EventLevel.Informational, Message = "Pool {0}: {1} trim released {2} bytes in {3} slabs; {4} bytes reserved")]
    public void Trimmed(string pool, string reason, long releasedBytes, int releasedSlabs, long reservedBytes)
    {
        if (IsEnabled(EventLevel.Informational, EventKeywords.All))
        {
            WriteEvent(TrimmedId, pool, reason, releasedBytes, releasedSlabs, reservedBytes);
        }
    }

    /// <summary>A rent found the pool at its MaxReservedBytes limit after trimming.</summary>
    [Event(LimitReachedId, Level = EventLevel.Warning, Message = "Pool {0} is at its limit of {1} bytes ({2} reserved); a rent needed {3} more")]
    public void LimitReached(string pool, long limit, long reservedBytes, long requestedBytes)
    {
        if (IsEnabled(EventLevel.Warning, EventKeywords.All))
        {
            WriteEvent(LimitReachedId, pool, limit, reservedBytes, requestedBytes);
        }
    }
}
