using System.Threading;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// The non-generic face of a per-thread cache, so one thread-static table can hold the caches of every pool.
/// </summary>
/// <remarks>
/// A cache belongs to one engine's <see cref="ThreadCacheRegistry{TBlock}"/> (<see cref="Registry"/>) and one thread
/// (<see cref="Owner"/>). Only its owner thread touches the blocks in it, except through the registry's steal
/// handshake, or after the owner has exited.
/// </remarks>
internal abstract class ThreadCache
{
    protected ThreadCache(object registry, Thread owner)
    {
        Registry = registry;
        Owner = owner;
    }

    /// <summary>The registry (one per engine) this cache belongs to; compared by reference on every hot-path lookup.</summary>
    public object Registry { get; }

    /// <summary>The thread that owns this cache.</summary>
    public Thread Owner { get; }
}
