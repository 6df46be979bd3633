using System.Collections.Generic;
using System.Threading;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// Returned large blocks (above the largest size class) kept for reuse within a byte budget. A rent takes the
/// smallest cached block that holds the request without wasting more than a quarter of it.
/// </summary>
/// <remarks>Thread-safe through one lock; the large path is rare enough that a list scan under a lock is cheap.</remarks>
internal sealed class LargeBlockCache<TBlock>
    where TBlock : class
{
    private readonly Lock _lock = new();

    /// <summary>Cached blocks. Guarded by <see cref="_lock"/>.</summary>
    private readonly List<Entry> _entries = [];

    private readonly long _budget;

    /// <summary>Sum of <see cref="Entry.ReservedBytes"/> over <see cref="_entries"/>. Guarded by <see cref="_lock"/>.</summary>
    private long _cachedBytes;

    public LargeBlockCache(long budget)
    {
        _budget = budget;
    }

    /// <summary>Takes the best-fitting cached block for <paramref name="length"/> bytes, or returns null.</summary>
    public TBlock? TryTake(int length)
    {
        long acceptable = length + (long)(length >> 2);
        lock (_lock)
        {
            int best = -1;
            for (int i = 0; i < _entries.Count; i++)
            {
                int candidate = _entries[i].Length;
                if (candidate >= length && candidate <= acceptable &&
                    (best < 0 || candidate < _entries[best].Length))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                return null;
            }

            Entry entry = _entries[best];
            _entries[best] = _entries[^1];
            _entries.RemoveAt(_entries.Count - 1);
            _cachedBytes -= entry.ReservedBytes;
            return entry.Block;
        }
    }

    /// <summary>Keeps <paramref name="block"/> if it fits in the budget; returns false if the caller must release it.</summary>
    public bool TryAdd(TBlock block, int length, long reservedBytes, long tick)
    {
        lock (_lock)
        {
            if (_cachedBytes + reservedBytes > _budget)
            {
                return false;
            }

            _entries.Add(new Entry(block, length, reservedBytes, tick));
            _cachedBytes += reservedBytes;
            return true;
        }
    }

    /// <summary>Drops every cached block and returns the bytes they reserved.</summary>
    public long Clear()
    {
        lock (_lock)
        {
            long bytes = _cachedBytes;
            _entries.Clear();
            _cachedBytes = 0;
            return bytes;
        }
    }

    public (int Blocks, long Bytes) Snapshot()
    {
        lock (_lock)
        {
            return (_entries.Count, _cachedBytes);
        }
    }

    /// <summary>Drops the blocks cached at or before idle-trim tick <paramref name="tick"/>; returns their bytes.</summary>
    public long ReleaseAddedBefore(long tick)
    {
        lock (_lock)
        {
            long released = 0;
            for (int i = _entries.Count - 1; i >= 0; i--)
            {
                if (_entries[i].Tick <= tick)
                {
                    released += _entries[i].ReservedBytes;
                    _entries[i] = _entries[^1];
                    _entries.RemoveAt(_entries.Count - 1);
                }
            }

            _cachedBytes -= released;
            return released;
        }
    }

    private readonly record struct Entry(TBlock Block, int Length, long ReservedBytes, long Tick);
}
