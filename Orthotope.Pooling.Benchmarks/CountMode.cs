using System;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Threading;
using BenchmarkDotNet.Attributes;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// <c>--count Class.Row N</c>: warms one benchmark row up until its code is at tier 1, then calls it <c>N</c> more
/// times and exits. Run twice under <c>valgrind --tool=callgrind</c>, with <c>N</c> and <c>2N</c>: the difference in
/// instructions executed, divided by <c>N</c> times the row's operations per call, is what one operation executes,
/// counted exactly whatever else the machine is doing (<c>count.sh</c> beside this file does that).
/// </summary>
/// <remarks>
/// Instructions are not time (a cache miss or a write barrier costs more than its count says), but for a
/// single-threaded row whose data stays in cache they follow it closely, and they are repeatable to the instruction,
/// so a change to the fast path can be measured on a machine too loaded to time it.
/// </remarks>
public static class CountMode
{
    /// <summary>Runs the mode; returns the process exit code.</summary>
    public static int Run(ReadOnlySpan<string> args)
    {
        if (args.Length != 2 || args[0].Split('.') is not [string className, string rowName] ||
            !long.TryParse(args[1], CultureInfo.InvariantCulture, out long calls) || calls < 0)
        {
            Console.Error.WriteLine("--count: usage: --count Class.Row N (for example --count RentReturn4K.OrthotopeMemory 100000)");
            return 2;
        }

        Type? type = typeof(Program).Assembly.GetType($"{typeof(Program).Namespace}.{className}");
        MethodInfo? method = type?.GetMethod(rowName, BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        if (type is null || !typeof(ContenderBenchmark).IsAssignableFrom(type) || method?.GetCustomAttribute<BenchmarkAttribute>() is null ||
            method.ReturnType != typeof(void))
        {
            Console.Error.WriteLine($"--count: {args[0]} is not a benchmark row returning void of a ContenderBenchmark class.");
            return 2;
        }

        var instance = (ContenderBenchmark)Activator.CreateInstance(type)!;
        instance.GlobalSetup();
        Action row = method.CreateDelegate<Action>(instance);

        // Tiered compilation promotes a method after 30 calls and a delay, in the background: call the row well past
        // that and pause, long enough for the background compiler to run even under valgrind (which runs one thread
        // at a time), three times over, before counting.
        for (int pass = 0; pass < 3; pass++)
        {
            for (int i = 0; i < 20_000; i++)
            {
                row();
            }

            Thread.Sleep(2000);
        }

        for (long i = 0; i < calls; i++)
        {
            row();
        }

        instance.GlobalCleanup();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{args[0]}: {calls} calls of {method.GetCustomAttribute<BenchmarkAttribute>()!.OperationsPerInvoke} operations"));
        return 0;
    }
}
