using System;
using System.Runtime.ConstrainedExecution;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// Calls back after every gen2 collection, for as long as the callback returns true: an unreachable finalizable
/// object is finalized once per gen2 collection that finds it, and re-registers itself for finalization.
/// </summary>
/// <remarks>The callback runs on the finalizer thread, so it must be quick and must not throw.</remarks>
internal sealed class Gen2GcCallback : CriticalFinalizerObject
{
    private readonly Func<object, bool> _callback;
    private readonly object _state;

    private Gen2GcCallback(Func<object, bool> callback, object state)
    {
        _callback = callback;
        _state = state;
    }

    /// <summary>Starts calling <paramref name="callback"/> with <paramref name="state"/> after each gen2 collection.</summary>
    public static void Register(Func<object, bool> callback, object state) =>
        _ = new Gen2GcCallback(callback, state);

    ~Gen2GcCallback()
    {
        bool again;
        try
        {
            again = _callback(_state);
        }
#pragma warning disable CA1031 // An exception escaping a finalizer would end the process; trimming is best effort.
        catch (Exception)
#pragma warning restore CA1031
        {
            again = true;
        }

        if (again && !Environment.HasShutdownStarted)
        {
            GC.ReRegisterForFinalize(this);
        }
    }
}
