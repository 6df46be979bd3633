using System;
using System.Linq;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>Which contenders each mode runs.</summary>
public static class Contenders
{
    /// <summary>
    /// The contenders of the memory modes (footprint, timeline): all but <see cref="Contender.KestrelBare"/>, whose
    /// blocks and eviction are Kestrel's own (only the timing benchmarks measure the pool with and without what the
    /// factory adds), and <see cref="Contender.Floor"/>, which is no pool.
    /// </summary>
    public static Contender[] Memory { get; } =
        Enum.GetValues<Contender>().Where(c => c is not Contender.KestrelBare and not Contender.Floor).ToArray();
}
