using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;

namespace Orthotope.Pooling.Docs.Tests;

/// <summary>Finds the fenced C# blocks of Markdown text and of the repository's Markdown files.</summary>
/// <remarks>
/// Fences follow CommonMark: three or more backticks or tildes open a block, and a fence of the same character at
/// least as long closes it. Every fenced block is tracked, whatever its language, so a <c>```csharp</c> line shown
/// inside a longer <c>````md</c> block is not taken for a snippet. The info strings <c>csharp</c>, <c>cs</c> and
/// <c>c#</c> mark C#. A block that is deliberately not a whole program is preceded (on the nearest non-blank line)
/// by <c>&lt;!-- snippet: not-compiled (reason) --&gt;</c>; the reason is required. Stateless and thread-safe.
/// </remarks>
internal static partial class MarkdownSnippets
{
    /// <summary>Folders never searched for Markdown: build outputs and tool state, not documentation.</summary>
    private static readonly HashSet<string> s_skippedFolders = new(StringComparer.OrdinalIgnoreCase)
    {
        "bin", "obj", "artifacts", "node_modules", "TestResults", "BenchmarkDotNet.Artifacts",
    };

    /// <summary>Every C# block of every Markdown file under <paramref name="root"/>, by path, then line.</summary>
    public static List<MarkdownSnippet> FindInRepository(string root)
    {
        var snippets = new List<MarkdownSnippet>();
        foreach (string file in FindMarkdownFiles(root))
        {
            string relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            snippets.AddRange(Parse(relative, File.ReadAllText(file)));
        }

        return snippets;
    }

    /// <summary>The full paths of the Markdown files under <paramref name="root"/>, sorted, build outputs left out.</summary>
    public static List<string> FindMarkdownFiles(string root)
    {
        var files = new List<string>();
        CollectMarkdownFiles(root, files);
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>The C# blocks of one Markdown text.</summary>
    /// <exception cref="InvalidDataException">A fence is not closed, or a snippet marker is malformed.</exception>
    public static List<MarkdownSnippet> Parse(string file, string markdown)
    {
        string[] lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var snippets = new List<MarkdownSnippet>();
        for (int i = 0; i < lines.Length; i++)
        {
            Match open = OpeningFence().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }

            int fenceLine = i;
            int indent = open.Groups["indent"].Length;
            string fence = open.Groups["fence"].Value;
            string language = open.Groups["info"].Value.Trim().Split(' ', 2)[0].ToLowerInvariant();
            if (fence[0] == '`' && open.Groups["info"].Value.Contains('`', StringComparison.Ordinal))
            {
                continue; // an inline code span such as ```x```, not a fence (CommonMark)
            }

            var code = new List<string>();
            bool closed = false;
            for (i++; i < lines.Length; i++)
            {
                Match close = ClosingFence().Match(lines[i]);
                if (close.Success && close.Groups["fence"].Value[0] == fence[0] && close.Groups["fence"].Length >= fence.Length)
                {
                    closed = true;
                    break;
                }

                code.Add(RemoveIndent(lines[i], indent));
            }

            if (!closed)
            {
                throw new InvalidDataException($"{file}:{fenceLine + 1}: the fenced block opened here is never closed.");
            }

            if (language is "csharp" or "cs" or "c#")
            {
                string? reason = NotCompiledReason(file, lines, fenceLine);
                snippets.Add(new MarkdownSnippet(file, fenceLine + 1, string.Join('\n', code), reason));
            }
        }

        return snippets;
    }

    /// <summary>The reason of the not-compiled marker on the nearest non-blank line above the fence, if any.</summary>
    private static string? NotCompiledReason(string file, string[] lines, int fenceLine)
    {
        int above = fenceLine - 1;
        while (above >= 0 && string.IsNullOrWhiteSpace(lines[above]))
        {
            above--;
        }

        if (above < 0 || !lines[above].TrimStart().StartsWith("<!-- snippet:", StringComparison.Ordinal))
        {
            return null;
        }

        Match marker = NotCompiledMarker().Match(lines[above]);
        if (!marker.Success || string.IsNullOrWhiteSpace(marker.Groups["reason"].Value))
        {
            throw new InvalidDataException(
                $"{file}:{above + 1}: a snippet marker must read '<!-- snippet: not-compiled (the reason) -->'.");
        }

        return marker.Groups["reason"].Value.Trim();
    }

    private static string RemoveIndent(string line, int indent)
    {
        int remove = 0;
        while (remove < indent && remove < line.Length && line[remove] == ' ')
        {
            remove++;
        }

        return line[remove..];
    }

    private static void CollectMarkdownFiles(string folder, List<string> files)
    {
        files.AddRange(Directory.EnumerateFiles(folder, "*.md"));
        foreach (string child in Directory.EnumerateDirectories(folder))
        {
            string name = Path.GetFileName(child);
            if (!name.StartsWith('.') && !s_skippedFolders.Contains(name))
            {
                CollectMarkdownFiles(child, files);
            }
        }
    }

    [GeneratedRegex(@"^(?<indent> *)(?<fence>`{3,}|~{3,})(?<info>.*)$")]
    private static partial Regex OpeningFence();

    [GeneratedRegex(@"^ *(?<fence>`{3,}|~{3,})[ \t]*$")]
    private static partial Regex ClosingFence();

    [GeneratedRegex(@"^\s*<!-- snippet: not-compiled \((?<reason>.*)\) -->\s*$")]
    private static partial Regex NotCompiledMarker();
}
