using System;
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

    /// <summary>Set by <see cref="Clear"/>: late releases are then expected, and stop at zero.</summary>
    private volatile bool _cleared;

    public Reservation(long limit)
    {
        Debug.Assert(limit >= 0);
        _limit = limit;
    }

    /// <summary>The cap, <see cref="OrthotopePoolOptions.MaxReservedBytes"/>; zero for none.</summary>
    public long Limit => _limit;

    /// <summary>Bytes reserved now.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Bytes that could be reserved now (a moment's reading): what the cap leaves, or no bound without one.</summary>
    public long Available => _limit == 0 ? long.MaxValue : Math.Max(0, _limit - Bytes);

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
    /// <remarks>
    /// Never below zero: once <see cref="Clear"/> has run (the pool was disposed), a release racing it finds less than
    /// it gives back, and stops at zero.
    /// </remarks>
    public void Release(long bytes)
    {
        Debug.Assert(bytes >= 0);
        long current = Volatile.Read(ref _bytes);
        while (true)
        {
            Debug.Assert(current >= bytes || _cleared, "released more than was reserved");
            long seen = Interlocked.CompareExchange(ref _bytes, Math.Max(0, current - bytes), current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>Forgets every reservation (the pool was disposed and holds nothing).</summary>
    public void Clear()
    {
        _cleared = true;
        Interlocked.Exchange(ref _bytes, 0);
    }
}
