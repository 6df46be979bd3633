using System;
using System.Threading;

namespace Orthotope.Pooling;

/// <summary>
/// Settings for an <see cref="OrthotopeMemoryPool"/> or <see cref="OrthotopeArrayPool"/>.
/// </summary>
/// <remarks>
/// <para>
/// The options are read once, when a pool is constructed: the pool validates them (a bad value throws an
/// <see cref="ArgumentException"/> naming the option) and copies them, so changing an options object afterwards
/// does not affect pools already built from it.
/// </para>
/// <para>This type is a plain settings bag and is not thread-safe to mutate; pools never mutate it.</para>
/// </remarks>
public sealed class OrthotopePoolOptions
{
    /// <summary>The default for <see cref="LargestSizeClass"/>: 1 MiB.</summary>
    public const int DefaultLargestSizeClass = 1 << 20;

    /// <summary>The default for <see cref="ThreadCacheBytesPerClass"/>: 64 KiB.</summary>
    public const int DefaultThreadCacheBytesPerClass = 64 << 10;

    /// <summary>The default for <see cref="RefillBatchBytes"/>: 32 KiB.</summary>
    public const int DefaultRefillBatchBytes = 32 << 10;

    /// <summary>The default for <see cref="SlabSize"/>: 1 MiB.</summary>
    public const int DefaultSlabSize = 1 << 20;

    /// <summary>The default for <see cref="LargeBlockCacheBytes"/>: 64 MiB.</summary>
    public const long DefaultLargeBlockCacheBytes = 64L << 20;

    /// <summary>
    /// The default for <see cref="MaxBufferSize"/>: <see cref="int.MaxValue"/>, meaning as large a request as the pool
    /// can serve (<see cref="MemoryPoolMaxBufferSize"/> for an <see cref="OrthotopeMemoryPool"/>,
    /// <see cref="Array.MaxLength"/> for an <see cref="OrthotopeArrayPool"/>).
    /// </summary>
    public const int DefaultMaxBufferSize = int.MaxValue;

    /// <summary>
    /// The largest block an <see cref="OrthotopeMemoryPool"/> can serve: the largest multiple of 64 that fits in one
    /// .NET array together with the padding that aligns its start to 64 bytes (<see cref="Array.MaxLength"/> less 71).
    /// </summary>
    public const int MemoryPoolMaxBufferSize = 0x7FFFFF80;

    /// <summary>The longest <see cref="Name"/>: 256 characters, as it tags every metric and event.</summary>
    public const int MaxNameLength = 256;

    /// <summary>The largest <see cref="ThreadCacheBytesPerClass"/>: 4 MiB per thread and class (64 times the default).</summary>
    public const int MaxThreadCacheBytesPerClass = 4 << 20;

    /// <summary>The largest <see cref="RefillBatchBytes"/>: 4 MiB.</summary>
    public const int MaxRefillBatchBytes = 4 << 20;

    /// <summary>The shortest <see cref="TrimInterval"/> that turns idle trimming on: 1 ms, the timer's resolution.</summary>
    public static TimeSpan MinTrimInterval => TimeSpan.FromMilliseconds(1);

    /// <summary>The longest <see cref="TrimInterval"/>: one day.</summary>
    public static TimeSpan MaxTrimInterval => TimeSpan.FromDays(1);

    /// <summary>The smallest allowed <see cref="LargestSizeClass"/>: 4 KiB, so the default rent size is pooled.</summary>
    public const int MinLargestSizeClass = 4 << 10;

    /// <summary>The largest allowed <see cref="LargestSizeClass"/>: 256 MiB.</summary>
    public const int MaxLargestSizeClass = 256 << 20;

    /// <summary>The smallest allowed <see cref="SlabSize"/>: 64 KiB.</summary>
    public const int MinSlabSize = 64 << 10;

    /// <summary>The largest allowed <see cref="SlabSize"/>: 1 GiB.</summary>
    public const int MaxSlabSize = 1 << 30;

    /// <summary>
    /// A name for the pool, used in statistics, metrics and diagnostics: not blank, at most
    /// <see cref="MaxNameLength"/> characters. Defaults to <c>"default"</c>.
    /// </summary>
    public string Name { get; set; } = "default";

