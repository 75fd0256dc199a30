namespace AutoDev.Tests;

/// <summary>
/// Finds files of the repository from a test binary. Not from [CallerFilePath]: CI builds are deterministic and map
/// source paths to /_/, so the repository is found by walking up from the binary to AutoDev.Core.sln.
/// </summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> LazyRoot = new(() =>
    {
        for (var directory = AppContext.BaseDirectory; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "AutoDev.Core.sln")))
            {
                return directory;
            }
        }

        throw new InvalidOperationException($"No AutoDev.Core.sln above {AppContext.BaseDirectory}: run the tests from inside the repository.");
    });

    public static string Root => LazyRoot.Value;

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
}
