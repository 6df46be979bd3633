using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Emit;

namespace Orthotope.Pooling.Docs.Tests;

/// <summary>
/// Compiles a snippet in memory the way a newcomer's <c>dotnet new console</c> project would, less its implicit
/// usings: C# latest, nullable enabled, the warning level of the running .NET, against the shared frameworks and the
/// Orthotope.Pooling libraries.
/// </summary>
/// <remarks>
/// Implicit usings are off, so a snippet must carry its own; one that compiles so also compiles in a project that
/// turns them on. A snippet with top-level statements is compiled as a console program; one with only type
/// declarations as a library (a file added to such a project). The references are built once and shared; the class
/// is thread-safe.
/// </remarks>
internal static class SnippetCompiler
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    /// <summary>The assemblies snippets compile against, by file name; for the tests that check the set.</summary>
    public static IEnumerable<string> ReferenceNames =>
        s_references.Value.Select(static r => Path.GetFileName(r.Display ?? string.Empty));

    /// <summary>
    /// Compiles <paramref name="snippet"/> and returns every error and warning, each formatted as
    /// <c>file:line:column: severity id: message</c> with the line counted in the Markdown file.
    /// </summary>
    public static List<string> Compile(MarkdownSnippet snippet)
    {
        SyntaxTree tree = CSharpSyntaxTree.ParseText(
            snippet.Code, new CSharpParseOptions(LanguageVersion.Latest), path: snippet.File);
        bool isProgram = tree.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        var options = new CSharpCompilationOptions(
            isProgram ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable,
            warningLevel: Environment.Version.Major);
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Snippet_" + Path.GetFileNameWithoutExtension(snippet.File), [tree], s_references.Value, options);

        using var image = new MemoryStream();
        EmitResult result = compilation.Emit(image);
        var messages = new List<string>();
        foreach (Diagnostic diagnostic in result.Diagnostics)
        {
            if (diagnostic.Severity < DiagnosticSeverity.Warning || diagnostic.IsSuppressed)
            {
                continue;
            }

            FileLinePositionSpan span = diagnostic.Location.GetLineSpan();
            messages.Add(string.Create(CultureInfo.InvariantCulture,
                $"{snippet.File}:{snippet.FirstCodeLine + span.StartLinePosition.Line}:{span.StartLinePosition.Character + 1}: " +
                $"{diagnostic.Severity.ToString().ToLowerInvariant()} {diagnostic.Id}: {diagnostic.GetMessage(CultureInfo.InvariantCulture)}"));
        }

        return messages;
    }

    /// <summary>
    /// Packages a snippet may use besides the frameworks and Orthotope.Pooling, each one named beside the snippet in
    /// the docs ("add the X package"), and referenced by this project so its assembly is here to compile against.
    /// </summary>
    private static readonly HashSet<string> s_documentedPackageAssemblies = new(StringComparer.Ordinal)
    {
        "System.Numerics.Tensors.dll",
    };

    // The test process's trusted platform assemblies, less its own dependencies (NUnit, Roslyn, the test SDK):
    // the two shared frameworks a newcomer's project can have, the Orthotope.Pooling libraries, and the few packages
    // the docs tell a reader to add.
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string trusted = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string
            ?? throw new InvalidOperationException("The runtime reports no TRUSTED_PLATFORM_ASSEMBLIES.");
        var frameworkFolders = new HashSet<string>(StringComparer.Ordinal)
        {
            Path.GetDirectoryName(typeof(object).Assembly.Location)!,
            Path.GetDirectoryName(typeof(WebApplication).Assembly.Location)!,
        };

        var references = ImmutableArray.CreateBuilder<MetadataReference>();
        foreach (string path in trusted.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string name = Path.GetFileName(path);
            bool library = name.StartsWith("Orthotope.Pooling", StringComparison.Ordinal) &&
                !name.EndsWith(".Tests.dll", StringComparison.Ordinal) &&
                !name.EndsWith(".Benchmarks.dll", StringComparison.Ordinal);
            if (library || s_documentedPackageAssemblies.Contains(name) || frameworkFolders.Contains(Path.GetDirectoryName(path)!))
            {
                references.Add(MetadataReference.CreateFromFile(path));
            }
        }

        return references.ToImmutable();
    }
}
