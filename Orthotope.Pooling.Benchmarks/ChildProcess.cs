using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// Runs this benchmark program again in a child process, for the modes that measure one contender per process
/// (<c>ArrayPool&lt;byte&gt;.Shared</c> is process-wide, so contenders sharing a process would share its arrays).
/// </summary>
/// <remarks>Stateless and thread-safe; each call starts and waits for one process.</remarks>
public static class ChildProcess
{
    /// <summary>
    /// Starts this program with <paramref name="arguments"/>, hands every line it prints to <paramref name="onLine"/>
    /// (which returns false for lines it does not consume; those are echoed, indented), and returns the exit code.
    /// </summary>
    public static int Run(IEnumerable<string> arguments, Func<string, bool> onLine)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(onLine);
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this process's executable");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (string.Equals(Path.GetFileNameWithoutExtension(host), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process child = Process.Start(start) ?? throw new InvalidOperationException("could not start " + host);
        while (child.StandardOutput.ReadLine() is string line)
        {
            if (!onLine(line))
            {
                Console.WriteLine("  " + line);
            }
        }

        child.WaitForExit();
        return child.ExitCode;
    }
}
