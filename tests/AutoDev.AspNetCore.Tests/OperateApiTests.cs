using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AutoDev.AspNetCore;
using Microsoft.Extensions.DependencyInjection;
using static AutoDev.Tests.AspNetCore.ApiHost;

namespace AutoDev.Tests.AspNetCore;

/// <summary>Operating a workspace over the JSON API: skill packages out and in, settings, today's usage against the limits, the advisor.</summary>
public sealed class OperateApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ASkillExported_FromOneWorkspace_ImportsIntoAnother_AsACandidateWaitingForReview()
    {
        await using var host = await StartAsync();
        using var client = host.Client();
        await host.Get<ISkillRegistry>().RegisterAsync(Lab, "count_words", "def count_words(text: str) -> int:\n    return len(text.split())\n", "count_words", """[{"inputs": {"text": "a b c"}, "expected": 3}]""", "Counts words", Ct);

        using var exported = await client.Http.GetAsync($"api/workspaces/{Lab}/skills/count_words/export", Ct);
        Assert.Equal(HttpStatusCode.OK, exported.StatusCode);
        Assert.Equal("application/zip", exported.Content.Headers.ContentType?.MediaType);
        Assert.Equal("count_words.zip", exported.Content.Headers.ContentDisposition?.FileName);
        var package = await exported.Content.ReadAsByteArrayAsync(Ct);
        using (var zip = new ZipArchive(new MemoryStream(package)))
        {
            Assert.Contains("manifest.json", zip.Entries.Select(e => e.FullName));
        }

        using var imported = await client.SendAsync(HttpMethod.Post, $"api/workspaces/{Acme}/skills/import", Zip(package));
        var candidate = JsonDocument.Parse(await imported.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        Assert.Equal("Validated", candidate.GetProperty("status").GetString());
        Assert.Equal(candidate.GetProperty("id").GetGuid(), Assert.Single((await client.GetJsonAsync($"api/workspaces/{Acme}/review")).GetProperty("candidates").EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Empty(await host.Get<ISkillRegistry>().ListAsync(Acme, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task ImportsThatAreNotPackages_OrTooLarge_OrForged_GetProblems_AndAddNoCandidate()
    {
        await using var host = await StartAsync(configure: b => b.Services.Configure<AutoDevHttpOptions>(o => o.MaxImportBytes = 1_000));
        using var client = host.Client();

        using var garbage = await client.SendAsync(HttpMethod.Post, $"api/workspaces/{Acme}/skills/import", Zip(Encoding.UTF8.GetBytes("not a zip")));
        using var large = await client.SendAsync(HttpMethod.Post, $"api/workspaces/{Acme}/skills/import", Zip(new byte[1_001]));
        using var forged = await client.SendAsync(HttpMethod.Post, $"api/workspaces/{Acme}/skills/import", Zip(new byte[10]), withToken: false);
        using var unknownSkill = await client.Http.GetAsync($"api/workspaces/{Acme}/skills/nothing/export", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Equal("application/problem+json", garbage.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("antiforgery", await forged.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknownSkill.StatusCode);
        Assert.Empty((await client.GetJsonAsync($"api/workspaces/{Acme}/review")).GetProperty("candidates").EnumerateArray());
    }

    [Fact]
    public async Task Settings_AreReadOnly_UntilTheHostAllowsChanges()
    {
        await using var host = await StartAsync();
        using var client = host.Client();

        using var refused = await client.SendAsync(HttpMethod.Put, $"api/workspaces/{Acme}/settings", Json("""{"auto_dev": {"enabled": true, "max_mutations_per_day": 1}}"""));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("CanChangeSettings", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(WorkspaceSettings.Default.MaxMutationsPerDay, (await host.Get<IWorkspaceStore>().GetSettingsAsync(Acme, Ct)).MaxMutationsPerDay);
    }

    [Fact]
    public async Task WhereTheHostAllowsIt_SettingsChange_AndInvalidOnesAreRefusedWithoutChangingAnything()
    {
        var asked = new List<string>();
        await using var host = await StartAsync(configure: b => b.Services.Configure<AutoDevHttpOptions>(o => o.CanChangeSettings = (_, workspace) =>
        {
            asked.Add(workspace);
            return ValueTask.FromResult(workspace == Acme);
        }));
        using var client = host.Client();

        using var saved = await client.SendAsync(HttpMethod.Put, $"api/workspaces/{Acme}/settings", Json("""{"auto_dev": {"enabled": true, "memento_skills": true, "max_mutations_per_day": 3}}"""));
        using var invalid = await client.SendAsync(HttpMethod.Put, $"api/workspaces/{Acme}/settings", Json("""{"auto_dev": {"enabled": true, "max_mutations_per_day": -1}}"""));
        using var unknownKey = await client.SendAsync(HttpMethod.Put, $"api/workspaces/{Acme}/settings", Json("""{"auto_dev": {"enabled": true, "sudo": true}}"""));
        using var otherWorkspace = await client.SendAsync(HttpMethod.Put, $"api/workspaces/{Globex}/settings", Json("""{"auto_dev": {"enabled": false}}"""));

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal(3, JsonDocument.Parse(await saved.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("auto_dev").GetProperty("max_mutations_per_day").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknownKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherWorkspace.StatusCode);
        Assert.Equal([Acme, Acme, Acme, Globex], asked);
        var stored = await host.Get<IWorkspaceStore>().GetSettingsAsync(Acme, Ct);
        Assert.Equal((3, true), (stored.MaxMutationsPerDay, stored.MementoSkills));
        Assert.True((await host.Get<IWorkspaceStore>().GetSettingsAsync(Globex, Ct)).Enabled);
        Assert.Equal(3, (await client.GetJsonAsync($"api/workspaces/{Acme}/usage")).GetProperty("maxMutationsPerDay").GetInt32());
    }

    [Fact]
    public async Task Usage_CountsTodaysMutationsForTheWorkspace_AndEachAgentsCandidates()
    {
        await using var host = await StartAsync();
        using var client = host.Client();
        await host.Get<IAgentProfileStore>().AddAsync(new AgentProfile { TenantId = Acme, AgentId = "invoice-agent", Maturity = AgentMaturity.Autonomous }, Ct);
        await host.Get<IAgentProfileStore>().AddAsync(new AgentProfile { TenantId = Acme, AgentId = "quiet-agent", Maturity = AgentMaturity.Autonomous }, Ct);
        foreach (var workspace in new[] { Acme, Globex })
        {
            await host.Get<IWorkspaceStore>().SaveSettingsAsync(workspace, new WorkspaceSettings { Enabled = true, MementoSkills = true, AlphaEvolver = true }, Ct);
        }

        await host.Get<IAgentProfileStore>().AddAsync(new AgentProfile { TenantId = Globex, AgentId = "invoice-agent", Maturity = AgentMaturity.Autonomous }, Ct);
        var gate = host.Get<ICapabilityGate>();
        await gate.RecordUsageAsync(Acme, "invoice-agent", CapabilityNames.MementoSkills, Ct);
        await gate.RecordUsageAsync(Acme, "invoice-agent", CapabilityNames.MementoSkills, Ct);
        await gate.RecordUsageAsync(Acme, "invoice-agent", CapabilityNames.AlphaEvolver, Ct);
        await gate.RecordUsageAsync(Globex, "invoice-agent", CapabilityNames.AlphaEvolver, Ct);

        var usage = await client.GetJsonAsync($"api/workspaces/{Acme}/usage");
        var agents = (await client.GetJsonAsync($"api/workspaces/{Acme}/agents")).EnumerateArray().ToDictionary(a => a.GetProperty("agentId").GetString()!, a => a.GetProperty("skillCandidatesToday").GetInt32());

        Assert.Equal(1, usage.GetProperty("mutationsToday").GetInt32());
        Assert.Equal(WorkspaceSettings.Default.MaxMutationsPerDay, usage.GetProperty("maxMutationsPerDay").GetInt32());
        Assert.Equal(new Dictionary<string, int> { ["invoice-agent"] = 2, ["quiet-agent"] = 0 }, agents);
        Assert.Equal(2, (await client.GetJsonAsync($"api/workspaces/{Acme}/agents/invoice-agent")).GetProperty("skillCandidatesToday").GetInt32());
    }

    [Fact]
    public async Task TheAdvisor_GivesGuidance_OnAPost_AndSaysWhyThereIsNoAiGuidance()
    {
        await using var host = await StartAsync();
        using var client = host.Client();
        await host.Get<IAgentProfileStore>().AddAsync(new AgentProfile { TenantId = Acme, AgentId = "invoice-agent", Maturity = AgentMaturity.Intern, EpisodeCount = 12 }, Ct);
        for (var i = 0; i < 12; i++)
        {
            await host.Get<IEpisodeStore>().AddAsync(new Episode { TenantId = Acme, AgentId = "invoice-agent", TaskDescription = $"extract invoice {i}", ErrorTrace = "KeyError: 'id'", OccurredAt = TimeProvider.System.GetUtcNow() }, Ct);
        }

        using var report = await client.PostAsync($"api/workspaces/{Acme}/agents/invoice-agent/guidance", null);
        using var forged = await client.PostAsync($"api/workspaces/{Acme}/agents/invoice-agent/guidance", null, withToken: false);
        using var unknown = await client.PostAsync($"api/workspaces/{Acme}/agents/nobody/guidance", null);
        using var otherWorkspace = await client.PostAsync($"api/workspaces/{Globex}/agents/invoice-agent/guidance", null);

        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        var body = JsonDocument.Parse(await report.Content.ReadAsStringAsync(Ct)).RootElement;
        var item = Assert.Single(body.GetProperty("items").EnumerateArray(), i => i.GetProperty("kind").GetString() == GuidanceKinds.HighFailureRate);
        Assert.Equal("Critical", item.GetProperty("severity").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("aiGuidanceProblem").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherWorkspace.StatusCode);
    }

    private static ByteArrayContent Zip(byte[] bytes) =>
        new(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/zip") } };

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
