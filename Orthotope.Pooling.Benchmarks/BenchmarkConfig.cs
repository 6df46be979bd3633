using System;
using System.Collections.Generic;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>The configuration every run starts from.</summary>
/// <remarks>
/// BenchmarkDotNet's defaults: CSV, Markdown and HTML reports in <c>BenchmarkDotNet.Artifacts/results</c>, which
/// <c>plot.py</c> reads, and a Ratio column against each class's baseline. <c>--quick</c> adds
/// <see cref="QuickJob"/>: one launch, one warm-up and three 100 ms iterations, for a first look in about a minute
/// for all workloads; its figures are noisy and not for the docs. BenchmarkDotNet's own <c>--job short</c> (three
/// warm-ups, three 500 ms iterations) takes a few minutes for everything.
/// </remarks>
public static class BenchmarkConfig
{
    /// <summary>The flag that selects <see cref="QuickJob"/>.</summary>
    public const string QuickFlag = "--quick";

    /// <summary>The quick job: noisy figures in seconds per benchmark.</summary>
    public static Job QuickJob { get; } = Job.Default
        .WithLaunchCount(1)
        .WithWarmupCount(1)
        .WithIterationCount(3)
        .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(100))
        .WithId("Quick");

    /// <summary>Builds the configuration, with <see cref="QuickJob"/> when <paramref name="quick"/> is set.</summary>
    public static IConfig Create(bool quick)
    {
        // Median beside the mean: the figures in the docs are medians, steadier than means on a shared machine.
        ManualConfig config = ManualConfig.Create(DefaultConfig.Instance).AddColumn(StatisticColumn.Median);
        return quick ? config.AddJob(QuickJob) : config;
    }

    /// <summary>Removes <see cref="QuickFlag"/> from the arguments, which BenchmarkDotNet would reject.</summary>
    public static string[] TakeQuickFlag(string[] args, out bool quick)
    {
        ArgumentNullException.ThrowIfNull(args);
        var rest = new List<string>(args.Length);
        quick = false;
        foreach (string arg in args)
        {
            if (arg == QuickFlag)
            {
                quick = true;
            }
            else
            {
                rest.Add(arg);
            }
        }

        return rest.ToArray();
    }
}
