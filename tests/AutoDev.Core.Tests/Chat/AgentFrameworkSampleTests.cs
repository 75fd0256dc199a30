using System.Diagnostics;

namespace AutoDev.Tests.Chat;

/// <summary>The Agent Framework sample: a ChatClientAgent's failing tool becomes a skill the same agent then calls, on the real sandbox.</summary>
public sealed class AgentFrameworkSampleTests
{
    [Fact]
    public async Task TheAgentFrameworkSample_LearnsFromTheFailingTool_AndTheAgentCallsTheSkill()
    {
        var ct = TestContext.Current.CancellationToken;
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var sample = RepositoryPaths.Combine("samples", "AutoDev.Samples.AgentFramework", "bin", configuration, "net10.0", "AutoDev.Samples.AgentFramework.dll");
        Assert.True(File.Exists(sample), $"{sample} is missing, although this test project references the sample");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(sample);

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var text = (await output).ReplaceLineEndings("\n");

        Assert.True(process.ExitCode == 0 && text.Contains("Done.", StringComparison.Ordinal), $"the sample failed ({process.ExitCode}):\n{text}\n{await error}");
        Assert.Equal(2, text.Split("-> Error: Function failed.").Length - 1);
        Assert.Contains("[autodev] learned extract_invoice_id from 2 failed runs", text, StringComparison.Ordinal);
        Assert.Contains("The same agent, its next run:\n  [model] offered: lookup_invoice, extract_invoice_id\n  [run] -> INV-2024-0099\n", text, StringComparison.Ordinal);
    }
}
