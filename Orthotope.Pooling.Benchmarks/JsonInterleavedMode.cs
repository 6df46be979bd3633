using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// <c>--json-interleaved</c>: W9's rows (<see cref="JsonWriters"/>, the same methods) run in one process, taking turns
/// round after round, and the median time per document of each. BenchmarkDotNet runs each row in its own process one
/// after another, so on a shared machine whose load swings from minute to minute the rows see different machines;
/// taking turns gives every row the same machine, and the ratios between rows hold even when the absolute times do not.
/// </summary>
/// <remarks>Options: <c>--rounds N</c> (default 21), <c>--ms M</c>, the time each row runs per round (default 20).</remarks>
public static class JsonInterleavedMode
{
    public static int Run(ReadOnlySpan<string> args)
    {
        int rounds = 21, milliseconds = 20;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--rounds" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out rounds) && rounds > 0)
            {
                i++;
            }
            else if (args[i] == "--ms" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out milliseconds) && milliseconds > 0)
            {
                i++;
            }
            else
            {
                Console.Error.WriteLine($"--json-interleaved: unknown or bad argument '{args[i]}' (options: --rounds N, --ms M)");
                return 2;
            }
        }

        Console.WriteLine($"W9 interleaved: {rounds} rounds, each row about {milliseconds} ms per round; median us per document (ratio to ArrayBufferWriter, to Floor)");
        Console.WriteLine();
        Console.WriteLine("| Document | ArrayBufferWriter | ArrayPoolBufferWriter | RecyclableMemoryStream | OrthotopeBufferWriter | Floor | FloorOnPoolBlock |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (int size in new[] { 1 << 10, 64 << 10, 1 << 20 })
        {
            var benchmark = new JsonWriters { DocumentBytes = size };
            benchmark.Setup();
            try
            {
                (string Name, Func<ValueTask> Run)[] rows =
                [
                    ("ArrayBufferWriter", benchmark.ArrayBufferWriter),
                    ("ArrayPoolBufferWriter", benchmark.ArrayPoolBufferWriter),
                    ("RecyclableMemoryStream", () => { benchmark.RecyclableMemoryStream(); return default; }),
                    ("OrthotopeBufferWriter", benchmark.OrthotopeBufferWriter),
                    ("Floor", benchmark.Floor),
                    ("FloorOnPoolBlock", benchmark.FloorOnPoolBlock),
                ];

                double[] medians = Measure(rows, rounds, milliseconds);
                string cells = string.Join(" | ", medians.Select(m => string.Create(CultureInfo.InvariantCulture,
                    $"{(m >= 100 ? m.ToString("F0", CultureInfo.InvariantCulture) : m.ToString("F2", CultureInfo.InvariantCulture))} us ({m / medians[0]:F2}, {m / medians[4]:F2})")));
                Console.WriteLine($"| {size / 1024} KiB | {cells} |");
            }
            finally
            {
                benchmark.Cleanup();
            }
        }

        return 0;
    }

    private static double[] Measure((string Name, Func<ValueTask> Run)[] rows, int rounds, int milliseconds)
    {
        // Warm up every row past tiered compilation (at least 100 documents each, or 2 s), timing the last sweeps to
        // find how many documents make about `milliseconds` per row.
        var clock = Stopwatch.StartNew();
        int sweeps = 0;
        long lastSweepsStart = 0;
        while (sweeps < 100 || clock.ElapsedMilliseconds < 2000)
        {
            if (sweeps == 50)
            {
                lastSweepsStart = clock.ElapsedTicks;
            }

            foreach ((_, Func<ValueTask> run) in rows)
            {
                RunToEnd(run);
            }

            sweeps++;
            if (clock.ElapsedMilliseconds > 20_000)
            {
                break;
            }
        }

        double sweepMilliseconds = (clock.ElapsedTicks - lastSweepsStart) * 1000.0 / Stopwatch.Frequency / Math.Max(1, sweeps - 50);
        int perRound = Math.Max(1, (int)(milliseconds * rows.Length / sweepMilliseconds));
        var samples = rows.Select(_ => new List<double>(rounds)).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            for (int r = 0; r < rows.Length; r++)
            {
                Func<ValueTask> run = rows[r].Run;
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < perRound; i++)
                {
                    RunToEnd(run);
                }

                samples[r].Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / perRound);
            }
        }

        return samples.Select(s => s.Order().ElementAt(s.Count / 2)).ToArray();
    }

    /// <summary>Completes one document: every row writes to a MemoryStream, so the task has always completed already.</summary>
    private static void RunToEnd(Func<ValueTask> run)
    {
        ValueTask task = run();
        if (task.IsCompleted)
        {
            task.GetAwaiter().GetResult();
        }
        else
        {
            task.AsTask().GetAwaiter().GetResult();
        }
    }
}
