using System.Diagnostics;

namespace AutoDev.Tests.Chat;

/// <summary>The two agent samples run as their users run them, on the real sandbox.</summary>
public sealed class AgentSampleTests
{
    [Fact]
    public async Task TheQuickStart_RecordsTheChatAgentsFailedRun_WithNoHostCode()
    {
        var (exitCode, text, error) = await RunAsync("AutoDev.Samples.QuickStart");

        Assert.True(exitCode == 0, $"the quick start failed ({exitCode}):\n{text}\n{error}");
        Assert.Contains("agent: Error: Function failed.\n", text, StringComparison.Ordinal);
        Assert.Contains("recorded: KeyNotFoundException: the email has no invoice_id field\n", text, StringComparison.Ordinal);
        Assert.Contains("gate: 'memento_skills' is refused: it needs maturity INTERN or higher", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAgentFrameworkSample_LearnsFromTheFailingTool_AndTheAgentCallsTheSkill()
    {
        var (exitCode, text, error) = await RunAsync("AutoDev.Samples.AgentFramework");

        Assert.True(exitCode == 0 && text.Contains("Done.", StringComparison.Ordinal), $"the sample failed ({exitCode}):\n{text}\n{error}");
        Assert.Equal(2, text.Split("-> Error: Function failed.").Length - 1);
        Assert.Contains("[autodev] learned extract_invoice_id from 2 failed runs", text, StringComparison.Ordinal);
        Assert.Contains("The same agent, its next run:\n  [model] offered: lookup_invoice, extract_invoice_id\n  [run] -> INV-2024-0099\n", text, StringComparison.Ordinal);
    }

    /// <summary>Runs a sample this test project builds (a reference that does not load its assembly) in its own process.</summary>
    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string sampleName)
    {
        var ct = TestContext.Current.CancellationToken;
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var sample = RepositoryPaths.Combine("samples", sampleName, "bin", configuration, "net10.0", sampleName + ".dll");
        Assert.True(File.Exists(sample), $"{sample} is missing, although this test project references the sample");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        start.ArgumentList.Add(sample);

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, (await output).ReplaceLineEndings("\n"), await error);
    }
}
