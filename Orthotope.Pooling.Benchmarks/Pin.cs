using System;
using System.Buffers;
using BenchmarkDotNet.Attributes;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// W7: pin an already rented 4 KiB block and release the handle, as a socket send or receive does.
/// </summary>
/// <remarks>
/// An array has no Pin of its own, so the ArrayPool contenders pin <c>new Memory&lt;byte&gt;(array)</c>. Pinning an
/// array-backed <see cref="Memory{T}"/> allocates a pinned <see cref="System.Runtime.InteropServices.GCHandle"/>
/// whatever heap the array is on; that is also what <c>MemoryPool&lt;byte&gt;.Shared</c> and Kestrel's pool (blocks
/// are slices of pinned-heap arrays, exposed as plain array memory) do. An <see cref="OrthotopeMemoryPool"/> owner
/// is a <see cref="MemoryManager{T}"/> that returns the address it already knows, with no handle.
/// </remarks>
[MemoryDiagnoser]
public class Pin : ContenderBenchmark
{
    private const int Size = 4096;

    private byte[] _sharedArray = null!;
    private IMemoryOwner<byte> _sharedOwner = null!;
    private IMemoryOwner<byte> _kestrelOwner = null!;
    private IMemoryOwner<byte> _kestrelBareOwner = null!;
    private IMemoryOwner<byte> _orthotopeOwner = null!;
    private byte[] _orthotopeArray = null!;

    /// <summary>The baseline: Kestrel's pool, from its factory.</summary>
    [Benchmark(Baseline = true)]
    public unsafe nint Kestrel()
    {
        MemoryHandle handle = _kestrelOwner.Memory.Pin();
        nint address = (nint)handle.Pointer;
        handle.Dispose();
        return address;
    }

    /// <summary>Kestrel's pool, built bare.</summary>
    [Benchmark]
    public unsafe nint KestrelBare()
    {
        MemoryHandle handle = _kestrelBareOwner.Memory.Pin();
        nint address = (nint)handle.Pointer;
        handle.Dispose();
        return address;
    }

    /// <summary><c>ArrayPool&lt;byte&gt;.Shared</c>'s array, pinned through <c>new Memory&lt;byte&gt;(array)</c> (a GCHandle).</summary>
    [Benchmark]
    public unsafe nint ArrayPoolShared()
    {
        MemoryHandle handle = new Memory<byte>(_sharedArray).Pin();
        nint address = (nint)handle.Pointer;
        handle.Dispose();
        return address;
    }

    /// <summary><c>MemoryPool&lt;byte&gt;.Shared</c>'s owner.</summary>
    [Benchmark]
    public unsafe nint MemoryPoolShared()
    {
        MemoryHandle handle = _sharedOwner.Memory.Pin();
        nint address = (nint)handle.Pointer;
        handle.Dispose();
        return address;
    }

    /// <summary><see cref="OrthotopeMemoryPool"/>'s owner.</summary>
    [Benchmark]
    public unsafe nint OrthotopeMemory()
    {
        MemoryHandle handle = _orthotopeOwner.Memory.Pin();
        nint address = (nint)handle.Pointer;
        handle.Dispose();
        return address;
    }

    /// <summary><see cref="OrthotopeArrayPool"/>'s array, pinned through <c>new Memory&lt;byte&gt;(array)</c> (a GCHandle).</summary>
    [Benchmark]
    public unsafe nint OrthotopeArray()
    {
        MemoryHandle handle = new Memory<byte>(_orthotopeArray).Pin();
        nint address = (nint)handle.Pointer;
        handle.Dispose();
        return address;
    }

    /// <inheritdoc/>
    protected override void Setup()
    {
        _sharedArray = ArrayPool<byte>.Shared.Rent(Size);
        _sharedOwner = MemoryPool<byte>.Shared.Rent(Size);
        _kestrelOwner = KestrelBlocks.Rent(Size);
        _kestrelBareOwner = KestrelBareBlocks.Rent(Size);
        _orthotopeOwner = OrthotopeBlocks.Rent(Size);
        _orthotopeArray = OrthotopeArrays.Rent(Size);
    }

    /// <inheritdoc/>
    protected override void Cleanup()
    {
        ArrayPool<byte>.Shared.Return(_sharedArray);
        _sharedOwner.Dispose();
        _kestrelOwner.Dispose();
        _kestrelBareOwner.Dispose();
        _orthotopeOwner.Dispose();
        OrthotopeArrays.Return(_orthotopeArray);
    }
}