    /// <summary>
    /// The largest size class, in bytes. Requests up to it are served from slabs through the per-thread caches;
    /// larger ones take the large path. It is rounded up to the nearest size class (four classes per power of two).
    /// Between <see cref="MinLargestSizeClass"/> and <see cref="MaxLargestSizeClass"/>; default 1 MiB.
    /// </summary>
    public int LargestSizeClass { get; set; } = DefaultLargestSizeClass;

    /// <summary>
    /// How many bytes of free blocks each thread keeps per size class before it hands a batch back to the central
    /// pool (orthotope's <c>local_cache_target_bytes</c>). A class always keeps at least two blocks, so large classes
    /// still get a cache hit on a rent that follows a dispose. Zero turns the thread caches off: every rent and
    /// dispose then goes to the central pool. At most <see cref="MaxThreadCacheBytesPerClass"/>; default 64 KiB.
    /// </summary>
    public int ThreadCacheBytesPerClass { get; set; } = DefaultThreadCacheBytesPerClass;

    /// <summary>
    /// How many bytes of blocks move between a thread cache and the central pool in one batch (orthotope's
    /// <c>refill_target_bytes</c>); at least one block. Between 1 and <see cref="MaxRefillBatchBytes"/>; default 32 KiB.
    /// </summary>
    public int RefillBatchBytes { get; set; } = DefaultRefillBatchBytes;

    /// <summary>
    /// The largest slab, in bytes. A size class's first slab is small and each further one doubles, up to this
    /// size; a class whose block is larger than this gets one block per slab. Between <see cref="MinSlabSize"/>
    /// and <see cref="MaxSlabSize"/>; default 1 MiB.
    /// </summary>
    public int SlabSize { get; set; } = DefaultSlabSize;

    /// <summary>
    /// How many bytes of returned large blocks (above <see cref="LargestSizeClass"/>) the pool keeps for reuse;
    /// a large block returned beyond this budget is released to the garbage collector. Zero keeps none. Not negative,
    /// otherwise unbounded (it is a budget, never an allocation); default 64 MiB.
    /// </summary>
    public long LargeBlockCacheBytes { get; set; } = DefaultLargeBlockCacheBytes;

    /// <summary>
    /// A hard cap on the bytes the pool reserves from the runtime (slabs and large blocks), or zero for no cap.
    /// A rent that would pass it first makes the pool release what it can, then throws
    /// <see cref="OrthotopePoolExhaustedException"/> (or, with <see cref="OrthotopeLimitBehavior.AllocateUnpooled"/>,
    /// is served outside the pool). Not negative; default zero.
    /// </summary>
    public long MaxReservedBytes { get; set; }

    /// <summary>
    /// What a rent does when it would pass <see cref="MaxReservedBytes"/>: throw (the default) or be served with
    /// unpooled memory.
    /// </summary>
    public OrthotopeLimitBehavior LimitBehavior { get; set; } = OrthotopeLimitBehavior.Throw;

    /// <summary>
    /// How often the pool trims itself when idle: between <see cref="MinTrimInterval"/> (1 ms) and
    /// <see cref="MaxTrimInterval"/> (one day), or <see cref="TimeSpan.Zero"/> or
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for never. Each period it drains the caches of threads
    /// that did not touch the pool since the last period and releases the slabs and large blocks that sat unused for a
    /// whole period, so memory left over from a burst goes back within two periods. Default 10 seconds (as Kestrel's
    /// pool eviction). Independent of <see cref="TrimOnMemoryPressure"/>.
    /// </summary>
    public TimeSpan TrimInterval { get; set; } = DefaultTrimInterval;

    /// <summary>The default for <see cref="TrimInterval"/>: 10 seconds.</summary>
    public static TimeSpan DefaultTrimInterval => TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether the pool trims after gen2 collections under memory pressure: fully when the memory load is at least
    /// 90% of the GC's high-load threshold, as an idle trim from 70%. Default true, whatever
    /// <see cref="TrimInterval"/> is.
    /// </summary>
    public bool TrimOnMemoryPressure { get; set; } = true;

