using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;

namespace Orthotope.Pooling.Docs.Tests;

/// <summary>Every relative link of every Markdown file points at a file or folder that exists.</summary>
public sealed partial class MarkdownLinkTests
{
    [Test]
    public void Relative_links_point_at_existing_files()
    {
        string root = RepositoryRoot.Find();
        var broken = new List<string>();
        foreach (string file in MarkdownSnippets.FindMarkdownFiles(root))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (Match link in RelativeLink().Matches(lines[i]))
                {
                    string target = Uri.UnescapeDataString(link.Groups["target"].Value);
                    string resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, target));
                    if (!File.Exists(resolved) && !Directory.Exists(resolved))
                    {
                        broken.Add($"{Path.GetRelativePath(root, file)}:{i + 1}: {link.Value}");
                    }
                }
            }
        }

        Assert.That(broken, Is.Empty);
    }

    // [text](target) or [text](target#anchor), where target is not a URL, a mail address or an anchor alone.
    [GeneratedRegex(@"\]\((?![a-zA-Z][a-zA-Z0-9+.-]*:|#)(?<target>[^)\s#]+)(#[^)\s]*)?\)")]
    private static partial Regex RelativeLink();
}
