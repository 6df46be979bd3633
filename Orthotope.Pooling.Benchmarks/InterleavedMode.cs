using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// <c>--interleaved Class [Class ...]</c>: the rows of benchmark classes (the same methods BenchmarkDotNet runs) in
/// one process, taking turns round after round, with the median time per operation of each and its ratio to the
/// class's baseline row.
/// </summary>
/// <remarks>
/// <para>
/// BenchmarkDotNet runs each row in a process of its own, one after another, so on a shared machine whose load swings
/// from minute to minute the rows see different machines and their ratio moves with the load. Taking turns in short
/// slices gives every row the same machine, so the ratios hold when the absolute times do not. Each row is still its
/// own method with its own call sites, so each call site sees one pool type, as in BenchmarkDotNet's processes; the
/// rows only share the process (its GC heap and thread pool), and every row is called through the same delegate.
/// </para>
/// <para>Options: <c>--rounds N</c> (default 25), <c>--ms M</c>, the time each row runs per round (default 30).</para>
/// </remarks>
public static class InterleavedMode
{
    /// <summary>
    /// The classes whose rows can share a process: no state carried from one call to the next that another row could
    /// trip over (MixedSizes keeps a ring of live buffers), and no call site shared between rows whose profile would
    /// then mix pool types (a <c>Pipe</c>'s own code calls every pool from one site; CrossThread's consumer loop too).
    /// </summary>
    private static readonly string[] s_interleavable = ["RentReturn4K", "RentReturnAnatomy", "Burst64", "Pin"];

    /// <summary>Runs the mode; returns the process exit code.</summary>
    public static int Run(ReadOnlySpan<string> args)
    {
        int rounds = 25, milliseconds = 30;
        var classes = new List<Type>();
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
            else if (Array.IndexOf(s_interleavable, args[i]) >= 0)
            {
                classes.Add(typeof(Program).Assembly.GetType($"{typeof(Program).Namespace}.{args[i]}")!);
            }
            else
            {
                Console.Error.WriteLine(
                    $"--interleaved: unknown or bad argument '{args[i]}' (one of {string.Join(", ", s_interleavable)}, or --rounds N, --ms M)");
                return 2;
            }
        }

        if (classes.Count == 0)
        {
            Console.Error.WriteLine("--interleaved: name at least one benchmark class, e.g. --interleaved RentReturn4K Burst64");
            return 2;
        }

        Console.WriteLine($"Interleaved: {rounds} rounds, each row about {milliseconds} ms per round; median ns per operation (ratio to the class's baseline), min-max of the ratio over rounds");
        foreach (Type type in classes)
        {
            RunClass(type, rounds, milliseconds);
        }

        return 0;
    }

    private static void RunClass(Type type, int rounds, int milliseconds)
    {
        var instance = (ContenderBenchmark)Activator.CreateInstance(type)!;
        instance.GlobalSetup();
        try
        {
            List<Row> rows = [.. type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null && m.GetParameters().Length == 0)
                .Select(m => Row.Create(instance, m))];
            int baseline = Math.Max(0, rows.FindIndex(r => r.IsBaseline));

            // What calling a row costs with nothing in it (the delegate and the loop), as BenchmarkDotNet's overhead
            // measurement: subtracted from every row, per call.
            rows.Add(Row.Overhead);
            int overhead = rows.Count - 1;

            // Warm up: every row well past tiering, so each call site is at tier 1 with its profile.
            foreach (Row row in rows)
            {
                row.RunFor(TimeSpan.FromMilliseconds(400));
            }

            var perOp = new double[rows.Count][];
            for (int r = 0; r < rows.Count; r++)
            {
                perOp[r] = new double[rounds];
            }

            for (int round = 0; round < rounds; round++)
            {
                // Rotate the starting row so no row always runs right after the same one.
                for (int k = 0; k < rows.Count; k++)
                {
                    int r = (round + k) % rows.Count;
                    perOp[r][round] = rows[r].RunFor(TimeSpan.FromMilliseconds(milliseconds));
                }
            }

            Console.WriteLine();
            Console.WriteLine($"### {type.Name}");
            Console.WriteLine();
            Console.WriteLine($"Call overhead subtracted: {Median(perOp[overhead]):F2} ns per call (median).");
            Console.WriteLine();
            Console.WriteLine("| Row | Median ns/op | Ratio | Ratio min-max |");
            Console.WriteLine("|---|---:|---:|---|");
            double Net(int r, int i) => Math.Max(0, perOp[r][i] - (perOp[overhead][i] / rows[r].OperationsPerCall));
            for (int r = 0; r < overhead; r++)
            {
                double[] net = [.. Enumerable.Range(0, rounds).Select(i => Net(r, i))];
                double[] ratios = [.. Enumerable.Range(0, rounds).Select(i => Net(r, i) / Net(baseline, i)).Order()];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {rows[r].Name}{(r == baseline ? " (baseline)" : "")} | {Median(net):F2} | {Median(ratios):F2} | {ratios[rounds / 10]:F2}-{ratios[rounds - 1 - (rounds / 10)]:F2} |"));
            }
        }
        finally
        {
            instance.GlobalCleanup();
        }
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        return sorted[sorted.Length / 2];
    }

    /// <summary>One benchmark method, called through a delegate, with its operations per call.</summary>
    private sealed class Row
    {
        private readonly Action _run;
        private readonly int _operationsPerCall;
        private int _callsPerSlice = 1;

        private Row(string name, Action run, int operationsPerCall, bool isBaseline)
        {
            Name = name;
            _run = run;
            _operationsPerCall = operationsPerCall;
            IsBaseline = isBaseline;
        }

        public string Name { get; }

        public bool IsBaseline { get; }

        public int OperationsPerCall => _operationsPerCall;

        /// <summary>A row that does nothing: the cost of the call itself.</summary>
        public static Row Overhead => new("(overhead)", static () => { }, operationsPerCall: 1, isBaseline: false);

        public static Row Create(object instance, MethodInfo method)
        {
            BenchmarkAttribute attribute = method.GetCustomAttribute<BenchmarkAttribute>()!;
            Action run = method.ReturnType switch
            {
                Type t when t == typeof(void) => method.CreateDelegate<Action>(instance),
                Type t when t == typeof(Task) => Wait(method.CreateDelegate<Func<Task>>(instance)),
                Type t when t == typeof(int) => Discard(method.CreateDelegate<Func<int>>(instance)),
                Type t when t == typeof(nint) => Discard(method.CreateDelegate<Func<nint>>(instance)),
                _ => throw new NotSupportedException($"{method.Name} returns {method.ReturnType}; add a case here."),
            };
            return new Row(method.Name, run, attribute.OperationsPerInvoke, attribute.Baseline);
        }

        /// <summary>Runs for about <paramref name="duration"/>; returns the nanoseconds per operation.</summary>
        public double RunFor(TimeSpan duration)
        {
            long start = Stopwatch.GetTimestamp();
            long calls = 0;
            while (true)
            {
                for (int i = 0; i < _callsPerSlice; i++)
                {
                    _run();
                }

                calls += _callsPerSlice;
                TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
                if (elapsed >= duration)
                {
                    // Aim for about 16 checks of the clock per slice next time.
                    _callsPerSlice = (int)Math.Clamp(calls / 16, 1, int.MaxValue);
                    return elapsed.TotalNanoseconds / (calls * (double)_operationsPerCall);
                }
            }
        }

        private static Action Wait(Func<Task> run) => () => run().GetAwaiter().GetResult();

        private static Action Discard<TResult>(Func<TResult> run) => () => run();
    }
}
