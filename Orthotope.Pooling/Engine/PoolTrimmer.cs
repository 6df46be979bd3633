using System.Threading;
using Orthotope.Pooling.Diagnostics;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// Gives an engine's free memory back: drains idle thread caches into the central lists, releases wholly free slabs
/// (or arrays) and cached large blocks, and counts what it did. Runs on demand (<see cref="Trim"/>), on the idle
/// timer and after gen2 collections under memory pressure (<see cref="TrimScheduler"/>), and when a rent meets the
/// reservation limit.
/// </summary>
/// <remarks>
/// Thread-safe: trims are serialised by <see cref="_lock"/>. Lock order: a rent at the limit holds its own cache's
/// steal lock when it trims, so a trim only ever tries other caches' steal locks (see
/// <see cref="ThreadCacheRegistry{TBlock}"/>); <see cref="_lock"/> comes before the registry's lock.
/// </remarks>
internal sealed class PoolTrimmer<TBlock> : ITrimTarget
    where TBlock : class
{
    /// <summary>Memory load (÷ the GC's high-load threshold) from which a gen2 collection triggers a full trim.</summary>
    internal const double HighMemoryLoad = 0.9;

    /// <summary>Memory load from which a gen2 collection triggers an idle trim.</summary>
    internal const double MediumMemoryLoad = 0.7;

    private readonly string _name;
    private readonly SizeClassTable _classes;
    private readonly ThreadCacheRegistry<TBlock> _caches;
    private readonly CentralFreeList<TBlock>[] _central;
    private readonly BlockSource<TBlock> _source;
    private readonly LargeBlockPool<TBlock> _large;
    private readonly Reservation _reservation;

    /// <summary>Serialises trims, so only one thread at a time steals caches or releases slabs.</summary>
    private readonly Lock _lock = new();

    /// <summary>Counts idle-trim ticks; stamps large blocks so a tick can tell which sat unused for a whole period.</summary>
    private long _tick;

    /// <summary>Trims run. Interlocked.</summary>
    private long _trims;

    /// <summary>Bytes released by trims. Interlocked.</summary>
    private long _bytesTrimmed;

    /// <summary>Slabs released by trims. Interlocked.</summary>
    private long _slabsReleased;

    /// <summary>Memory-pressure checks (one per gen2 collection while pressure trimming is on). Interlocked.</summary>
    private long _pressureChecks;

    /// <summary>Set once by <see cref="Close"/>; afterwards trims do nothing. Guarded by <see cref="_lock"/>.</summary>
    private bool _closed;

    /// <summary>The timer and gen2 callback; null when both are off or once closed. Guarded by <see cref="_lock"/>.</summary>
    private TrimScheduler? _scheduler;

    public PoolTrimmer(
        OrthotopePoolOptions options, SizeClassTable classes, ThreadCacheRegistry<TBlock> caches, CentralFreeList<TBlock>[] central,
        BlockSource<TBlock> source, LargeBlockPool<TBlock> large, Reservation reservation)
    {
        _name = options.Name;
        _classes = classes;
        _caches = caches;
        _central = central;
        _source = source;
        _large = large;
        _reservation = reservation;
        _scheduler = TrimScheduler.Start(this, options.TrimInterval, options.TrimOnMemoryPressure);
    }

    /// <summary>Idle-trim ticks so far; large blocks returned are stamped with it.</summary>
    public long Ticks => Volatile.Read(ref _tick);

    /// <summary>Trims run since the pool was built.</summary>
    public long Trims => Volatile.Read(ref _trims);

    /// <summary>Bytes released by trims since the pool was built.</summary>
    public long BytesTrimmed => Volatile.Read(ref _bytesTrimmed);

    /// <summary>Slabs released by trims since the pool was built.</summary>
    public long SlabsReleased => Volatile.Read(ref _slabsReleased);

    /// <summary>How often the memory load was checked after a gen2 collection.</summary>
    public long PressureChecks => Volatile.Read(ref _pressureChecks);

    /// <summary>The periodic trim: see <see cref="Trim"/> with <see cref="TrimReason.Idle"/>.</summary>
    public long TrimIdle() => Trim(TrimReason.Idle);

    /// <summary>Responds to memory load (used ÷ the GC's high-load threshold): a full trim when high, an idle trim when medium.</summary>
    public long OnMemoryPressure(double load)
    {
        Interlocked.Increment(ref _pressureChecks);
        return load >= HighMemoryLoad ? Trim(TrimReason.HighMemoryPressure)
            : load >= MediumMemoryLoad ? Trim(TrimReason.Idle)
            : 0;
    }

    /// <summary>
    /// Trims and returns the bytes released. An idle trim drains the caches of threads idle since the last tick and
    /// releases the free slabs and large blocks that went unused for a whole period (the central low-water mark);
    /// every other reason is a full trim: every cache not in the middle of a rent or return, every wholly free slab,
    /// every cached large block. Exited threads' caches are recovered either way.
    /// </summary>
    /// <param name="reason">Why: every reason but <see cref="TrimReason.Idle"/> trims fully.</param>
    /// <param name="own">
    /// The calling thread's cache when the caller holds its steal lock (a rent at the limit, refilling it): no other
    /// thread may drain it then, so the trim drains it here, all but the stack of <paramref name="refilling"/>.
    /// </param>
    /// <param name="refilling">The class whose stack <paramref name="own"/>'s owner is refilling.</param>
    public long Trim(TrimReason reason, ThreadCache<TBlock>? own = null, int refilling = -1)
    {
        bool full = reason != TrimReason.Idle;
        lock (_lock)
        {
            if (_closed)
            {
                return 0;
            }

            long tick = full ? Volatile.Read(ref _tick) : Interlocked.Increment(ref _tick);
            var drained = new int[_classes.Count];
            _caches.DrainIdle(all: full, drained);

            // Free blocks the renting thread holds itself would keep their slabs from being released.
            own?.Flush(_central, drained, exceptClass: refilling);

            long released = 0;
            int slabsReleased = 0;
            for (int i = 0; i < _central.Length; i++)
            {
                ReleaseResult result = _central[i].Release(_source, i, full ? int.MaxValue : drained[i]);
                released += result.ReleasedBytes;
                slabsReleased += result.ReleasedSlabs;
                if (result.ReleasedBytes > 0)
                {
                    OrthotopePoolingEventSource.Log.SlabsReleased(_name, _classes.GetLength(i), result.ReleasedSlabs, result.ReleasedBytes);
                }
            }

            // A large block stamped two ticks back has sat unused for at least one whole period.
            released += _large.Trim(full, addedBefore: tick - 2);
            _reservation.Release(released);
            Interlocked.Add(ref _bytesTrimmed, released);
            Interlocked.Add(ref _slabsReleased, slabsReleased);
            Interlocked.Increment(ref _trims);
            OrthotopePoolingEventSource.Log.Trimmed(_name, reason.ToString(), released, slabsReleased, _reservation.Bytes);
            return released;
        }
    }

    /// <summary>Stops the automatic trims; waits for a trim in progress, and makes every later one do nothing.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            _scheduler?.Dispose();
            _scheduler = null;
        }
    }
}
