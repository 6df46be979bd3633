using System;
using System.Diagnostics;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// How much each thread cache of one engine keeps, per size class: its base limit, how far a burst may grow it, and
/// how many blocks move in one refill or drain. Derived once from the options.
/// </summary>
/// <remarks>Immutable after construction; shared by every thread cache of the engine.</remarks>
internal sealed class CacheLimits
{
    /// <summary>The most blocks a burst can make a class keep per thread.</summary>
    public const int MaxBurstBlocks = 64;

    /// <summary>How many times the per-class budget one class may grow to in a burst, and a thread over all classes.</summary>
    private const int BurstFactor = 4;

    /// <summary>Per class: how many free blocks a thread keeps at first; zero when thread caches are off.</summary>
    private readonly int[] _baseLimits;

    /// <summary>
    /// Per class: how far a thread's limit may grow when it shows bursts (returns that overflow its cache after it
    /// rented from that class itself). A thread that only returns, like a pipe's reader, never grows.
    /// </summary>
    private readonly int[] _burstLimits;

    /// <summary>Per class: how many blocks move in one refill or drain.</summary>
    private readonly int[] _batchCounts;

    public CacheLimits(SizeClassTable classes, OrthotopePoolOptions options)
    {
        int count = classes.Count;
        Enabled = options.ThreadCacheBytesPerClass > 0;
        BurstAllowanceBytes = (long)BurstFactor * options.ThreadCacheBytesPerClass;
        _baseLimits = new int[count];
        _burstLimits = new int[count];
        _batchCounts = new int[count];
        for (int i = 0; i < count; i++)
        {
            int length = classes.GetLength(i);
            int batch = Math.Max(1, options.RefillBatchBytes / length);
            if (Enabled)
            {
                // A class always keeps two blocks, so a large class still hits its cache on a rent after a dispose.
                _baseLimits[i] = Math.Max(2, options.ThreadCacheBytesPerClass / length);
                _burstLimits[i] = Math.Max(
                    _baseLimits[i],
                    (int)Math.Min(MaxBurstBlocks, BurstAllowanceBytes / length));
                batch = Math.Min(batch, _baseLimits[i]);
            }

            _batchCounts[i] = batch;
        }
    }

    /// <summary>Whether threads keep caches at all (<see cref="OrthotopePoolOptions.ThreadCacheBytesPerClass"/> &gt; 0).</summary>
    public bool Enabled { get; }

    /// <summary>The number of size classes.</summary>
    public int ClassCount => _batchCounts.Length;

    /// <summary>
    /// Bytes of growth beyond the base limits one thread may hold, summed over its classes, so threads that switch
    /// between renting and returning across many classes (thread-pool threads serving pipes) stay bounded.
    /// </summary>
    public long BurstAllowanceBytes { get; }

    /// <summary>How many free blocks of class <paramref name="classIndex"/> a thread keeps before it drains a batch.</summary>
    public int BaseLimit(int classIndex) => _baseLimits[classIndex];

    /// <summary>The most free blocks of class <paramref name="classIndex"/> a burst may make a thread keep.</summary>
    public int BurstLimit(int classIndex) => _burstLimits[classIndex];

    /// <summary>How many blocks of class <paramref name="classIndex"/> move in one refill or drain; at least one.</summary>
    public int BatchCount(int classIndex)
    {
        Debug.Assert(_batchCounts[classIndex] > 0);
        return _batchCounts[classIndex];
    }
}
