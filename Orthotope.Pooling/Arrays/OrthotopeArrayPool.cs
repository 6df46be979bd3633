using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using Orthotope.Pooling.Arrays;
using Orthotope.Pooling.Engine;

namespace Orthotope.Pooling;

/// <summary>
/// An <see cref="ArrayPool{T}"/> of <see cref="byte"/> arrays on the same engine as <see cref="OrthotopeMemoryPool"/>:
/// fixed size classes, a per-thread cache per class refilled from and drained to a central pool in batches.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe: every member may be called from any thread. <see cref="Rent"/> transfers an array to the caller;
/// <see cref="Return"/> hands it back, on any thread. As with every <see cref="ArrayPool{T}"/>, an array must be
/// returned at most once and not used afterwards; one that is never returned is simply collected.
/// </para>
/// <para>
/// Where it differs from <see cref="ArrayPool{T}.Shared"/>: arrays come in four classes per power of two (so a
/// request wastes under 25%, not up to 50%); a thread that rents a burst of arrays and returns them keeps them in
/// its own cache; arrays returned on another thread flow back in batches through one short lock per class, not
/// per array. Requests above <see cref="OrthotopePoolOptions.LargestSizeClass"/> get an array of exactly the
/// requested length (or a cached one at most a quarter longer), kept for reuse within
/// <see cref="OrthotopePoolOptions.LargeBlockCacheBytes"/> when returned.
/// </para>
/// <para>
/// Returning arrays it did not hand out cannot break the pool's promises: a foreign array of a class length (or one
/// returned twice) is counted when it reaches the central list, kept if <see cref="OrthotopePoolOptions.MaxReservedBytes"/>
/// leaves room for it and dropped otherwise (a twice-returned array is kept once); a foreign large array likewise.
/// Arrays served unpooled over the limit are recognised and dropped. An array that is never returned stays counted as
/// outstanding until the pool is disposed.
/// </para>
/// <para>
/// A pool you construct is yours to dispose (a dependency-injection container disposes the one it made); after
/// <see cref="Dispose"/> a rent throws <see cref="ObjectDisposedException"/> and arrays returned later are accepted
/// quietly and dropped. A pool dropped without being disposed is cleaned up by its finalizer. <see cref="Shared"/>
/// lives for the process: disposing it does nothing.
/// </para>
/// </remarks>
public sealed class OrthotopeArrayPool : ArrayPool<byte>, IDisposable
{
    private static readonly OrthotopeArrayPool s_shared = new(new OrthotopePoolOptions { Name = "shared-arrays" });

    private readonly PoolEngine<byte[]> _engine;
    private readonly SizeClassTable _classes;
    private readonly int _largestClassLength;

    /// <summary>Lengths up to this go straight to a size class: the largest class, or <see cref="MaxArrayLength"/> if lower.</summary>
    private readonly int _fastRentLimit;

    private readonly LargeArraySource _largeSource;
    private readonly int _maxArrayLength;

    /// <summary>Creates a pool with the default options.</summary>
    public OrthotopeArrayPool()
        : this(new OrthotopePoolOptions())
    {
    }

    /// <summary>Creates a pool with the given options, which are validated and copied.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range; the exception names it.</exception>
    public OrthotopeArrayPool(OrthotopePoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Clone();
        options.Validate();
        _classes = new SizeClassTable(options.LargestSizeClass);
        SizeClassTable classes = _classes;
        var largeSource = new LargeArraySource(classes);
        _largeSource = largeSource;
        _engine = new PoolEngine<byte[]>(
            options,
            classes,
            _ => new ArrayBlockSource(classes, options),
            _ => largeSource,
            nameof(OrthotopeArrayPool));
        _largestClassLength = _classes.LargestLength;
        _maxArrayLength = Math.Min(options.MaxBufferSize, Array.MaxLength);
        _fastRentLimit = Math.Min(_largestClassLength, _maxArrayLength);
        Options = options;
    }

    /// <summary>Stops caching and drops every free array once no one can reach the pool any more.</summary>
    /// <remarks>The engine is null when the constructor threw (bad options).</remarks>
    ~OrthotopeArrayPool() => _engine?.Dispose();

