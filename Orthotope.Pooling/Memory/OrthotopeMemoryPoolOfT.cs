using System;
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Orthotope.Pooling.Memory;

namespace Orthotope.Pooling;

/// <summary>
/// A <see cref="MemoryPool{T}"/> of typed, pinned, 64-byte aligned buffers of exactly the requested length, on the
/// blocks of an <see cref="OrthotopeMemoryPool"/>: for tensor and inference code that would otherwise rent
/// <c>float[]</c> from <see cref="ArrayPool{T}.Shared"/> or allocate.
/// </summary>
/// <typeparam name="T">The element type: any unmanaged type (<see cref="float"/>, <see cref="double"/>, <see cref="Half"/>, a struct of them, ...).</typeparam>
/// <remarks>
/// <para>
/// Thread-safe: every member may be called from any thread. <see cref="Rent"/> transfers ownership of a buffer to the
/// caller; disposing the returned <see cref="IMemoryOwner{T}"/> gives it back, once (a second dispose does nothing),
/// and it may be disposed on another thread than it was rented on. An owner must be disposed by one thread and must
/// not be used after it is disposed: its members then throw <see cref="ObjectDisposedException"/>, until the pool
/// hands the same owner object to a later renter.
/// </para>
/// <para>
/// What a rent gives: <c>Memory.Length</c> is exactly the requested element count (the block behind it is rounded up
/// to the byte pool's size class, but the owner never shows more); the first element starts on a 64-byte boundary;
/// the memory is pinned for its whole life, so <c>Memory.Pin()</c> costs no GCHandle. Alignment is of the block's
/// start: when <c>sizeof(T)</c> does not divide 64 (a 12-byte struct, say), element <c>i</c> lies at byte offset
/// <c>i * sizeof(T)</c> from that boundary and later elements are not themselves aligned. The memory is not cleared:
/// it holds whatever the previous renter wrote. There is no <c>T[]</c> behind it, so
/// <see cref="System.Runtime.InteropServices.MemoryMarshal.TryGetArray{T}(ReadOnlyMemory{T}, out ArraySegment{T})"/>
/// returns false.
/// </para>
/// <para>
/// One engine: the typed pool has no memory, statistics or limits of its own. Every rent is a rent of a block of
/// <c>count * sizeof(T)</c> bytes from <see cref="BytePool"/>, so that pool's
/// <see cref="OrthotopeMemoryPool.GetStatistics"/> counts it (in bytes of its block's class),
/// <see cref="OrthotopePoolOptions.MaxReservedBytes"/> and <see cref="OrthotopePoolOptions.LimitBehavior"/> apply to
/// it, and <see cref="OrthotopeMemoryPool.Trim"/> and idle trimming give its memory back. Typed pools of different
/// element types over one byte pool share its blocks.
/// </para>
/// <para>
/// Steady-state rents and disposes allocate nothing: the typed owner made for a block is kept on the block and reused
/// the next time the block is rented for the same element type. A block rented for another element type gets a new
/// owner (one small allocation, only when a block changes element type).
/// </para>
/// <para>
/// Disposing a typed pool makes its own later rents throw <see cref="ObjectDisposedException"/> and does not dispose
/// <see cref="BytePool"/>, which stays its creator's to dispose; owners rented before remain valid and may be disposed
/// later. Once <see cref="BytePool"/> is disposed, rents throw <see cref="ObjectDisposedException"/>. <see cref="Shared"/>
/// sits on <see cref="OrthotopeMemoryPool.Shared"/> and ignores <see cref="MemoryPool{T}.Dispose()"/>.
/// </para>
/// </remarks>
public sealed class OrthotopeMemoryPool<T> : MemoryPool<T>
    where T : unmanaged
{
    private static readonly OrthotopeMemoryPool<T> s_shared = new(OrthotopeMemoryPool.Shared, isShared: true);

    private readonly OrthotopeMemoryPool _bytes;
    private readonly int _maxBufferSize;
    private readonly int _defaultLength;
    private readonly bool _isShared;

    /// <summary>
    /// Counts below this take <see cref="Rent"/>'s fast path: <see cref="MaxBufferSize"/> + 1 while the pool is open,
    /// zero once it is disposed, so one unsigned compare checks the range and disposal, and -1 and everything else go
    /// to <see cref="RentUncommon"/>.
    /// </summary>
    private volatile int _rentLimit;

    /// <summary>Creates a typed pool on the blocks of <paramref name="bytes"/>.</summary>
    /// <param name="bytes">The byte pool whose blocks, statistics and limits this pool uses; it stays the caller's to dispose.</param>
    /// <exception cref="ArgumentNullException"><paramref name="bytes"/> is null.</exception>
    public OrthotopeMemoryPool(OrthotopeMemoryPool bytes)
        : this(bytes, isShared: false)
    {
    }

    private unsafe OrthotopeMemoryPool(OrthotopeMemoryPool bytes, bool isShared)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        _bytes = bytes;
        _maxBufferSize = bytes.MaxBufferSize / sizeof(T);
        _defaultLength = Math.Max(1, OrthotopeMemoryPool.DefaultRentSize / sizeof(T));
        _isShared = isShared;
        _rentLimit = _maxBufferSize + 1;
    }

    /// <summary>A process-wide typed pool on <see cref="OrthotopeMemoryPool.Shared"/>. Disposing it does nothing.</summary>
    [SuppressMessage("Design", "CA1000:Do not declare static members on generic types",
        Justification = "The issue's API, shaped like MemoryPool<T>.Shared, which it hides.")]
    public static new OrthotopeMemoryPool<T> Shared => s_shared;

    /// <summary>
    /// The largest element count <see cref="Rent"/> accepts: <see cref="BytePool"/>'s
    /// <see cref="OrthotopeMemoryPool.MaxBufferSize"/> divided by <c>sizeof(T)</c>, rounded down.
    /// </summary>
    public override int MaxBufferSize => _maxBufferSize;

    /// <summary>The byte pool this pool rents its blocks from: its statistics, limits and trimming are this pool's.</summary>
    public OrthotopeMemoryPool BytePool => _bytes;

    /// <summary>
    /// Rents a buffer of exactly <paramref name="minBufferSize"/> elements; -1 (the default) rents 4096 bytes' worth
    /// (<c>4096 / sizeof(T)</c> elements, at least one), and 0 an empty buffer (which still holds the smallest block
    /// and must be disposed like any other). The memory is pinned, starts on a 64-byte boundary and is not cleared.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minBufferSize"/> is below -1 or above <see cref="MaxBufferSize"/>.</exception>
    /// <exception cref="ObjectDisposedException">This pool or <see cref="BytePool"/> has been disposed.</exception>
    /// <exception cref="OrthotopePoolExhaustedException">Serving the rent would pass <see cref="BytePool"/>'s <see cref="OrthotopePoolOptions.MaxReservedBytes"/>.</exception>
    public override unsafe IMemoryOwner<T> Rent(int minBufferSize = -1)
    {
        if ((uint)minBufferSize >= (uint)_rentLimit)
        {
            minBufferSize = RentUncommon(minBufferSize);
        }

        // At most MaxBufferSize elements, so the byte length is at most the byte pool's MaxBufferSize.
        PooledMemoryBlock block = _bytes.RentBlock((long)minBufferSize * sizeof(T));

        // Diagnostics mode plugs in here: it will hand out a fresh owner per rent (never the cached one) that records
        // misuse, wrapping the same block the same way.
        if (block.TypedOwner is not TypedMemoryOwner<T> owner)
        {
            owner = CreateOwner(block);
        }

        owner.MarkRented(minBufferSize);
        return owner;
    }

    /// <summary>Resolves -1 to the default length; throws for a disposed pool or a count out of range.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe int RentUncommon(int minBufferSize)
    {
        if (_rentLimit == 0)
        {
            ThrowHelper.ThrowObjectDisposed(ToString());
        }

        if (minBufferSize != -1)
        {
            ThrowHelper.ThrowTypedRentSizeOutOfRange(nameof(minBufferSize), minBufferSize, _maxBufferSize, sizeof(T));
        }

        return _defaultLength;
    }

    /// <summary>Makes the typed owner for a block that has none for <typeparamref name="T"/> yet, and keeps it on the block.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TypedMemoryOwner<T> CreateOwner(PooledMemoryBlock block)
    {
        TypedMemoryOwner<T> owner;
        try
        {
            owner = new TypedMemoryOwner<T>(block);
        }
        catch
        {
            // Out of memory for the owner: the block must not stay rented with no one holding it.
            block.Dispose();
            throw;
        }

        block.TypedOwner = owner;
        return owner;
    }

    /// <inheritdoc/>
    /// <remarks>Refuses this pool's later rents; <see cref="BytePool"/> is left open. <see cref="Shared"/> ignores it.</remarks>
    protected override void Dispose(bool disposing)
    {
        if (!_isShared)
        {
            _rentLimit = 0;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"OrthotopeMemoryPool<{typeof(T).Name}> on '{_bytes.Name}'";
}
