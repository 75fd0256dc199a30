using AutoDev;
using AutoDev.EntityFrameworkCore;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AutoDev.Benchmarks;

/// <summary>The stores behind each benchmark: in memory, a SQLite file, and the loopback PostgreSQL server of build/start-postgres.sh.</summary>
public abstract class StoreBenchmarkBase
{
    protected const string Tenant = "bench";

    protected ServiceProvider InMemory { get; private set; } = null!;

    protected ServiceProvider Sqlite { get; private set; } = null!;

    protected ServiceProvider Postgres { get; private set; } = null!;

    protected async Task SetupStoresAsync()
    {
        InMemory = new ServiceCollection().AddAutoDev().Services.BuildServiceProvider();

        var file = Path.Combine(Path.GetTempPath(), $"autodev-bench-{Guid.NewGuid():N}.db");
        Sqlite = new ServiceCollection().AddAutoDev().AddEntityFrameworkStores(o => o.UseSqlite($"Data Source={file}")).Services.BuildServiceProvider();

        var server = Environment.GetEnvironmentVariable("AUTODEV_POSTGRES") is { Length: > 0 } configured
            ? configured
            : "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";
        var database = $"bench_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        Postgres = new ServiceCollection().AddAutoDev().AddPostgreSqlStores(connectionString).Services.BuildServiceProvider();

        foreach (var services in new[] { Sqlite, Postgres })
        {
            await services.GetRequiredService<IAutoDevDatabase>().MigrateAsync();
        }
    }

    protected async Task CleanupStoresAsync()
    {
        await InMemory.DisposeAsync();
        await Sqlite.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}

/// <summary>Create a skill candidate with its daily-limit reservation (the two writes a new candidate costs). Baseline: the in-memory stores.</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, warmupCount: 3, iterationCount: 15)]
public class CandidateWithReservationBenchmarks : StoreBenchmarkBase
{
    [GlobalSetup]
    public Task Setup() => SetupStoresAsync();

    [GlobalCleanup]
    public Task Cleanup() => CleanupStoresAsync();

    [Benchmark(Baseline = true)]
    public Task<bool> InMemoryStores() => CreateAsync(InMemory);

    [Benchmark]
    public Task<bool> SqliteFile() => CreateAsync(Sqlite);

    [Benchmark]
    public Task<bool> PostgreSql() => CreateAsync(Postgres);

    private static async Task<bool> CreateAsync(IServiceProvider services)
    {
        // As the gate reserves: with the reservation's time and lease, so the store first releases expired ones.
        var day = new DateOnly(2026, 11, 22);
        var now = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
        var reserved = await services.GetRequiredService<ICapabilityUsageStore>().TryReserveAsync(
            new CapabilityUsage { TenantId = Tenant, AgentId = "agent", Capability = CapabilityNames.MementoSkills, Day = day, CreatedAt = now, ExpiresAt = now.AddMinutes(15) },
            int.MaxValue,
            CancellationToken.None);
        var added = await services.GetRequiredService<ISkillCandidateStore>().AddAsync(
            new SkillCandidate
            {
                TenantId = Tenant,
                AgentId = "agent",
                Name = "extract_invoice_id",
                EntryPoint = "extract_invoice_id",
                PatternKey = Guid.NewGuid().ToString("N"),
                Code = "def extract_invoice_id(text):\n    return text",
            },
            CancellationToken.None);
        return reserved && added.Created;
    }
}

/// <summary>
/// The lineage of the newest of 1,000 chained skill versions. Baseline: walking up one query per version on SQLite,
/// the loop of queries the design rules out; the store's one recursive query on SQLite and PostgreSQL beside it.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, warmupCount: 3, iterationCount: 15)]
public class LineageBenchmarks : StoreBenchmarkBase
{
    private const int Depth = 1000;
    private Guid _sqliteLeaf;
    private Guid _postgresLeaf;

    [GlobalSetup]
    public async Task Setup()
    {
        await SetupStoresAsync();
        _sqliteLeaf = await ChainAsync(Sqlite);
        _postgresLeaf = await ChainAsync(Postgres);
    }

    [GlobalCleanup]
    public Task Cleanup() => CleanupStoresAsync();

