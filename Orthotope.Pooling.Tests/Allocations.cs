using System;

namespace Orthotope.Pooling.Tests;

/// <summary>Measures what an action allocates on the calling thread in steady state.</summary>
public static class Allocations
{
    /// <summary>
    /// Runs <paramref name="action"/> to warm it up, then measures the bytes allocated by <paramref name="iterations"/>
    /// more runs, a few times over, and returns the smallest figure: the runtime's own one-off allocations on this
    /// thread (tiered JIT promotions happen during the first rounds) are not the pool's, but an allocation per
    /// operation shows up in every round.
    /// </summary>
    public static long SteadyStateBytes(Action action, int iterations = 10_000, int rounds = 5)
    {
        for (int i = 0; i < iterations; i++)
        {
            action();
        }

        long smallest = long.MaxValue;
        for (int round = 0; round < rounds && smallest > 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < iterations; i++)
            {
                action();
            }

            smallest = Math.Min(smallest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return smallest;
    }
}
