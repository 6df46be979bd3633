using System.Buffers;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// W2: sizes from 64 B to 1 MiB, log-uniform from a fixed seed, with 32 buffers live in a ring: each operation gives
/// back the oldest buffer, rents the next size and writes one byte into it. Reported per operation.
/// </summary>
/// <remarks>
/// <para>
/// Kestrel's pool only serves 4096-byte blocks. For it, requests above its <see cref="MemoryPool{T}.MaxBufferSize"/>
/// go to <c>ArrayPool&lt;byte&gt;.Shared</c>, exactly as <c>Pipe</c> does for a segment its pool cannot serve; about
/// 43% of the log-uniform requests fit in 4096 bytes, so that row measures "Kestrel as Pipe uses it", not Kestrel
/// alone.
/// </para>
/// <para>
/// The ring lives across invocations (it is filled on the first one, which the warm-up absorbs), so the measured
/// steady state is a pool that always has 32 mixed buffers out.
/// </para>
/// </remarks>
[MemoryDiagnoser]
public class MixedSizes : ContenderBenchmark
{
    /// <summary>Operations per invocation.</summary>
    public const int Operations = 1024;

    private const int Live = 32;
    private const int SizeCount = 8192;

    private readonly int[] _sizes = LogUniformSizes.Create(SizeCount);
    private readonly byte[]?[] _arrays = new byte[Live][];
    private readonly IMemoryOwner<byte>?[] _owners = new IMemoryOwner<byte>[Live];
    private int _cursor;

    /// <summary>The array pool the ring's arrays came from, for <see cref="Cleanup"/>.</summary>
    private ArrayPool<byte>? _arrayPool;

    /// <summary>The baseline: <c>ArrayPool&lt;byte&gt;.Shared</c>.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public void ArrayPoolShared() => RunArrays(ArrayPool<byte>.Shared);

    /// <summary><c>MemoryPool&lt;byte&gt;.Shared</c>.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void MemoryPoolShared() => RunOwners(MemoryPool<byte>.Shared);

    /// <summary>Kestrel's pool for requests up to 4096 bytes, <c>ArrayPool&lt;byte&gt;.Shared</c> above, as <c>Pipe</c> does.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void Kestrel()
    {
        _arrayPool = ArrayPool<byte>.Shared;
        MemoryPool<byte> pool = KestrelBlocks;
        int maxBlock = pool.MaxBufferSize;
        int[] sizes = _sizes;
        byte[]?[] arrays = _arrays;
        IMemoryOwner<byte>?[] owners = _owners;
        int cursor = _cursor;
        for (int i = 0; i < Operations; i++, cursor++)
        {
            int slot = cursor & (Live - 1);
            byte[]? array = arrays[slot];
            if (array is not null)
            {
                ArrayPool<byte>.Shared.Return(array);
                arrays[slot] = null;
            }
            else
            {
                owners[slot]?.Dispose();
                owners[slot] = null;
            }

            int size = sizes[cursor & (SizeCount - 1)];
            if (size <= maxBlock)
            {
                IMemoryOwner<byte> owner = pool.Rent(size);
                owner.Memory.Span[0] = 1;
                owners[slot] = owner;
            }
            else
            {
                array = ArrayPool<byte>.Shared.Rent(size);
                array[0] = 1;
                arrays[slot] = array;
            }
        }

        _cursor = cursor;
    }

    /// <summary><see cref="OrthotopeMemoryPool"/>.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void OrthotopeMemory() => RunOwners(OrthotopeBlocks);

    /// <summary><see cref="OrthotopeArrayPool"/>.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void OrthotopeArray() => RunArrays(OrthotopeArrays);

    /// <inheritdoc/>
    protected override void Cleanup()
    {
        // Only the contender this process measured has buffers out; the Kestrel row may hold both kinds.
        for (int slot = 0; slot < Live; slot++)
        {
            _owners[slot]?.Dispose();
            _owners[slot] = null;
            if (_arrays[slot] is byte[] array)
            {
                _arrayPool!.Return(array);
                _arrays[slot] = null;
            }
        }
    }

    // Inlined into each benchmark so the JIT sees the pool's exact type where the caller knows it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void RunArrays(ArrayPool<byte> pool)
    {
        _arrayPool = pool;
        int[] sizes = _sizes;
        byte[]?[] arrays = _arrays;
        int cursor = _cursor;
        for (int i = 0; i < Operations; i++, cursor++)
        {
            int slot = cursor & (Live - 1);
            if (arrays[slot] is byte[] old)
            {
                pool.Return(old);
            }

            byte[] array = pool.Rent(sizes[cursor & (SizeCount - 1)]);
            array[0] = 1;
            arrays[slot] = array;
        }

        _cursor = cursor;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void RunOwners(MemoryPool<byte> pool)
    {
        int[] sizes = _sizes;
        IMemoryOwner<byte>?[] owners = _owners;
        int cursor = _cursor;
        for (int i = 0; i < Operations; i++, cursor++)
        {
            int slot = cursor & (Live - 1);
            owners[slot]?.Dispose();
            IMemoryOwner<byte> owner = pool.Rent(sizes[cursor & (SizeCount - 1)]);
            owner.Memory.Span[0] = 1;
            owners[slot] = owner;
        }

        _cursor = cursor;
    }
}
