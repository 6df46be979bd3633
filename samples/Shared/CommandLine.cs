using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Orthotope.Pooling.Samples;

/// <summary>
/// The samples' command line: <c>--name value</c> options and <c>--name</c> switches. <c>--help</c> (or <c>-h</c>)
/// prints the usage and exits with 0; a bad or unknown argument prints one line on standard error and exits with 2,
/// never a stack trace.
/// </summary>
/// <remarks>
/// Read the options, then call <see cref="RejectUnknown"/> so a mistyped name is reported rather than ignored. Not
/// thread-safe; meant for the first lines of a sample's Main.
/// </remarks>
internal sealed class CommandLine
{
    /// <summary>The exit code of a usage error, as in most command-line tools.</summary>
    public const int UsageError = 2;

    private readonly string _program;
    private readonly string[] _args;

    /// <summary>Which arguments an option or switch has consumed.</summary>
    private readonly bool[] _used;

    /// <summary>Prints <paramref name="usage"/> and exits with 0 when the arguments ask for help.</summary>
    public CommandLine(string program, string usage, string[] args)
    {
        _program = program;
        _args = args;
        _used = new bool[args.Length];
        if (Array.Exists(args, static a => a is "--help" or "-h" or "-?"))
        {
            Console.WriteLine(usage);
            Environment.Exit(0);
        }
    }

    /// <summary>The whole number given to <paramref name="name"/>, else <paramref name="fallback"/>.</summary>
    public int Int(string name, int fallback, int min, int max) =>
        Parse(name, Value(name), fallback, min, max);

    /// <summary>
    /// The whole number given to <paramref name="name"/>, else the environment variable
    /// <paramref name="variable"/>, else <paramref name="fallback"/>.
    /// </summary>
    public int Int(string name, string variable, int fallback, int min, int max)
    {
        string? text = Value(name);
        if (text is not null)
        {
            return Parse(name, text, fallback, min, max);
        }

        return Parse(variable, Environment.GetEnvironmentVariable(variable), fallback, min, max);
    }

    /// <summary>Whether the switch <paramref name="name"/> was given.</summary>
    public bool Switch(string name)
    {
        int at = IndexOf(name);
        if (at < 0)
        {
            return false;
        }

        _used[at] = true;
        return true;
    }

    /// <summary>Ends the process with a usage error if an argument was not consumed by an option or switch.</summary>
    public void RejectUnknown()
    {
        for (int i = 0; i < _args.Length; i++)
        {
            if (!_used[i])
            {
                Fail($"unknown argument '{_args[i]}'");
            }
        }
    }

    /// <summary>Prints <c>program: message. Run with --help for usage.</c> on standard error and exits with 2.</summary>
    [DoesNotReturn]
    public void Fail(string message)
    {
        Console.Error.WriteLine($"{_program}: {message}. Run with --help for usage.");
        Environment.Exit(UsageError);
        throw new InvalidOperationException("unreachable");
    }

    private string? Value(string name)
    {
        int at = IndexOf(name);
        if (at < 0)
        {
            return null;
        }

        if (at + 1 >= _args.Length || _args[at + 1].StartsWith("--", StringComparison.Ordinal))
        {
            Fail($"{name} needs a value");
        }

        _used[at] = _used[at + 1] = true;
        return _args[at + 1];
    }

    private int IndexOf(string name)
    {
        int at = Array.IndexOf(_args, name);
        if (at >= 0 && Array.IndexOf(_args, name, at + 1) >= 0)
        {
            Fail($"{name} is given twice");
        }

        return at;
    }

    private int Parse(string name, string? text, int fallback, int min, int max)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) ||
            value < min || value > max)
        {
            Fail(string.Create(CultureInfo.InvariantCulture, $"{name} takes a whole number from {min} to {max}, not '{text}'"));
        }

        return value;
    }
}
