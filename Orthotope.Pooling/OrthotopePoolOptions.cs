using System;

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
    /// The default and largest <see cref="MaxBufferSize"/>: the largest multiple of 64 that fits in one .NET array
    /// together with the padding that aligns its start to 64 bytes (<see cref="Array.MaxLength"/> less 71).
    /// </summary>
    public const int DefaultMaxBufferSize = 0x7FFFFF80;

    /// <summary>The smallest allowed <see cref="LargestSizeClass"/>: 4 KiB, so the default rent size is pooled.</summary>
    public const int MinLargestSizeClass = 4 << 10;

    /// <summary>The largest allowed <see cref="LargestSizeClass"/>: 256 MiB.</summary>
    public const int MaxLargestSizeClass = 256 << 20;

    /// <summary>The smallest allowed <see cref="SlabSize"/>: 64 KiB.</summary>
    public const int MinSlabSize = 64 << 10;

    /// <summary>The largest allowed <see cref="SlabSize"/>: 1 GiB.</summary>
    public const int MaxSlabSize = 1 << 30;

    /// <summary>
    /// A name for the pool, used in statistics, metrics and diagnostics. Defaults to <c>"default"</c>.
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
    /// dispose then goes to the central pool. Default 64 KiB.
    /// </summary>
    public int ThreadCacheBytesPerClass { get; set; } = DefaultThreadCacheBytesPerClass;

    /// <summary>
    /// How many bytes of blocks move between a thread cache and the central pool in one batch (orthotope's
    /// <c>refill_target_bytes</c>); at least one block. Must be positive. Default 32 KiB.
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
    /// a large block returned beyond this budget is released to the garbage collector. Zero keeps none.
    /// Default 64 MiB.
    /// </summary>
    public long LargeBlockCacheBytes { get; set; } = DefaultLargeBlockCacheBytes;

    /// <summary>
    /// A hard cap on the bytes the pool reserves from the runtime (slabs and large blocks), or zero for no cap.
    /// A rent that would pass it first makes the pool release what it can, then throws
    /// <see cref="OrthotopePoolExhaustedException"/>. Default zero.
    /// </summary>
    public long MaxReservedBytes { get; set; }

    /// <summary>
    /// What a rent does when it would pass <see cref="MaxReservedBytes"/>: throw (the default) or be served with
    /// unpooled memory.
    /// </summary>
    public OrthotopeLimitBehavior LimitBehavior { get; set; } = OrthotopeLimitBehavior.Throw;

    /// <summary>
    /// How often the pool trims itself when idle, or <see cref="TimeSpan.Zero"/> for never. Each period it drains the
    /// caches of threads that did not touch the pool since the last period and releases the slabs and large blocks
    /// that sat unused for a whole period, so memory left over from a burst goes back within two periods.
    /// Between zero and one day; default 10 seconds (as Kestrel's pool eviction).
    /// </summary>
    public TimeSpan TrimInterval { get; set; } = DefaultTrimInterval;

    /// <summary>The default for <see cref="TrimInterval"/>: 10 seconds.</summary>
    public static TimeSpan DefaultTrimInterval => TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether the pool trims after gen2 collections under memory pressure: fully when the memory load is at least
    /// 90% of the GC's high-load threshold, as an idle trim from 70%. Default true.
    /// </summary>
    public bool TrimOnMemoryPressure { get; set; } = true;

    /// <summary>
    /// The largest request the pool accepts, reported as <see cref="System.Buffers.MemoryPool{T}.MaxBufferSize"/>.
    /// At least <see cref="LargestSizeClass"/> and at most <see cref="DefaultMaxBufferSize"/> (the default).
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

        if (LargestSizeClass is < MinLargestSizeClass or > MaxLargestSizeClass)
        {
            ThrowHelper.ThrowOptionOutOfRange(nameof(LargestSizeClass), LargestSizeClass,
                $"must be between {MinLargestSizeClass} and {MaxLargestSizeClass} bytes.");
        }

        if (ThreadCacheBytesPerClass < 0)
        {
            ThrowHelper.ThrowOptionOutOfRange(nameof(ThreadCacheBytesPerClass), ThreadCacheBytesPerClass,
                "must not be negative (zero turns the thread caches off).");
        }

        if (RefillBatchBytes <= 0)
        {
            ThrowHelper.ThrowOptionOutOfRange(nameof(RefillBatchBytes), RefillBatchBytes, "must be positive.");
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

        if (TrimInterval < TimeSpan.Zero || TrimInterval > TimeSpan.FromDays(1))
        {
            ThrowHelper.ThrowOption(nameof(TrimInterval), $"{TrimInterval} must be between zero (never) and one day.");
        }

        if (!Enum.IsDefined(LimitBehavior))
        {
            ThrowHelper.ThrowOption(nameof(LimitBehavior), $"{(int)LimitBehavior} is not an OrthotopeLimitBehavior value.");
        }

        if (MaxBufferSize < LargestSizeClass || MaxBufferSize > DefaultMaxBufferSize)
        {
            ThrowHelper.ThrowOptionOutOfRange(nameof(MaxBufferSize), MaxBufferSize,
                $"must be between LargestSizeClass ({LargestSizeClass}) and {DefaultMaxBufferSize} bytes.");
        }
    }
}
