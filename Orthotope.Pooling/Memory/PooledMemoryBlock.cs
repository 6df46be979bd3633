using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Orthotope.Pooling.Engine;

namespace Orthotope.Pooling.Memory;

/// <summary>
/// A block of pinned, 64-byte aligned memory, and the <see cref="IMemoryOwner{T}"/> that
/// <see cref="OrthotopeMemoryPool.Rent"/> hands out for it.
/// </summary>
/// <remarks>
/// <para>
/// There is one owner object per block, made once when the block is carved and reused for every rent of it, so
/// renting and disposing allocate nothing. The memory is a slice of an array on the pinned object heap, and
/// <see cref="Memory"/> hands it out as array-backed memory made once with
/// <see cref="MemoryMarshal.CreateFromPinnedArray{T}(T[], int, int)"/>: its <c>Span</c> is inline (no virtual call
/// back into this manager, which a <c>Pipe</c> would pay on every <c>GetSpan</c>), its <c>Pin()</c> returns the
/// address without a GCHandle, and <see cref="MemoryMarshal.TryGetArray{T}(ReadOnlyMemory{T}, out ArraySegment{T})"/>
/// exposes the slab array at the block's offset, as Kestrel's blocks do.
/// </para>
/// <para>
/// The default mode's misuse semantics are <see cref="MemoryPool{T}.Shared"/>'s: after <see cref="Dispose()"/>,
/// <see cref="Memory"/> throws <see cref="ObjectDisposedException"/> and a second <see cref="Dispose()"/> does
/// nothing, with a plain check of the state and no interlocked operation. Two threads disposing one owner at the same
/// moment, a <see cref="Memory{T}"/> kept past its owner's disposal, and a stale owner used after the pool rented the
/// block out again (the object is reused) are undefined, as with every pooled buffer; diagnostics mode
/// (<c>OrthotopePoolOptions.Diagnostics</c>) hands out a fresh, checking owner per rent and catches them all.
/// </para>
/// </remarks>
internal sealed class PooledMemoryBlock : MemoryManager<byte>, IDisposable
{
    private const int StateFree = 0;
    private const int StateRented = 1;

    /// <summary>Index of the class for blocks that belong to the large path.</summary>
    public const int LargeClassIndex = -1;

    /// <summary>Index of the class for blocks served over the reservation limit, which are dropped when disposed.</summary>
    public const int UnpooledClassIndex = -2;

    private readonly PoolEngine<PooledMemoryBlock> _engine;
    private readonly byte[] _array;
    private readonly int _offset;
    private readonly int _length;

    /// <summary>The address of <c>_array[_offset]</c>; stable because the array is pinned.</summary>
    private readonly nint _address;

    /// <summary>The block as array-backed pinned memory, made once: what <see cref="Memory"/> hands out.</summary>
    private readonly Memory<byte> _memory;

    /// <summary><see cref="StateRented"/> between a rent and the first dispose, else <see cref="StateFree"/>.</summary>
    private int _state;

    /// <summary>
    /// The typed owner (a <see cref="TypedMemoryOwner{T}"/>) made for this block by the last
    /// <see cref="OrthotopeMemoryPool{T}"/> that rented it, reused while the block is rented for the same element type;
    /// null until then. Only the renter of the block reads or writes it, so it needs no synchronisation beyond the
    /// hand-off of the block itself.
    /// </summary>
    internal object? TypedOwner;

    public PooledMemoryBlock(PoolEngine<PooledMemoryBlock> engine, Slab? slab, int classIndex, byte[] array, int offset, int length, nint address)
    {
        Debug.Assert((address & (SizeClassTable.Alignment - 1)) == 0, "blocks start on a 64-byte boundary");
        Debug.Assert((uint)offset <= (uint)array.Length && (uint)length <= (uint)(array.Length - offset));
        _engine = engine;
        Slab = slab;
        ClassIndex = classIndex;
        _array = array;
        _offset = offset;
        _length = length;
        _address = address;
        _memory = MemoryMarshal.CreateFromPinnedArray(array, offset, length);
    }

    /// <summary>The slab this block was carved from, or null for a large block.</summary>
    public Slab? Slab { get; }

    /// <summary>The block's size class, or <see cref="LargeClassIndex"/> or <see cref="UnpooledClassIndex"/>.</summary>
    public int ClassIndex { get; }

    /// <summary>The usable length.</summary>
    public int Length => _length;

    /// <summary>The address of the block's first byte: 64-byte aligned, and fixed because the slab is pinned.</summary>
    public nint Address => _address;

    /// <summary>The bytes of the backing array (for a large block, what it reserves).</summary>
    public int ArrayLength => _array.Length;

    /// <summary>Marks the block rented; called by the pool as it hands the block out.</summary>
    /// <remarks>A plain write is enough: the block came from the pool's structures, where no one else can reach it.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MarkRented()
    {
        Debug.Assert(_state == StateFree, "a free block is never handed out twice");
        _state = StateRented;
    }

    /// <summary>The block's memory: array-backed, over the pinned slab; throws once the owner is disposed.</summary>
    /// <exception cref="ObjectDisposedException">The owner has been disposed.</exception>
    public override Memory<byte> Memory
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_state != StateRented)
            {
                ThrowHelper.ThrowBlockDisposed();
            }

            return _memory;
        }
    }

    /// <inheritdoc/>
    public override Span<byte> GetSpan()
    {
        if (_state != StateRented)
        {
            ThrowHelper.ThrowBlockDisposed();
        }

        return new Span<byte>(_array, _offset, _length);
    }

    /// <inheritdoc/>
    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        if (_state != StateRented)
        {
            ThrowHelper.ThrowBlockDisposed();
        }

        if ((uint)elementIndex > (uint)_length)
        {
            ThrowHelper.ThrowPinIndexOutOfRange(elementIndex, _length);
        }

        // Safe: the array is on the pinned object heap, so the address stays valid while the array is alive, and
        // the renter keeps it alive by holding this owner; the index was checked against the block's length.
        return new MemoryHandle((byte*)_address + elementIndex);
    }

    /// <inheritdoc/>
    public override void Unpin()
    {
        // Nothing to undo: the memory was pinned when the slab was allocated.
    }

    /// <inheritdoc/>
    protected override bool TryGetArray(out ArraySegment<byte> segment)
    {
        if (_state != StateRented)
        {
            ThrowHelper.ThrowBlockDisposed();
        }

        segment = new ArraySegment<byte>(_array, _offset, _length);
        return true;
    }

    /// <summary>Returns the block to its pool; later calls do nothing.</summary>
    /// <remarks>
    /// Re-implements <see cref="IDisposable.Dispose"/> so that disposing through <see cref="IMemoryOwner{T}"/> skips
    /// <see cref="MemoryManager{T}"/>'s finalizer bookkeeping, which a pooled object never needs. A plain check and
    /// write, as <see cref="MemoryPool{T}.Shared"/>'s owner does: a sequential second dispose does nothing; two
    /// threads disposing at once are a race the caller must not start (diagnostics mode reports it).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dispose()
    {
        if (_state == StateRented)
        {
            _state = StateFree;
            int classIndex = ClassIndex;
            if (classIndex >= 0)
            {
                _engine.Return(this, classIndex);
            }
            else
            {
                ReturnOutsideClasses();
            }
        }
    }

    /// <summary>Gives back a large block, or drops one served unpooled over the limit.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReturnOutsideClasses()
    {
        if (ClassIndex == LargeClassIndex)
        {
            _engine.ReturnLarge(this);
        }
        else
        {
            _engine.ReturnUnpooled(this);
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing) => Dispose();
}
