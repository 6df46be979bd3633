using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading;
using BenchmarkDotNet.Attributes;
using Orthotope.Pooling.Engine;
using Orthotope.Pooling.Memory;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// W1 taken apart: where the time of one <see cref="OrthotopeMemoryPool"/> rent+dispose of 4 KiB goes, beside
/// <c>ArrayPool&lt;byte&gt;.Shared</c>'s rent+return. Not one of the workloads; it is the evidence for what
/// W1's ratio is made of.
/// </summary>
/// <remarks>
/// It inherits W1's five rows (the baseline among them) and adds: the engine's thread-cache pop and push alone; the
/// pool's <c>Rent</c> and the owner's <c>Dispose</c> without touching the memory (the size-class lookup, the state
/// write, and the atomic exchange that makes <c>Dispose</c> idempotent and thread-safe), which W1's
/// <c>OrthotopeMemory</c> row extends with <c>owner.Memory.Span</c> (two virtual calls through
/// <see cref="MemoryManager{T}"/>); and, for scale, one uncontended <see cref="Interlocked.Exchange(ref int, int)"/>.
/// </remarks>
[MemoryDiagnoser]
public class RentReturnAnatomy : RentReturn4K
{
    private PoolEngine<PooledMemoryBlock> _engine = null!;
    private int _classIndex;
    private int _state;

    /// <inheritdoc/>
    protected override void Setup()
    {
        _engine = OrthotopePool.Engine;
        _classIndex = SizeClassTable.GetIndex(Size);
    }

    /// <summary>The engine alone: thread-cache pop and push of a block, no owner state.</summary>
    [Benchmark]
    public void EnginePopPush()
    {
        PooledMemoryBlock block = _engine.Rent(_classIndex);
        _engine.Return(block, _classIndex);
    }

    /// <summary>The pool's <c>Rent</c> and the owner's <c>Dispose</c>, memory untouched.</summary>
    [Benchmark]
    public void OrthotopeMemoryRentDispose()
    {
        IMemoryOwner<byte> owner = OrthotopeBlocks.Rent(Size);
        owner.Dispose();
    }

    /// <summary>One uncontended atomic exchange and a plain write: what <c>Dispose</c>'s idempotence costs at least.</summary>
    [Benchmark]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public int InterlockedExchange()
    {
        _state = 1;
        return Interlocked.Exchange(ref _state, 0);
    }
}
