namespace Orthotope.Pooling.Docs.Tests;

/// <summary>One fenced C# block of a Markdown file.</summary>
/// <param name="File">The file, relative to the repository root, with '/' separators.</param>
/// <param name="Line">The 1-based line of the opening fence.</param>
/// <param name="Code">The block's text, without the fences and without the fence's indentation.</param>
/// <param name="NotCompiledReason">
/// The reason given by a <c>&lt;!-- snippet: not-compiled (reason) --&gt;</c> marker on the line before the fence, or
/// null when the block must compile.
/// </param>
internal sealed record MarkdownSnippet(string File, int Line, string Code, string? NotCompiledReason)
{
    /// <summary>Where the block starts, as <c>file:line</c>.</summary>
    public string Location => $"{File}:{Line}";

    /// <summary>The first line of the code inside the fence.</summary>
    public int FirstCodeLine => Line + 1;
}
