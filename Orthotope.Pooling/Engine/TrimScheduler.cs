using System;
using System.Threading;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// Drives an engine's automatic trimming: a timer that runs an idle trim every period, and a callback after each
/// gen2 collection that trims according to the memory load.
/// </summary>
/// <remarks>
/// <para>
/// Both hold their target only weakly, so a pool that is dropped without being disposed can still be collected and
/// finalized; the scheduler stops itself once its target is gone. Thread-safe; disposed by its target.
/// </para>
/// <para>
/// The gen2 callback is an unreachable finalizable object that re-registers itself, and everything only it refers to
/// is unreachable too: a <see cref="WeakReference{T}"/> reachable only from it can be finalized along with it, after
/// which it no longer finds its target and the callback stops for good. So the scheduler, which its target holds,
/// also holds the callback's state (<see cref="_gen2State"/>): while the target lives, so does the weak reference.
/// </para>
/// </remarks>
internal sealed class TrimScheduler : IDisposable
{
    private readonly Timer? _timer;

    /// <summary>What the gen2 callback reads; referenced here so it lives as long as the target (see remarks).</summary>
    private readonly State? _gen2State;

    private volatile bool _disposed;

    private TrimScheduler(ITrimTarget target, TimeSpan interval, bool onMemoryPressure)
    {
        var weak = new WeakReference<ITrimTarget>(target);
        if (interval > TimeSpan.Zero)
        {
            // Timer callbacks never overlap in effect: the engine serialises trims under its own lock.
            _timer = new Timer(static state => Tick((State)state!), new State(weak, this), interval, interval);
        }

        if (onMemoryPressure)
        {
            _gen2State = new State(weak, this);
            Gen2GcCallback.Register(static state =>
            {
                var (target, scheduler) = (State)state;
                if (scheduler._disposed || !target.TryGetTarget(out ITrimTarget? engine))
                {
                    return false;
                }

                GCMemoryInfo info = GC.GetGCMemoryInfo();
                if (info.HighMemoryLoadThresholdBytes > 0)
                {
                    engine.OnMemoryPressure((double)info.MemoryLoadBytes / info.HighMemoryLoadThresholdBytes);
                }

                return true;
            }, _gen2State);
        }
    }

    public static TrimScheduler? Start(ITrimTarget target, TimeSpan interval, bool onMemoryPressure) =>
        interval > TimeSpan.Zero || onMemoryPressure ? new TrimScheduler(target, interval, onMemoryPressure) : null;

    public void Dispose()
    {
        _disposed = true;
        _timer?.Dispose();
    }

    private static void Tick(State state)
    {
        if (state.Scheduler._disposed)
        {
            return;
        }

        if (state.Target.TryGetTarget(out ITrimTarget? engine))
        {
            engine.TrimIdle();
        }
        else
        {
            state.Scheduler.Dispose();
        }
    }

    private sealed record State(WeakReference<ITrimTarget> Target, TrimScheduler Scheduler);
}
