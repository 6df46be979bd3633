using System;
using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace Orthotope.Pooling.Memory;

/// <summary>
/// The <see cref="IMemoryOwner{T}"/> that <see cref="OrthotopeMemoryPool{T}.Rent"/> hands out: a view of one
/// <see cref="PooledMemoryBlock"/> as exactly the requested number of elements of <typeparamref name="T"/>.
/// </summary>
/// <remarks>
/// <para>
/// One typed owner is made per block and element type, cached on the block (<see cref="PooledMemoryBlock.TypedOwner"/>)
/// and reused whenever the block is rented again for the same <typeparamref name="T"/>, so renting and disposing
/// allocate nothing. Its whole state is the block (fixed), the element count of the current rent and
/// <see cref="_state"/>; a diagnostics twin that records misuse can wrap the same block the same way.
/// </para>
/// <para>
/// The memory is the block's: pinned (on the pinned object heap), starting on a 64-byte boundary, so
/// <see cref="Pin"/> returns the address without a GCHandle. There is no array of <typeparamref name="T"/> behind it,
/// so <see cref="TryGetArray"/> returns false; <see cref="MemoryMarshal.TryGetMemoryManager{T, TManager}(ReadOnlyMemory{T}, out TManager)"/>
/// finds this manager.
/// </para>
/// <para>
/// <see cref="Dispose()"/> checks this owner's own state (a plain check, as the byte pool's owner does) and gives the
/// block back through the block's <see cref="PooledMemoryBlock.Dispose()"/>; a second dispose does nothing. After that,
/// <see cref="Memory"/>, <see cref="GetSpan"/> and <see cref="Pin"/> throw <see cref="ObjectDisposedException"/> until
/// the block is rented again for the same element type, when this object comes back to life for its new renter: like
/// every pooled buffer, an owner must not be used after it is disposed.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class TypedMemoryOwner<T> : MemoryManager<T>, IDisposable
    where T : unmanaged
{
    private const int StateFree = 0;
    private const int StateRented = 1;

    private readonly PooledMemoryBlock _block;

    /// <summary>The block's address, copied so the span needs no hop through the block.</summary>
    private readonly nint _address;

    /// <summary>Elements in the current rent; the block holds at least <c>_length * sizeof(T)</c> bytes.</summary>
    private int _length;

    /// <summary><see cref="StateRented"/> between a rent and the first dispose, else <see cref="StateFree"/>.</summary>
    private int _state;

    public TypedMemoryOwner(PooledMemoryBlock block)
    {
        _block = block;
        _address = block.Address;
    }

    /// <summary>The block this owner views.</summary>
    public PooledMemoryBlock Block => _block;

    /// <summary>The element count of the current (or last) rent.</summary>
    public int Length => _length;

    /// <summary>Marks the owner rented for <paramref name="length"/> elements; called by the pool as it hands it out.</summary>
    /// <remarks>Plain writes are enough: the block was just rented, so no one else can reach this owner.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void MarkRented(int length)
    {
        Debug.Assert(_state == StateFree, "a free owner is never handed out twice");
        Debug.Assert(length >= 0 && (long)length * sizeof(T) <= _block.Length, "the block holds the elements");
        _length = length;
        _state = StateRented;
    }

    /// <inheritdoc/>
    public override Memory<T> Memory
    {
        get
        {
            if (_state != StateRented)
            {
                ThrowDisposed();
            }

            return CreateMemory(_length);
        }
    }

    /// <inheritdoc/>
    public override unsafe Span<T> GetSpan()
    {
        if (_state != StateRented)
        {
            ThrowDisposed();
        }

        // Safe: the block is a slice of an array on the pinned object heap, kept alive by the block this owner holds,
        // so the address is fixed; the block holds at least _length elements (checked when rented).
        return new Span<T>((void*)_address, _length);
    }

    /// <inheritdoc/>
    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        if (_state != StateRented)
        {
            ThrowDisposed();
        }

        if ((uint)elementIndex > (uint)_length)
        {
            ThrowHelper.ThrowPinIndexOutOfRange(elementIndex, _length);
        }

        // Safe: as in GetSpan; the index was checked against the rent's length, so the pointer is inside the block or
        // one past the last element. No GCHandle: the memory was pinned when the slab was allocated.
        return new MemoryHandle((T*)_address + elementIndex);
    }

    /// <inheritdoc/>
    public override void Unpin()
    {
        // Nothing to undo: the memory was pinned when the slab was allocated.
    }

    /// <inheritdoc/>
    protected override bool TryGetArray(out ArraySegment<T> segment)
    {
        if (_state != StateRented)
        {
            ThrowDisposed();
        }

        // The elements live in a byte[] slab: there is no T[] to expose.
        segment = default;
        return false;
    }

    /// <summary>Gives the block back to its pool; later calls do nothing.</summary>
    /// <remarks>
    /// Re-implements <see cref="IDisposable.Dispose"/> so that disposing through <see cref="IMemoryOwner{T}"/> skips
    /// <see cref="MemoryManager{T}"/>'s finalizer bookkeeping, which a pooled object never needs. The owner's own state
    /// (not only the block's) decides, so a stale second dispose after the block was rented again as bytes or for
    /// another element type cannot return another renter's block. Two threads disposing at once are a race the caller
    /// must not start (diagnostics mode reports it).
    /// </remarks>
    public void Dispose()
    {
        if (_state == StateRented)
        {
            _state = StateFree;
            _block.Dispose();
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing) => Dispose();

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDisposed() => ThrowHelper.ThrowTypedBlockDisposed($"IMemoryOwner<{typeof(T).Name}>");
}
