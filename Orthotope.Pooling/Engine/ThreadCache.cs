using System.Threading;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// The non-generic face of a per-thread cache, so one thread-static table can hold the caches of every pool.
/// </summary>
/// <remarks>
/// A cache belongs to one engine (<see cref="Engine"/>) and one thread (<see cref="Owner"/>). Only its owner thread
/// touches the blocks in it, except after the owner has exited, when the engine's sweep may drain it.
/// </remarks>
internal abstract class ThreadCache
{
    protected ThreadCache(object engine, Thread owner)
    {
        Engine = engine;
        Owner = owner;
    }

    /// <summary>The engine this cache serves; compared by reference on every hot-path lookup.</summary>
    public object Engine { get; }

    /// <summary>The thread that owns this cache.</summary>
    public Thread Owner { get; }
}
