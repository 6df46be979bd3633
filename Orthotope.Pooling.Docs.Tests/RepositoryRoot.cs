using System;
using System.IO;

namespace Orthotope.Pooling.Docs.Tests;

/// <summary>Locates the repository the tests were built from.</summary>
internal static class RepositoryRoot
{
    private const string SolutionFile = "Orthotope.Pooling.sln";

    /// <summary>
    /// The nearest folder above the test assembly that holds the solution file. Found from the test's own output
    /// folder rather than from source paths, which a deterministic CI build maps away.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No folder above the test assembly holds the solution.</exception>
    public static string Find()
    {
        string start = AppContext.BaseDirectory;
        for (DirectoryInfo? folder = new(start); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, SolutionFile)))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No folder above '{start}' holds {SolutionFile}.");
    }
}
