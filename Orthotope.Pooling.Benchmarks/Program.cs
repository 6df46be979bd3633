using System;
using BenchmarkDotNet.Running;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// Entry point. <c>--footprint</c> runs the memory-footprint mode, <c>--burst-footprint</c> W8's memory side
/// (<see cref="InferenceBurstFootprint"/>), <c>--timeline</c> the memory-over-time mode, <c>--interleaved</c> the
/// rows of benchmark classes taking turns in one process (<see cref="InterleavedMode"/>), <c>--loop</c> one row
/// alone for a profiler (<see cref="LoopMode"/>), <c>--json-interleaved</c>
/// W9's rows likewise;
/// anything else goes to BenchmarkDotNet's
/// switcher (<c>--filter</c>, <c>--job short</c>, <c>--list flat</c>, ...), plus <c>--quick</c> for this project's
/// quick job (see <see cref="BenchmarkConfig"/>).
/// </summary>
public static class Program
{
    /// <summary>Runs the footprint mode or the benchmarks the arguments select.</summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--footprint")
        {
            return FootprintMode.Run(args.AsSpan(1));
        }

        if (args.Length > 0 && args[0] == "--burst-footprint")
        {
            return InferenceBurstFootprint.Run(args.AsSpan(1));
        }

        if (args.Length > 0 && args[0] == "--timeline")
        {
            return TimelineMode.Run(args.AsSpan(1));
        }

        if (args.Length > 0 && args[0] == "--loop")
        {
            return LoopMode.Run(args.AsSpan(1));
        }

        if (args.Length > 0 && args[0] == "--interleaved")
        {
            return InterleavedMode.Run(args.AsSpan(1));
        }

        if (args.Length > 0 && args[0] == "--json-interleaved")
        {
            return JsonInterleavedMode.Run(args.AsSpan(1));
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(BenchmarkConfig.TakeQuickFlag(args, out bool quick), BenchmarkConfig.Create(quick));
        return 0;
    }
}
