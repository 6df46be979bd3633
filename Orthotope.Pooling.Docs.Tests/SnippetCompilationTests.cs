using System.Collections.Generic;
using System.Linq;

namespace Orthotope.Pooling.Docs.Tests;

/// <summary>
/// Every C# block of every Markdown file in the repository (README.md, docs/, package READMEs, samples) compiles as
/// pasted into a console project: one test case per block, named by file and line, failing with the compiler's
/// messages.
/// </summary>
public sealed class SnippetCompilationTests
{
    private static readonly List<MarkdownSnippet> s_snippets = MarkdownSnippets.FindInRepository(RepositoryRoot.Find());

    private static IEnumerable<TestCaseData> Snippets()
    {
        foreach (MarkdownSnippet snippet in s_snippets)
        {
            var data = new TestCaseData(snippet.File, snippet.Line).SetArgDisplayNames(snippet.Location);
            yield return snippet.NotCompiledReason is null ? data : data.Ignore($"not compiled: {snippet.NotCompiledReason}");
        }
    }

    [TestCaseSource(nameof(Snippets))]
    public void Compiles_as_pasted(string file, int line)
    {
        MarkdownSnippet snippet = s_snippets.Single(s => s.File == file && s.Line == line);

        List<string> messages = SnippetCompiler.Compile(snippet);

        Assert.That(messages.Count, Is.Zero,
            $"The ```csharp block at {snippet.Location} does not compile as pasted into a console project " +
            "(implicit usings off, nullable on):\n" + string.Join('\n', messages));
    }

    [Test]
    public void The_README_has_a_compiled_snippet_under_its_Use_heading()
    {
        // Guards the search itself: were it to find nothing, every snippet test would silently vanish.
        string root = RepositoryRoot.Find();
        string[] readme = System.IO.File.ReadAllLines(System.IO.Path.Combine(root, "README.md"));
        int use = System.Array.IndexOf(readme, "## Use");

        Assert.That(use, Is.GreaterThanOrEqualTo(0), "README.md has no '## Use' heading");
        Assert.That(s_snippets.Where(s => s.File == "README.md" && s.Line > use + 1 && s.NotCompiledReason is null), Is.Not.Empty);
    }

    [Test]
    public void Snippets_compile_against_the_libraries_and_the_shared_frameworks_only()
    {
        List<string> names = SnippetCompiler.ReferenceNames.ToList();

        Assert.That(names, Does.Contain("Orthotope.Pooling.dll"));
        Assert.That(names, Does.Contain("Orthotope.Pooling.AspNetCore.dll"));
        Assert.That(names, Does.Contain("System.IO.Pipelines.dll"));
        Assert.That(names, Does.Contain("Microsoft.AspNetCore.dll"));
        Assert.That(names, Has.None.StartsWith("nunit").IgnoreCase);
        Assert.That(names, Has.None.StartsWith("Microsoft.CodeAnalysis"));
        Assert.That(names, Has.None.EndsWith(".Tests.dll"));
    }

    [Test]
    public void A_snippet_that_does_not_compile_fails_with_its_Markdown_line()
    {
        var snippet = new MarkdownSnippet("docs/example.md", 10, "using System;\n\nConsole.WriteLine(stream);", null);

        List<string> messages = SnippetCompiler.Compile(snippet);

        Assert.That(messages, Has.Exactly(1).StartsWith("docs/example.md:13:19: error CS0103:"));
    }

    [Test]
    public void A_snippet_without_its_usings_fails()
    {
        var snippet = new MarkdownSnippet("README.md", 1, "var pipe = new Pipe();", null);

        Assert.That(SnippetCompiler.Compile(snippet), Has.Some.Contains("CS0246"));
    }

    [Test]
    public void A_snippet_with_a_nullable_warning_fails()
    {
        var snippet = new MarkdownSnippet("README.md", 1, "string? name = null;\nSystem.Console.WriteLine(name.Length);", null);

        Assert.That(SnippetCompiler.Compile(snippet), Has.Some.Contains("warning CS8602"));
    }

    [Test]
    public void A_snippet_of_type_declarations_only_compiles_as_a_library()
    {
        var snippet = new MarkdownSnippet("README.md", 1, "namespace Demo;\n\npublic sealed class Holder { }", null);

        Assert.That(SnippetCompiler.Compile(snippet), Is.Empty);
    }
}
