using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// Maps (thread, engine) to that thread's cache: a thread-static array indexed by a small id that each engine
/// takes when it is built and gives back when it is disposed.
/// </summary>
/// <remarks>
/// The table is non-generic so the thread-static access is the runtime's fast inline TLS access rather than a
/// lookup through a shared generic's dictionary. An id can be reused after its engine is disposed, so a lookup
/// compares <see cref="ThreadCache.Registry"/> with the asking registry before trusting what it finds.
/// </remarks>
internal static class ThreadCacheTable
{
    [ThreadStatic]
    private static ThreadCache?[]? t_caches;

    private static readonly Lock s_idLock = new();

    /// <summary>Ids given back by disposed engines; guarded by <see cref="s_idLock"/>.</summary>
    private static readonly Stack<int> s_freeIds = new();

    /// <summary>The next never-used id; guarded by <see cref="s_idLock"/>.</summary>
    private static int s_nextId;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ThreadCache? Get(int id)
    {
        ThreadCache?[]? caches = t_caches;
        return caches is not null && (uint)id < (uint)caches.Length ? caches[id] : null;
    }

    public static void Set(int id, ThreadCache cache)
    {
        ThreadCache?[]? caches = t_caches;
        if (caches is null || (uint)id >= (uint)caches.Length)
        {
            Array.Resize(ref caches, Math.Max(id + 1, Math.Max(4, (caches?.Length ?? 0) * 2)));
            t_caches = caches;
        }

        caches[id] = cache;
    }

    public static int AllocateId()
    {
        lock (s_idLock)
        {
            return s_freeIds.Count > 0 ? s_freeIds.Pop() : s_nextId++;
        }
    }

    public static void ReleaseId(int id)
    {
        lock (s_idLock)
        {
            s_freeIds.Push(id);
        }
    }
}
