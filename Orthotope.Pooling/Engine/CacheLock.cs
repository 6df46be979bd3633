using System.Runtime.CompilerServices;
using System.Threading;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// The lock a thread cache's owner (on its slow paths) and a trimmer (draining an idle cache) meet at: one
/// compare-and-swap to take it, one plain write to leave it.
/// </summary>
/// <remarks>
/// <para>
/// Why not <see cref="Lock"/>: its owner is almost always the only thread that takes it, so what matters is the
/// uncontended cost, and <see cref="Lock"/> reads the current thread's id from thread-local storage on every enter
/// and exit, which showed up in profiles of mixed-size workloads that miss their thread cache often (see
/// docs/benchmarks.md, W2). Contention is rare and short: a trimmer only ever <see cref="TryEnter"/>s and holds it
/// while it moves one cache's blocks.
/// </para>
/// <para>
/// Not reentrant, on purpose: a rent that trims the pool at the reservation limit while it holds its own cache's lock
/// must not drain the very stack it is refilling, so the trim skips that cache. A mutable struct: use it only as
/// a field, never copied.
/// </para>
/// </remarks>
internal struct CacheLock
{
    private int _held;

    /// <summary>Takes the lock, spinning (and eventually yielding) while a trimmer holds it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enter()
    {
        if (Interlocked.CompareExchange(ref _held, 1, 0) != 0)
        {
            EnterContended();
        }
    }

    /// <summary>Takes the lock if it is free; never waits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryEnter() => Interlocked.CompareExchange(ref _held, 1, 0) == 0;

    /// <summary>Releases the lock; the caller holds it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit() => Volatile.Write(ref _held, 0);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EnterContended()
    {
        SpinWait spinner = default;
        while (Volatile.Read(ref _held) != 0 || Interlocked.CompareExchange(ref _held, 1, 0) != 0)
        {
            spinner.SpinOnce();
        }
    }
}
