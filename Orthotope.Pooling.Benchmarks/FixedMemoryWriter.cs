using System;
using System.Buffers;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over one fixed <see cref="Memory{T}"/> that is large enough: W9's floor rows, which
/// measure serializing with no writer overhead, into array-backed memory or into a pool block's memory.
/// </summary>
/// <remarks>Not thread-safe; the benchmark owns the memory. Writing past the end throws, which W9's sizing never does.</remarks>
public sealed class FixedMemoryWriter : IBufferWriter<byte>
{
    private readonly Memory<byte> _memory;
    private int _written;

    public FixedMemoryWriter(Memory<byte> memory)
    {
        _memory = memory;
    }

    public int WrittenCount => _written;

    public ReadOnlyMemory<byte> WrittenMemory => _memory[.._written];

    public void Reset() => _written = 0;

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_memory.Length - _written))
        {
            throw new InvalidOperationException("Advanced past the fixed memory.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        CheckRoom(sizeHint);
        return _memory[_written..];
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        CheckRoom(sizeHint);
        return _memory.Span[_written..];
    }

    private void CheckRoom(int sizeHint)
    {
        if (Math.Max(sizeHint, 1) > _memory.Length - _written)
        {
            throw new InvalidOperationException($"The fixed memory has {_memory.Length - _written} bytes left, {sizeHint} asked for.");
        }
    }
}
