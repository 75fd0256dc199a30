namespace AutoDev.Tests;

public sealed class ReadmeTests
{
    [Fact]
    public void Readme_QuickStart_QuotesTheCompiledSampleExactly()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var program = File.ReadAllText(Path.Combine(root, "samples", "AutoDev.Samples.QuickStart", "Program.cs")).TrimEnd();

        Assert.Contains("```csharp\n" + program + "\n```", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Readme_TwoCommands_AreScriptsThatExist()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));

        Assert.Contains("`bash build/sample.sh`", readme, StringComparison.Ordinal);
        Assert.Contains("`bash build/test.sh`", readme, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(root, "build", "sample.sh")));
        Assert.Contains("build/test.sh", File.ReadAllText(Path.Combine(root, ".ci", "run")), StringComparison.Ordinal);
    }

    private static string RepositoryRoot() => RepositoryPaths.Root;
}