    /// <summary>
    /// The largest request the pool accepts, reported as <see cref="System.Buffers.MemoryPool{T}.MaxBufferSize"/> (and
    /// <see cref="OrthotopeArrayPool.MaxArrayLength"/>): at least <see cref="LargestSizeClass"/>. A value above what the
    /// pool can serve (<see cref="MemoryPoolMaxBufferSize"/> for memory blocks, <see cref="Array.MaxLength"/> for
    /// arrays) is lowered to it, so the default, <see cref="DefaultMaxBufferSize"/>, means "as large as it can".
    /// Enforced exactly, even below the length of the size class a request rounds up to.
    /// </summary>
    public int MaxBufferSize { get; set; } = DefaultMaxBufferSize;

    /// <summary>Returns a copy of these options.</summary>
    public OrthotopePoolOptions Clone() => (OrthotopePoolOptions)MemberwiseClone();

    /// <summary>
    /// Checks every option and throws an <see cref="ArgumentException"/> (or <see cref="ArgumentOutOfRangeException"/>)
    /// whose parameter name is the option at fault.
    /// </summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            ThrowHelper.ThrowOption(nameof(Name), "the pool's name must not be null, empty or white space.");
        }

        if (Name.Length > MaxNameLength)
        {
            ThrowHelper.ThrowOption(nameof(Name), $"the pool's name must be at most {MaxNameLength} characters; it has {Name.Length}.");
        }

        if (LargestSizeClass is < MinLargestSizeClass or > MaxLargestSizeClass)
        {
            ThrowHelper.ThrowOptionOutOfRange(nameof(LargestSizeClass), LargestSizeClass,
                $"must be between {MinLargestSizeClass} and {MaxLargestSizeClass} bytes.");
        }

        if (ThreadCacheBytesPerClass is < 0 or > MaxThreadCacheBytesPerClass)
        {
            ThrowHelper.ThrowOptionOutOfRange(nameof(ThreadCacheBytesPerClass), ThreadCacheBytesPerClass,
                $"must be between 0 (no thread caches) and {MaxThreadCacheBytesPerClass} bytes.");
        }

        if (RefillBatchBytes is <= 0 or > MaxRefillBatchBytes)
        {
            ThrowHelper.ThrowOptionOutOfRange(nameof(RefillBatchBytes), RefillBatchBytes,
                $"must be between 1 and {MaxRefillBatchBytes} bytes.");
        }

        if (SlabSize is < MinSlabSize or > MaxSlabSize)
        {
            ThrowHelper.ThrowOptionOutOfRange(nameof(SlabSize), SlabSize,
                $"must be between {MinSlabSize} and {MaxSlabSize} bytes.");
        }

        if (LargeBlockCacheBytes < 0)
        {
            ThrowHelper.ThrowOptionOutOfRange(nameof(LargeBlockCacheBytes), LargeBlockCacheBytes,
                "must not be negative (zero keeps no large blocks).");
        }

        if (MaxReservedBytes < 0)
        {
            ThrowHelper.ThrowOptionOutOfRange(nameof(MaxReservedBytes), MaxReservedBytes,
                "must not be negative (zero means no cap).");
        }

        if (TrimInterval != TimeSpan.Zero && TrimInterval != Timeout.InfiniteTimeSpan &&
            (TrimInterval < MinTrimInterval || TrimInterval > MaxTrimInterval))
        {
            ThrowHelper.ThrowOption(
                nameof(TrimInterval),
                $"{TrimInterval} is not allowed: use TimeSpan.Zero or Timeout.InfiniteTimeSpan for never, or a period " +
                "between 1 ms and one day (the timer cannot honour a shorter one).");
        }

        if (!Enum.IsDefined(LimitBehavior))
        {
            ThrowHelper.ThrowOption(nameof(LimitBehavior), $"{(int)LimitBehavior} is not an OrthotopeLimitBehavior value.");
        }

        if (MaxBufferSize < LargestSizeClass)
        {
            ThrowHelper.ThrowOptionOutOfRange(nameof(MaxBufferSize), MaxBufferSize,
                $"must be at least LargestSizeClass ({LargestSizeClass}).");
        }
    }
}
