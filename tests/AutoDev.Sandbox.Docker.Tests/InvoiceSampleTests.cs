using System.Diagnostics;
using AutoDev.Testing;

namespace AutoDev.Tests;

/// <summary>The README's main job: the invoice sample runs its whole story on a SQLite file, the Docker sandbox and the scripted model.</summary>
public sealed class InvoiceSampleTests
{
    [Fact]
    public async Task TheInvoiceSample_LearnsASkill_ThenEvolvesTheSlowOneTo1_1_0()
    {
        await using (var fixture = new WarmDockerFixture())
        {
            ServiceRequirement.Require(await fixture.Availability);
        }
        var ct = TestContext.Current.CancellationToken;

        var start = SampleStart("--yes");

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var text = await output;

        if (process.ExitCode != 0 || !text.Contains("Done.", StringComparison.Ordinal))
        {
            Assert.Fail($"the sample failed ({process.ExitCode}):\n{text}\n{await error}");
        }

        Assert.Contains("[promoted] extract_invoice_id 1.0.0", text, StringComparison.Ordinal);
        Assert.Contains("every test passed in the docker sandbox, and 1 held-out case(s) the model never saw", text, StringComparison.Ordinal);
        // The review screen shows the answer the person who stepped in gave, held out from the model, passing.
        Assert.Matches(@"held out from the model: \{""text"":""Hi, invoice INV-2024-0042 is wrong""\} -> expected ""INV-2024-0042"", got ""INV-2024-0042"": passed \(episode [0-9a-f-]{36}\)", text);
        Assert.Contains("same answers on every input: yes; faster beyond noise: yes", text, StringComparison.Ordinal);
        Assert.Contains("[promoted] process_invoice 1.1.0", text, StringComparison.Ordinal);
        Assert.Contains("lineage: 1.0.0 -> 1.1.0 (mutation", text, StringComparison.Ordinal);
        Assert.DoesNotContain("unusable", text, StringComparison.Ordinal);

        // The traces: the failure that completed the pattern is one trace from the episode to the model call and the
        // sandbox; each approval is a review span whose child is the promotion; the slow run holds the mutation's
        // generation and its side-by-side evaluation.
        var traces = text[text.IndexOf("7. What OpenTelemetry saw", StringComparison.Ordinal)..].Replace("\r\n", "\n", StringComparison.Ordinal);
        var learned = Assert.Single(System.Text.RegularExpressions.Regex.Matches(traces, @"trace (\w+):\n    episode\.record \(failed\)\n      reflection\.decide \(Trigger\)\n      candidate\.generate \(Pending\)\n        chat \(scripted\)\n      candidate\.validate \(Validated\)\n        sandbox\.execute \(docker\)\n"));
        var evolved = Assert.Single(System.Text.RegularExpressions.Regex.Matches(traces, @"trace (\w+):\n    skill\.run \(Succeeded\)\n      sandbox\.execute \(docker\)\n      mutation\.generate \(Pending\)\n        chat \(scripted\)\n      mutation\.evaluate \(Passed\)\n        sandbox\.execute ×\d+\n"));
        // Each approval is its own trace, linked to the one that wrote what it approved.
        foreach (var written in (string[])[learned.Groups[1].Value, evolved.Groups[1].Value])
        {
            Assert.Matches($@"\n    review\.decide \(Approved, linked to trace {written}\)\n      skill\.promote\n", traces);
        }

        // The metrics count the same story as the spans.
        var metrics = System.Text.RegularExpressions.Regex.Match(traces, @"metrics: (\d+) sandbox executions \(and (\d+) sandbox\.execute spans\), (\d+) model calls");
        Assert.True(metrics.Success, traces);
        Assert.Equal(metrics.Groups[2].Value, metrics.Groups[1].Value);
        Assert.Equal(System.Text.RegularExpressions.Regex.Count(traces, @"\n +chat \("), int.Parse(metrics.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task WithServe_TheSampleServesTheDashboardOverItsDatabase_AfterTheStory()
    {
        await using (var fixture = new WarmDockerFixture())
        {
            ServiceRequirement.Require(await fixture.Availability);
        }
        var ct = TestContext.Current.CancellationToken;
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var start = SampleStart("--yes", "--serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var process = Process.Start(start)!;
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } }; // read, so the sample never blocks on a full pipe
        process.BeginErrorReadLine();
        try
        {
            var seen = new System.Text.StringBuilder();
            string? line;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromMinutes(3));
            while ((line = await process.StandardOutput.ReadLineAsync(timeout.Token)) is not null && !line.StartsWith("Dashboard: ", StringComparison.Ordinal))
            {
                seen.AppendLine(line);
            }

            Assert.True(line is not null, $"the sample ended without serving:\n{seen}\n{errors}");
            Assert.Contains($"http://127.0.0.1:{port}/autodev/", line, StringComparison.Ordinal);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/autodev/") };
            var skills = await http.GetStringAsync("api/workspaces/acme/skills", ct);
            var page = await http.GetStringAsync(string.Empty, ct);

            Assert.Contains("\"name\":\"extract_invoice_id\",", skills, StringComparison.Ordinal);
            Assert.Contains("\"name\":\"process_invoice\",\"description\":\"Totals an invoice from the catalogue.\",\"activeVersion\":\"1.1.0\"", skills, StringComparison.Ordinal);
            Assert.Contains("<script src=\"assets/app.js\" defer></script>", page, StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// The sample built with the same configuration as this test (the project references it, so it is built first),
    /// with <paramref name="arguments"/>, on the scripted model whatever this machine has configured.
    /// </summary>
    private static ProcessStartInfo SampleStart(params string[] arguments)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var sample = RepositoryPaths.Combine("samples", "AutoDev.Samples.Invoice", "bin", configuration, "net10.0", "AutoDev.Samples.Invoice.dll");
        Assert.True(File.Exists(sample), $"{sample} is missing, although this test project references the sample");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(sample);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var variable in new[] { "OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY" })
        {
            start.Environment.Remove(variable);
        }

        return start;
    }
}
