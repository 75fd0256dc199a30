using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using AutoDev.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AutoDev.Benchmarks;

/// <summary>
/// <c>dashboard-speed [--candidates N] [--skills S] [--versions V] [--requests R]</c>: AutoDev's API and dashboard over
/// PostgreSQL holding N candidates (a fifth of them waiting for review) and S skills of V chained versions each, on
/// Kestrel over loopback. Each call is timed R times after a warm-up, against a baseline measured the same way in the
/// same run: an endpoint of the same host that returns a constant. Then the time from an approval's request to its
/// <c>SkillPromoted</c> on the live feed.
/// </summary>
internal static class DashboardSpeed
{
    public const string Command = "dashboard-speed";
    private const string Tenant = "acme";

    public static async Task RunAsync(string[] args)
    {
        var candidates = Option(args, "--candidates", 100_000);
        var skills = Option(args, "--skills", 100);
        var versions = Option(args, "--versions", 100);
        var requests = Option(args, "--requests", 200);
        var server = Environment.GetEnvironmentVariable("AUTODEV_POSTGRES") is { Length: > 0 } configured
            ? configured
            : "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";
        var database = $"dashboard_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddAutoDev(o => o.Workspaces[Tenant] = new WorkspaceSettings { Enabled = true })
            .AddPostgreSqlStores(new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString, stores => stores.MigrateOnStart = true)
            .AddHttpApi();
        await using var app = builder.Build();
        app.MapGet("/baseline", () => Results.Json(new { ok = true }));
        app.MapAutoDev();
        await app.StartAsync();

        var seeding = Stopwatch.StartNew();
        var (candidateId, skillName) = await SeedAsync(app.Services, candidates, skills, versions);
        Console.WriteLine($"seeded {candidates:N0} candidates and {skills * versions:N0} skill versions in {seeding.Elapsed.TotalSeconds:0} s");

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First() + "/") };
        var baseline = await TimeAsync(http, "baseline", requests);
        var calls = new (string Name, string Path)[]
        {
            ("dashboard page", "autodev/"),
            ("dashboard script", "autodev/assets/app.js"),
            ("workspaces", "autodev/api/workspaces"),
            ("review queue (100 of each)", $"autodev/api/workspaces/{Tenant}/review"),
            ("a candidate", $"autodev/api/workspaces/{Tenant}/candidates/{candidateId}"),
            ($"skills ({skills})", $"autodev/api/workspaces/{Tenant}/skills"),
            ($"a skill ({versions} versions)", $"autodev/api/workspaces/{Tenant}/skills/{skillName}"),
            ($"its lineage (depth {versions})", $"autodev/api/workspaces/{Tenant}/skills/{skillName}/lineage"),
            ("its package (export)", $"autodev/api/workspaces/{Tenant}/skills/{skillName}/export"),
            ("agents (20, with today's candidates)", $"autodev/api/workspaces/{Tenant}/agents"),
            ("settings", $"autodev/api/workspaces/{Tenant}/settings"),
            ("usage (with today's mutations)", $"autodev/api/workspaces/{Tenant}/usage"),
        };

        Console.WriteLine();
        Console.WriteLine("| call | p50 | p95 | p95 / baseline p95 |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine(Row("baseline: a constant from the same host", baseline, baseline));
        foreach (var (name, path) in calls)
        {
            Console.WriteLine(Row(name, await TimeAsync(http, path, requests), baseline));
        }

        var feed = await FeedLatencyAsync(http, app.Services, 20);
        Console.WriteLine(Row("approval to SkillPromoted on the live feed", feed, baseline));
        await app.StopAsync();
    }

    private static async Task<(Guid Candidate, string Skill)> SeedAsync(IServiceProvider services, int candidates, int skills, int versions)
    {
        var candidateStore = services.GetRequiredService<ISkillCandidateStore>();
        var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        Guid first = default;
        await Parallel.ForAsync(0, candidates, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var status = (i % 5) switch { 0 => SkillCandidateStatus.Validated, 1 => SkillCandidateStatus.Failed, 2 => SkillCandidateStatus.Rejected, _ => SkillCandidateStatus.Promoted };
            var added = await candidateStore.AddAsync(Candidate(i, status, start.AddSeconds(i)), ct);
            if (i == 0)
            {
                first = added.Entity.Id;
            }
        });

        var skillStore = services.GetRequiredService<ISkillStore>();
        await Parallel.ForAsync(0, skills, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (s, ct) =>
        {
            var skill = new Skill { TenantId = Tenant, Name = $"skill_{s}", Description = "A skill with a long history.", CreatedAt = start };
            var version = Version(skill.Id, 0, null);
            await skillStore.AddAsync(skill, version, ct);
            for (var v = 1; v < versions; v++)
            {
                version = await skillStore.AddVersionAsync(Version(skill.Id, v, version.Id), activate: true, ct);
            }
        });

        var agents = services.GetRequiredService<IAgentProfileStore>();
        for (var a = 0; a < 20; a++)
        {
            await agents.AddAsync(new AgentProfile { TenantId = Tenant, AgentId = $"agent-{a}", EpisodeCount = a * 3, InterventionCount = a }, CancellationToken.None);
        }

        return (first, "skill_0");

        SkillVersion Version(Guid skillId, int minor, Guid? parent) => new()
        {
            TenantId = Tenant,
            SkillId = skillId,
            Version = new SemanticVersion(1, minor, 0),
            Code = $"def run(x):\n    return x + {minor}\n",
            EntryPoint = "run",
            TestCasesJson = """[{"inputs": {"x": 1}, "expected": 2}]""",
            ParentVersionId = parent,
            CreatedAt = start.AddMinutes(minor),
        };
    }

    private static SkillCandidate Candidate(int i, SkillCandidateStatus status, DateTimeOffset createdAt) => new()
    {
        TenantId = Tenant,
        AgentId = $"agent-{i % 20}",
        Name = $"skill_from_pattern_{i}",
        EntryPoint = "run",
        PatternKey = $"pattern-{i}",
        Description = $"Learned from the failures of pattern {i}.",
        Code = "def run(text: str) -> str:\n    \"Returns the text.\"\n    return text\n",
        TestCasesJson = """[{"inputs": {"text": "a"}, "expected": "a"}]""",
        Status = status,
        CreatedAt = createdAt,
    };

    /// <summary>Milliseconds of each of <paramref name="requests"/> GETs after 20 unmeasured ones, sorted.</summary>
    private static async Task<double[]> TimeAsync(HttpClient http, string path, int requests)
    {
        var times = new double[requests];
        for (var i = -20; i < requests; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(path);
            await response.Content.LoadIntoBufferAsync();
            response.EnsureSuccessStatusCode();
            if (i >= 0)
            {
                times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }

        Array.Sort(times);
        return times;
    }

    /// <summary>From sending an approval to reading its SkillPromoted on an open feed, <paramref name="count"/> times, sorted.</summary>
    private static async Task<double[]> FeedLatencyAsync(HttpClient http, IServiceProvider services, int count)
    {
        var store = services.GetRequiredService<ISkillCandidateStore>();
        using var feed = await http.GetAsync($"autodev/api/workspaces/{Tenant}/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await feed.Content.ReadAsStreamAsync());
        var token = await http.GetFromJsonAsync<AntiforgeryToken>("autodev/api/antiforgery", new JsonSerializerOptions(JsonSerializerDefaults.Web));
        var times = new double[count];
        for (var i = 0; i < count; i++)
        {
            var candidate = (await store.AddAsync(Candidate(1_000_000 + i, SkillCandidateStatus.Validated, DateTimeOffset.UnixEpoch) with { Name = $"feed_skill_{i}" }, CancellationToken.None)).Entity;
            var started = Stopwatch.GetTimestamp();
            using var request = new HttpRequestMessage(HttpMethod.Post, $"autodev/api/workspaces/{Tenant}/candidates/{candidate.Id}/approve") { Content = JsonContent.Create(new { reason = "benchmark" }) };
            request.Headers.Add(token!.HeaderName, token.Token);
            var approval = http.SendAsync(request);
            while (await reader.ReadLineAsync() is { } line && line != "event: SkillPromoted")
            {
            }

            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            (await approval).EnsureSuccessStatusCode();
        }

        Array.Sort(times);
        return times;
    }

    private static string Row(string name, double[] times, double[] baseline) => string.Create(
        CultureInfo.InvariantCulture,
        $"| {name} | {Percentile(times, 0.50):0.00} ms | {Percentile(times, 0.95):0.00} ms | {Percentile(times, 0.95) / Percentile(baseline, 0.95):0.0}× |");

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static int Option(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}
