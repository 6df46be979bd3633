using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using Orthotope.Pooling.Engine;
using Orthotope.Pooling.Memory;

namespace Orthotope.Pooling;

/// <summary>
/// A <see cref="MemoryPool{T}"/> of pinned, 64-byte aligned blocks carved from large slabs in fixed size classes,
/// with a per-thread cache per class: a drop-in for <see cref="MemoryPool{T}.Shared"/> and Kestrel's block pool.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe: every member may be called from any thread. <see cref="Rent"/> transfers ownership of a block to
/// the caller; disposing the returned <see cref="IMemoryOwner{T}"/> gives it back, once: a second dispose does
/// nothing, and afterwards its <c>Memory</c> throws <see cref="ObjectDisposedException"/>, as with
/// <see cref="MemoryPool{T}.Shared"/>. A block may be disposed on another thread than it was rented on (as
/// <c>Pipe</c> does); it then flows back to the renting threads through the central pool. As with every pooled
/// buffer, an owner must be disposed by one thread, and neither it nor memory taken from it used after its dispose:
/// the owner object is reused for the block's next rent. Diagnostics mode
/// (<c>OrthotopePoolOptions.Diagnostics</c>) catches every such misuse, with the stack that caused it.
/// </para>
/// <para>
/// Steady-state rents and disposes allocate nothing: each block has one reusable owner object. Requests up to
/// <see cref="OrthotopePoolOptions.LargestSizeClass"/> (default 1 MiB) come from size classes; larger ones, up to
/// <see cref="MaxBufferSize"/>, from dedicated pinned arrays that are kept for reuse within
/// <see cref="OrthotopePoolOptions.LargeBlockCacheBytes"/>.
/// </para>
/// <para>
/// A pool you construct is yours to dispose; after <see cref="MemoryPool{T}.Dispose()"/> a rent throws
/// <see cref="ObjectDisposedException"/> and owners disposed later are accepted quietly. A pool dropped without
/// being disposed is disposed by its finalizer (the blocks refer to the engine, not to the pool object).
/// <see cref="Shared"/> is never disposed.
/// </para>
/// </remarks>
public sealed class OrthotopeMemoryPool : MemoryPool<byte>
{
    /// <summary>The size <see cref="Rent"/> gives for its default argument, -1: 4096 bytes, as <see cref="MemoryPool{T}.Shared"/>.</summary>
    public const int DefaultRentSize = 4096;

    private static readonly OrthotopeMemoryPool s_shared = new(new OrthotopePoolOptions { Name = "shared" }, isShared: true);

    private readonly PoolEngine<PooledMemoryBlock> _engine;
    /// <summary>Sizes up to this go straight to a size class: the largest class, or <see cref="MaxBufferSize"/> if lower.</summary>
    private readonly int _fastRentLimit;
    private readonly int _maxBufferSize;
    private readonly int _defaultClassIndex;
    private readonly bool _isShared;

    /// <summary>Creates a pool with the default options.</summary>
    public OrthotopeMemoryPool()
        : this(new OrthotopePoolOptions())
    {
    }

    /// <summary>Creates a pool with the given options, which are validated and copied.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range; the exception names it.</exception>
    public OrthotopeMemoryPool(OrthotopePoolOptions options)
        : this(options, isShared: false)
    {
    }