    /// <summary>
    /// Stops caching and drops every free array, as <see cref="OrthotopeMemoryPool"/>'s dispose does; later rents
    /// throw <see cref="ObjectDisposedException"/>. Disposing again, or disposing <see cref="Shared"/>, does nothing.
    /// </summary>
    public void Dispose()
    {
        if (ReferenceEquals(this, s_shared))
        {
            return;
        }

        _engine.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A process-wide pool with the default options, named <c>"shared-arrays"</c>.</summary>
    public static new OrthotopeArrayPool Shared => s_shared;

    /// <summary>A copy of the options the pool was built with.</summary>
    public OrthotopePoolOptions Options { get; }

    /// <summary>The pool's name, from <see cref="OrthotopePoolOptions.Name"/>.</summary>
    public string Name => _engine.Name;

    /// <summary>
    /// The largest length <see cref="Rent"/> accepts: <see cref="OrthotopePoolOptions.MaxBufferSize"/>, or
    /// <see cref="Array.MaxLength"/> if that is lower (the default), as <see cref="ArrayPool{T}.Shared"/> serves.
    /// </summary>
    public int MaxArrayLength => _maxArrayLength;

    /// <summary>
    /// Rents an array of at least <paramref name="minimumLength"/> bytes; its contents are whatever the last user
    /// left. A length of zero gives an empty array.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minimumLength"/> is negative or above <see cref="MaxArrayLength"/>.</exception>
    /// <exception cref="OrthotopePoolExhaustedException">Serving the rent would pass <see cref="OrthotopePoolOptions.MaxReservedBytes"/>.</exception>
    public override byte[] Rent(int minimumLength)
    {
        // One unsigned compare sends zero, negatives and large requests to the slow path.
        if ((uint)(minimumLength - 1) < (uint)_fastRentLimit)
        {
            return _engine.Rent(SizeClassTable.GetIndex(minimumLength));
        }

        return RentUncommon(minimumLength);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private byte[] RentUncommon(int minimumLength)
    {
        if (minimumLength == 0)
        {
            return [];
        }

        if (minimumLength < 0 || minimumLength > _maxArrayLength)
        {
            ThrowHelper.ThrowArrayRentSizeOutOfRange(nameof(minimumLength), minimumLength, _maxArrayLength);
        }

        return _engine.RentLarge(minimumLength);
    }

    /// <summary>Returns an array to the pool, zeroing it first if <paramref name="clearArray"/> is true.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="array"/> is null.</exception>
    /// <exception cref="ArgumentException">The array's length is not one this pool hands out (a size class, or above the largest class).</exception>
    public override void Return(byte[] array, bool clearArray = false)
    {
        ArgumentNullException.ThrowIfNull(array);
        int index = _classes.IndexOfExactLength(array.Length);
        if (index >= 0)
        {
            if (clearArray)
            {
                Array.Clear(array);
            }

            _engine.Return(array, index);
            return;
        }

        ReturnUncommon(array, clearArray);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReturnUncommon(byte[] array, bool clearArray)
    {
        if (array.Length == 0)
        {
            // The empty array Rent(0) hands out: nothing to keep.
            return;
        }

        if (_largeSource.TryForgetUnpooled(array))
        {
            // Served over the limit outside the pool: counted while out, dropped now.
            _engine.ReturnUnpooled(array);
            return;
        }

        if (array.Length <= _largestClassLength)
        {
            ThrowHelper.ThrowArrayNotFromPool(nameof(array), array.Length);
        }

        if (clearArray)
        {
            Array.Clear(array);
        }

        _engine.ReturnLarge(array);
    }

    /// <summary>A snapshot of what the pool holds and has done.</summary>
    public PoolStatistics GetStatistics() => _engine.GetStatistics();

    /// <summary>
    /// Gives memory back: drains the caches of every thread (this one, idle live threads, and those that have exited)
    /// into the central lists, and releases every free array held centrally and every cached large array. Returns the
    /// bytes released.
    /// </summary>
    /// <remarks>A thread caught in the middle of a rent or return keeps its cache until the next trim.</remarks>
    public long Trim() => _engine.Trim();

    /// <summary>The engine, for the tests and the diagnostics layer.</summary>
    internal PoolEngine<byte[]> Engine => _engine;

    /// <inheritdoc/>
    public override string ToString() => $"OrthotopeArrayPool '{Name}' ({_classes})";
}
