using System;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// <c>--loop Class.Row SECONDS</c>: calls one benchmark row over and over for a while, alone in its process, for a
/// profiler to watch (<c>perf record</c> with <c>DOTNET_PerfMapEnabled=1</c>, or <c>dotnet-trace</c>); prints the
/// time per operation when done.
/// </summary>
public static class LoopMode
{
    /// <summary>Runs the mode; returns the process exit code.</summary>
    public static int Run(ReadOnlySpan<string> args)
    {
        if (args.Length != 2 || args[0].Split('.') is not [string className, string rowName] ||
            !double.TryParse(args[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || seconds <= 0)
        {
            Console.Error.WriteLine("--loop: usage: --loop Class.Row SECONDS (for example --loop RentReturn4K.OrthotopeMemory 20)");
            return 2;
        }

        Type? type = typeof(Program).Assembly.GetType($"{typeof(Program).Namespace}.{className}");
        MethodInfo? method = type?.GetMethod(rowName, BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        BenchmarkAttribute? attribute = method?.GetCustomAttribute<BenchmarkAttribute>();
        if (type is null || !typeof(ContenderBenchmark).IsAssignableFrom(type) || method is null || attribute is null ||
            (method.ReturnType != typeof(void) && method.ReturnType != typeof(Task)))
        {
            Console.Error.WriteLine($"--loop: {args[0]} is not a benchmark row (returning void or Task) of a ContenderBenchmark class.");
            return 2;
        }

        var instance = (ContenderBenchmark)Activator.CreateInstance(type)!;
        instance.GlobalSetup();
        Action row = method.ReturnType == typeof(void)
            ? method.CreateDelegate<Action>(instance)
            : Wait(method.CreateDelegate<Func<Task>>(instance));
        long calls = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < 64; i++)
            {
                row();
            }

            calls += 64;
        }

        double nanoseconds = clock.Elapsed.TotalNanoseconds / (calls * (double)attribute.OperationsPerInvoke);
        instance.GlobalCleanup();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{args[0]}: {nanoseconds:F2} ns per operation over {seconds} s"));
        return 0;
    }

    private static Action Wait(Func<Task> run) => () => run().GetAwaiter().GetResult();
}