    private OrthotopeMemoryPool(OrthotopePoolOptions options, bool isShared)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Clone();
        options.Validate();
        var classes = new SizeClassTable(options.LargestSizeClass);
        _engine = new PoolEngine<PooledMemoryBlock>(
            options,
            classes,
            engine => new SlabBlockSource(engine, classes, options),
            static engine => new LargeMemoryBlockSource(engine),
            nameof(OrthotopeMemoryPool));
        _maxBufferSize = Math.Min(options.MaxBufferSize, OrthotopePoolOptions.MemoryPoolMaxBufferSize);
        _fastRentLimit = Math.Min(classes.LargestLength, _maxBufferSize);
        _defaultClassIndex = SizeClassTable.GetIndex(DefaultRentSize);
        _isShared = isShared;
        Options = options;
    }

    /// <summary>Disposes a pool that was dropped without being disposed: its free memory goes back to the runtime.</summary>
    ~OrthotopeMemoryPool() => Dispose(disposing: false);

    /// <summary>A process-wide pool with the default options, named <c>"shared"</c>. Disposing it does nothing.</summary>
    public static new OrthotopeMemoryPool Shared => s_shared;

    /// <summary>
    /// The largest request <see cref="Rent"/> accepts: <see cref="OrthotopePoolOptions.MaxBufferSize"/>, or
    /// <see cref="OrthotopePoolOptions.MemoryPoolMaxBufferSize"/> if that is lower (the default).
    /// </summary>
    public override int MaxBufferSize => _maxBufferSize;

    /// <summary>A copy of the options the pool was built with.</summary>
    public OrthotopePoolOptions Options { get; }

    /// <summary>The pool's name, from <see cref="OrthotopePoolOptions.Name"/>.</summary>
    public string Name => _engine.Name;

    /// <summary>
    /// Rents a block of at least <paramref name="minBufferSize"/> bytes (4096 for -1). The block's memory is pinned,
    /// starts on a 64-byte boundary and may be longer than asked for (rounded up to its size class).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minBufferSize"/> is below -1 or above <see cref="MaxBufferSize"/>.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <exception cref="OrthotopePoolExhaustedException">Serving the rent would pass <see cref="OrthotopePoolOptions.MaxReservedBytes"/>.</exception>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        PooledMemoryBlock block = (uint)minBufferSize <= (uint)_fastRentLimit
            ? _engine.Rent(SizeClassTable.GetIndex(minBufferSize))
            : RentUncommon(minBufferSize);
        block.MarkRented();
        return block;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private PooledMemoryBlock RentUncommon(int minBufferSize)
    {
        if (minBufferSize == -1)
        {
            return _engine.Rent(_defaultClassIndex);
        }

        if (minBufferSize < -1 || minBufferSize > _maxBufferSize)
        {
            ThrowHelper.ThrowRentSizeOutOfRange(nameof(minBufferSize), minBufferSize, _maxBufferSize);
        }

        return _engine.RentLarge(minBufferSize);
    }

    /// <summary>
    /// Rents a raw block of at least <paramref name="byteLength"/> bytes and marks it rented, with <see cref="Rent"/>'s
    /// disposed check and limit behaviour: the seam typed pools (<see cref="OrthotopeMemoryPool{T}"/>) build on. The
    /// caller gives the block back through its <see cref="PooledMemoryBlock.Dispose()"/>.
    /// </summary>
    /// <remarks>
    /// A <see langword="long"/>, so that an element count times the element size cannot overflow on the way here; it is
    /// validated against <see cref="MaxBufferSize"/>.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="byteLength"/> is negative or above <see cref="MaxBufferSize"/>.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <exception cref="OrthotopePoolExhaustedException">Serving the rent would pass <see cref="OrthotopePoolOptions.MaxReservedBytes"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal PooledMemoryBlock RentBlock(long byteLength)
    {
        PooledMemoryBlock block = (ulong)byteLength <= (ulong)_fastRentLimit
            ? _engine.Rent(SizeClassTable.GetIndex((int)byteLength))
            : RentBlockUncommon(byteLength);
        block.MarkRented();
        return block;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private PooledMemoryBlock RentBlockUncommon(long byteLength)
    {
        if ((ulong)byteLength > (ulong)_maxBufferSize)
        {
            ThrowHelper.ThrowBlockLengthOutOfRange(nameof(byteLength), byteLength, _maxBufferSize);
        }

        return _engine.RentLarge((int)byteLength);
    }

    /// <summary>A snapshot of what the pool holds and has done.</summary>
    public PoolStatistics GetStatistics() => _engine.GetStatistics();

    /// <summary>
    /// Gives memory back to the runtime: drains the caches of every thread (this one, idle live threads, and those
    /// that have exited) into the central lists, and releases every slab whose blocks are all free and every cached
    /// large block. Returns the bytes released.
    /// </summary>
    /// <remarks>A thread caught in the middle of a rent or return keeps its cache until the next trim.</remarks>
    public long Trim() => _engine.Trim();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        // The engine is null when the constructor threw (bad options) and the finalizer runs on what was left.
        if (!_isShared)
        {
            _engine?.Dispose();
        }
    }

    /// <summary>The engine, for the tests and the diagnostics layer.</summary>
    internal PoolEngine<PooledMemoryBlock> Engine => _engine;

    /// <inheritdoc/>
    public override string ToString() => $"OrthotopeMemoryPool '{Name}' ({_engine.Classes})";
}
