using System.Collections.Generic;
using System.IO;

namespace Orthotope.Pooling.Docs.Tests;

public sealed class MarkdownSnippetsTests
{
    [Test]
    public void Finds_csharp_cs_and_c_sharp_blocks_with_the_line_of_their_fence()
    {
        const string markdown = "# Title\n\n```csharp\nA();\n```\n\ntext\n```cs\nB();\n```\n~~~c#\nC();\n~~~\n```sh\nls\n```\n";

        List<MarkdownSnippet> snippets = MarkdownSnippets.Parse("x.md", markdown);

        Assert.That(snippets.ConvertAll(s => (s.Line, s.Code)), Is.EqualTo(new[] { (3, "A();"), (8, "B();"), (11, "C();") }));
    }

    [Test]
    public void A_csharp_fence_shown_inside_a_longer_fence_is_not_a_snippet()
    {
        const string markdown = "````md\n```csharp\nNotCode();\n```\n````\n";

        Assert.That(MarkdownSnippets.Parse("x.md", markdown), Is.Empty);
    }

    [Test]
    public void The_fence_indentation_is_removed_from_the_code()
    {
        const string markdown = "- item\n\n  ```csharp\n  if (x)\n      Y();\n  ```\n";

        MarkdownSnippet snippet = MarkdownSnippets.Parse("x.md", markdown)[0];

        Assert.That(snippet.Code, Is.EqualTo("if (x)\n    Y();"));
    }

    [Test]
    public void The_not_compiled_marker_carries_its_reason()
    {
        const string markdown = "<!-- snippet: not-compiled (a member of a class (shown alone)) -->\n\n```csharp\npublic int X;\n```\n```csharp\nY();\n```\n";

        List<MarkdownSnippet> snippets = MarkdownSnippets.Parse("x.md", markdown);

        Assert.That(snippets[0].NotCompiledReason, Is.EqualTo("a member of a class (shown alone)"));
        Assert.That(snippets[1].NotCompiledReason, Is.Null);
    }

    [TestCase("<!-- snippet: not-compiled -->")]
    [TestCase("<!-- snippet: not-compiled () -->")]
    [TestCase("<!-- snippet: skip (reason) -->")]
    public void A_malformed_marker_is_reported_with_its_line(string marker)
    {
        string markdown = "text\n" + marker + "\n```csharp\nX();\n```\n";

        Assert.That(() => MarkdownSnippets.Parse("docs/x.md", markdown),
            Throws.TypeOf<InvalidDataException>().With.Message.StartsWith("docs/x.md:2:"));
    }

    [Test]
    public void An_unclosed_fence_is_reported_with_its_line()
    {
        Assert.That(() => MarkdownSnippets.Parse("docs/x.md", "text\n\n```csharp\nX();\n"),
            Throws.TypeOf<InvalidDataException>().With.Message.StartsWith("docs/x.md:3:"));
    }
}