    [Benchmark(Baseline = true)]
    public async Task<int> SqliteOneQueryPerVersion()
    {
        var store = Sqlite.GetRequiredService<ISkillStore>();
        var count = 0;
        for (var version = await store.FindVersionAsync(Tenant, _sqliteLeaf, CancellationToken.None);
             version?.ParentVersionId is { } parent;
             version = await store.FindVersionAsync(Tenant, parent, CancellationToken.None))
        {
            count++;
        }

        return count;
    }

    [Benchmark]
    public async Task<int> SqliteRecursiveQuery() => (await Sqlite.GetRequiredService<ISkillStore>().GetLineageAsync(Tenant, _sqliteLeaf, CancellationToken.None)).Ancestors.Count;

    [Benchmark]
    public async Task<int> PostgresRecursiveQuery() => (await Postgres.GetRequiredService<ISkillStore>().GetLineageAsync(Tenant, _postgresLeaf, CancellationToken.None)).Ancestors.Count;

    private static async Task<Guid> ChainAsync(IServiceProvider services)
    {
        var store = services.GetRequiredService<ISkillStore>();
        var skill = new Skill { TenantId = Tenant, Name = "process_invoice" };
        var version = new SkillVersion { TenantId = Tenant, SkillId = skill.Id, Version = SemanticVersion.Initial, Code = "def f(): pass", EntryPoint = "f" };
        await store.AddAsync(skill, version, CancellationToken.None);
        for (var i = 1; i < Depth; i++)
        {
            version = await store.AddVersionAsync(
                new SkillVersion { TenantId = Tenant, SkillId = skill.Id, Version = new SemanticVersion(1, i, 0), Code = "def f(): pass", EntryPoint = "f", ParentVersionId = version.Id },
                activate: false,
                CancellationToken.None);
        }

        return version.Id;
    }
}

/// <summary>The pending candidates of one workspace among 100,000 candidate rows of 200 workspaces. Baseline: the in-memory store with the same rows.</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, warmupCount: 3, iterationCount: 15)]
public class PendingCandidatesBenchmarks : StoreBenchmarkBase
{
    private const int Rows = 100_000;
    private const int Workspaces = 200;

    [GlobalSetup]
    public async Task Setup()
    {
        await SetupStoresAsync();
        var statuses = Enum.GetValues<SkillCandidateStatus>();
        var candidates = Enumerable.Range(0, Rows).Select(i => new SkillCandidate
        {
            TenantId = i % Workspaces == 0 ? Tenant : $"workspace-{i % Workspaces}",
            AgentId = "agent",
            Name = "skill",
            EntryPoint = "skill",
            PatternKey = $"pattern-{i}",
            Status = statuses[i / Workspaces % statuses.Length],
            CreatedAt = DateTimeOffset.UnixEpoch.AddSeconds(i),
        }).ToList();

        var memory = InMemory.GetRequiredService<ISkillCandidateStore>();
        foreach (var candidate in candidates)
        {
            await memory.AddAsync(candidate, CancellationToken.None);
        }

        foreach (var services in new[] { Sqlite, Postgres })
        {
            await using var db = await services.GetRequiredService<IDbContextFactory<AutoDevDbContext>>().CreateDbContextAsync();
            foreach (var chunk in candidates.Chunk(5000))
            {
                foreach (var candidate in chunk)
                {
                    AutoDev.EntityFrameworkCore.Configuration.SkillCandidateConfiguration.Shadows(db.Add(candidate with { UpdatedAt = candidate.CreatedAt, ConcurrencyStamp = Guid.NewGuid() }));
                }

                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();
            }

            await db.Database.ExecuteSqlRawAsync("ANALYZE");
        }
    }

    [GlobalCleanup]
    public Task Cleanup() => CleanupStoresAsync();

    [Benchmark(Baseline = true)]
    public Task<int> InMemoryStore() => PendingAsync(InMemory);

    [Benchmark]
    public Task<int> SqliteFile() => PendingAsync(Sqlite);

    [Benchmark]
    public Task<int> PostgreSql() => PendingAsync(Postgres);

    private static async Task<int> PendingAsync(IServiceProvider services)
    {
        var count = 0;
        await foreach (var candidate in services.GetRequiredService<ISkillCandidateStore>().ListByStatusAsync(Tenant, SkillCandidateStatus.Pending, CancellationToken.None))
        {
            count += candidate.Name.Length > 0 ? 1 : 0;
        }

        return count;
    }
}
