using System.Diagnostics;
using System.Threading;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// The bytes a pool holds from the runtime (slabs and large blocks), and the cap on them
/// (<see cref="OrthotopePoolOptions.MaxReservedBytes"/>): memory is reserved here before it is allocated, and released
/// here when the pool lets go of it.
/// </summary>
/// <remarks>Thread-safe: lock-free, with interlocked operations; used on slow paths only.</remarks>
internal sealed class Reservation
{
    /// <summary>The cap, or zero for none.</summary>
    private readonly long _limit;

    /// <summary>Bytes reserved; never negative, and never above <see cref="_limit"/> when there is one.</summary>
    private long _bytes;

    public Reservation(long limit)
    {
        Debug.Assert(limit >= 0);
        _limit = limit;
    }

    /// <summary>The cap, <see cref="OrthotopePoolOptions.MaxReservedBytes"/>; zero for none.</summary>
    public long Limit => _limit;

    /// <summary>Bytes reserved now.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Adds <paramref name="bytes"/> unless that would pass the cap; returns whether it did.</summary>
    public bool TryReserve(long bytes)
    {
        Debug.Assert(bytes >= 0);
        if (_limit == 0)
        {
            Interlocked.Add(ref _bytes, bytes);
            return true;
        }

        long current = Volatile.Read(ref _bytes);
        while (true)
        {
            if (current + bytes > _limit)
            {
                return false;
            }

            long seen = Interlocked.CompareExchange(ref _bytes, current + bytes, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }
    }

    /// <summary>Gives back <paramref name="bytes"/> that an earlier <see cref="TryReserve"/> took.</summary>
    public void Release(long bytes)
    {
        Debug.Assert(bytes >= 0);
        long after = Interlocked.Add(ref _bytes, -bytes);
        Debug.Assert(after >= 0, "released more than was reserved");
    }

    /// <summary>Forgets every reservation (the pool was disposed and holds nothing).</summary>
    public void Clear() => Interlocked.Exchange(ref _bytes, 0);
}
