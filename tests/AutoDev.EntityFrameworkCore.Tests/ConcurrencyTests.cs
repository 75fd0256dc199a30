using System.Diagnostics;
using System.Text.Json;
using AutoDev.EntityFrameworkCore;
using AutoDev.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Tests;

/// <summary>Limits and the one-open-candidate rule hold across threads and across processes on one database.</summary>
public sealed class ConcurrencyTests
{
    private const int CandidateLimit = 20;
    private const int MutationLimit = 50;
    private const int AttemptsPerProcess = 80;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task TwoHostProcesses_AtFullSpeed_NeverExceedTheLimits_NorDuplicateACandidate(string provider)
    {
        var connection = await ConnectionAsync(provider);
        const string Tenant = "stress";
        await using (var services = Services(provider, connection))
        {
            await services.GetRequiredService<IAutoDevDatabase>().MigrateAsync(Ct);
            await services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync(Tenant, new WorkspaceSettings
            {
                Enabled = true,
                MaxSkillCandidatesPerDay = CandidateLimit,
                MaxMutationsPerDay = MutationLimit,
            }, Ct);
            await services.GetRequiredService<IAgentProfileStore>().AddAsync(new AgentProfile { TenantId = Tenant, AgentId = "agent", Maturity = AgentMaturity.Autonomous }, Ct);
        }

        using var first = StartWorker(provider, connection, Tenant);
        using var second = StartWorker(provider, connection, Tenant);
        var outputs = await RunTogetherAsync(first, second);

        var results = outputs.Select(o => JsonDocument.Parse(o).RootElement).ToList();
        int Sum(string name) => results.Sum(r => r.GetProperty(name).GetInt32());
        Assert.Equal(CandidateLimit, Sum("reservedCandidates"));
        Assert.Equal(1, Sum("createdCandidates"));
        Assert.Equal(MutationLimit, Sum("reservedMutations"));
        TestContext.Current.TestOutputHelper?.WriteLine($"the two processes got: {string.Join(" and ", outputs)}");

        await using var check = Services(provider, connection);
        var day = WorkerDay;
        var usage = check.GetRequiredService<ICapabilityUsageStore>();
        Assert.Equal(CandidateLimit, await usage.CountAsync(Tenant, CapabilityNames.MementoSkills, "agent", day, Ct));
        Assert.Equal(MutationLimit, await usage.CountAsync(Tenant, CapabilityNames.AlphaEvolver, null, day, Ct));
        Assert.Equal(MutationLimit, await check.GetRequiredService<IToolMutationStore>().ListByStatusAsync(Tenant, ToolMutationStatus.Pending, Ct).CountAsync(Ct));
        var candidates = check.GetRequiredService<ISkillCandidateStore>();
        Assert.Single(await candidates.ListByStatusAsync(Tenant, SkillCandidateStatus.Pending, Ct).ToListAsync(Ct));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task TwoHostProcesses_AskingForTheSamePatternsAtOnce_CallTheModelOncePerPattern(string provider)
    {
        const string Tenant = "claims";
        const int Patterns = 10;
        var connection = await ConnectionAsync(provider);
        await using (var services = Services(provider, connection))
        {
            await services.GetRequiredService<IAutoDevDatabase>().MigrateAsync(Ct);
            await services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync(Tenant, new WorkspaceSettings { Enabled = true, MaxSkillCandidatesPerDay = 20 }, Ct);
            await services.GetRequiredService<IAgentProfileStore>().AddAsync(new AgentProfile { TenantId = Tenant, AgentId = "agent", Maturity = AgentMaturity.Intern }, Ct);
            await services.GetRequiredService<IEpisodeStore>().AddAsync(new Episode
            {
                TenantId = Tenant,
                AgentId = "agent",
                TaskDescription = "Extract invoice ID from customer emails",
                ErrorTrace = "KeyError: 'invoice_id'",
                OccurredAt = TimeProvider.System.GetUtcNow(),
            }, Ct);
        }

        using var first = StartWorker(provider, connection, Tenant, "generate", Patterns.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var second = StartWorker(provider, connection, Tenant, "generate", Patterns.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var outputs = await RunTogetherAsync(first, second);
        TestContext.Current.TestOutputHelper?.WriteLine($"the two processes got: {string.Join(" and ", outputs)}");

        Assert.Equal(Patterns, outputs.Sum(o => JsonDocument.Parse(o).RootElement.GetProperty("modelCalls").GetInt32()));
        await using var check = Services(provider, connection);
        var day = WorkerDay;
        Assert.Equal(Patterns, await check.GetRequiredService<ICapabilityUsageStore>().CountAsync(Tenant, CapabilityNames.MementoSkills, "agent", day, Ct));
        var pending = await check.GetRequiredService<ISkillCandidateStore>().ListByStatusAsync(Tenant, SkillCandidateStatus.Pending, Ct).ToListAsync(Ct);
        Assert.Equal(Patterns, pending.Select(c => c.PatternKey).Distinct().Count());
        Assert.Equal(Patterns, pending.Count);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task TwoHostProcesses_RecordingForOneAgentAtOnce_CountEveryEpisode_AndPublishEveryFailure(string provider)
    {
        const string Tenant = "counters";
        const int PerProcess = 300;
        var connection = await ConnectionAsync(provider);
        await using (var services = Services(provider, connection))
        {
            await services.GetRequiredService<IAutoDevDatabase>().MigrateAsync(Ct);
        }

        var count = PerProcess.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var first = StartWorker(provider, connection, Tenant, "record", count);
        using var second = StartWorker(provider, connection, Tenant, "record", count);
        var outputs = await RunTogetherAsync(first, second);

        foreach (var output in outputs)
        {
            var result = JsonDocument.Parse(output).RootElement;
            Assert.Equal((PerProcess, PerProcess), (result.GetProperty("recorded").GetInt32(), result.GetProperty("failedEvents").GetInt32()));
        }

        await using var check = Services(provider, connection);
        var profile = await check.GetRequiredService<IAgentProfileStore>().FindAsync(Tenant, "agent", Ct);
        Assert.Equal((2 * PerProcess, 2 * PerProcess / 10), (profile!.EpisodeCount, profile.InterventionCount));
        Assert.Equal(2 * PerProcess, await check.GetRequiredService<IEpisodeStore>().ListRecentAsync(Tenant, "agent", null, 10_000, Ct).CountAsync(Ct));
    }

    [Fact]
    public async Task SqliteFile_ManyThreadsWritingAtOnce_NeverSeeDatabaseIsLocked()
    {
        var connection = Databases.NewSqliteFile("threads");
        await using var services = Services("sqlite", connection);
        await services.GetRequiredService<IAutoDevDatabase>().MigrateAsync(Ct);
        var episodes = services.GetRequiredService<IEpisodeStore>();
        var fitness = services.GetRequiredService<IFitnessStore>();
        var subject = Guid.NewGuid();

        await Parallel.ForAsync(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (i, ct) =>
        {
            await episodes.AddAsync(new Episode { TenantId = "busy", AgentId = $"a{i % 8}", TaskDescription = "t", OccurredAt = DateTimeOffset.UnixEpoch.AddSeconds(i) }, ct);
            await fitness.AppendSignalsAsync("busy", subject, FitnessSubjectKind.SkillVersion, [new FitnessSignal("executed", 1, $"delivery-{i % 100}")], s => s.Count, ct);
        });

        Assert.Equal(50, await episodes.ListRecentAsync("busy", "a3", null, 1000, Ct).CountAsync(Ct));
        Assert.Equal(100, (await fitness.FindAsync("busy", subject, Ct))!.Signals.Count);
        await using var db = await services.GetRequiredService<IDbContextFactory<AutoDevDbContext>>().CreateDbContextAsync(Ct);
        Assert.Equal("wal", await db.Database.SqlQueryRaw<string>("SELECT journal_mode AS Value FROM pragma_journal_mode").SingleAsync(Ct));
        await db.Database.OpenConnectionAsync(Ct);
        await using var checkpoint = db.Database.GetDbConnection().CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_autocheckpoint";
        Assert.Equal((long)EntityFrameworkStoreOptions.DefaultSqliteCheckpointPages, await checkpoint.ExecuteScalarAsync(Ct));
    }

    internal static ServiceProvider Services(string provider, string connection, Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        configure?.Invoke(services);
        services.AddAutoDev().AddEntityFrameworkStores(o =>
        {
            if (provider == "postgres")
            {
                o.UseNpgsql(connection, npgsql => npgsql.MigrationsAssembly(AutoDev.EntityFrameworkCore.PostgreSql.PostgreSqlMigrations.Assembly));
            }
            else
            {
                o.UseSqlite(connection);
            }
        });
        return services.BuildServiceProvider();
    }

    internal static async Task<string> ConnectionAsync(string provider)
    {
        if (provider == "sqlite")
        {
            return Databases.NewSqliteFile("processes");
        }

        var problem = await Databases.PostgresUnavailableAsync();
        ServiceRequirement.Require(problem is null, problem ?? string.Empty);
        return await Databases.CreatePostgresDatabaseAsync("processes");
    }

    /// <summary>The day every worker's clock is on (see the worker's AUTODEV_TEST_DAY), read once, so no test races midnight.</summary>
    internal static DateOnly WorkerDay { get; } = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);

    /// <summary>Starts tests/AutoDev.TestWorker (built with this project) in a process of its own.</summary>
    internal static Process StartWorker(string provider, string connection, string tenant, string mode = "stress", string? last = null)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var worker = RepositoryPaths.Combine("tests", "AutoDev.TestWorker", "bin", configuration, "net10.0", "AutoDev.TestWorker.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { worker, mode, provider, connection, tenant, last ?? AttemptsPerProcess.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AUTODEV_TEST_DAY"] = WorkerDay.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        return Process.Start(start)!;
    }

    /// <summary>Waits until every worker is warm ("ready"), starts them at once ("go"), and returns each one's JSON line.</summary>
    private static async Task<string[]> RunTogetherAsync(params Process[] workers)
    {
        foreach (var worker in workers)
        {
            var line = await worker.StandardOutput.ReadLineAsync(Ct);
            if (line != "ready")
            {
                Assert.Fail($"a worker did not get ready: {line} {await worker.StandardError.ReadToEndAsync(Ct)}");
            }
        }

        foreach (var worker in workers)
        {
            await worker.StandardInput.WriteLineAsync("go");
            await worker.StandardInput.FlushAsync(Ct);
        }

        var outputs = new List<string>();
        foreach (var worker in workers)
        {
            var output = await worker.StandardOutput.ReadToEndAsync(Ct);
            var error = await worker.StandardError.ReadToEndAsync(Ct);
            await worker.WaitForExitAsync(Ct);
            Assert.True(worker.ExitCode == 0, $"a worker failed ({worker.ExitCode}): {error}");
            outputs.Add(output.Trim());
        }

        return [.. outputs];
    }
}
