using System.Data.Common;
using AutoDev.EntityFrameworkCore;
using AutoDev.EntityFrameworkCore.PostgreSql;
using AutoDev.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace AutoDev.Tests;

/// <summary>The migrations dotnet ef generated create exactly the schema the model describes, on both databases, and the model has no change they miss.</summary>
public sealed class MigrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    [Trait("Requires", "sqlite")]
    public async Task Migrations_OnSqlite_CreateTheModelsSchema()
    {
        var fromModel = Databases.NewSqliteFile("model");
        var fromMigrations = Databases.NewSqliteFile("migrated");

        await using (var db = Context(o => o.UseSqlite(fromModel)))
        {
            Assert.True(await db.Database.EnsureCreatedAsync(Ct));
        }

        await using (var db = Context(o => o.UseSqlite(fromMigrations)))
        {
            await db.Database.MigrateAsync(Ct);
        }

        var expected = await SqliteSchemaAsync(fromModel);
        Assert.Contains(expected, line => line.StartsWith("skill_candidates.index IX_skill_candidates_tenant_id_open_pattern_key unique (tenant_id,open_pattern_key)", StringComparison.Ordinal));
        Assert.Contains(expected, line => line.StartsWith("episodes.id TEXT notnull=1 pk=2", StringComparison.Ordinal));
        Assert.Equal(expected, await SqliteSchemaAsync(fromMigrations));
    }

    [Fact]
    [Trait("Requires", "postgres")]
    public async Task Migrations_OnPostgres_CreateTheModelsSchema()
    {
        ServiceRequirement.Require(await Databases.PostgresUnavailableAsync() is null, await Databases.PostgresUnavailableAsync() ?? string.Empty);
        var fromModel = await Databases.CreatePostgresDatabaseAsync("model");
        var fromMigrations = await Databases.CreatePostgresDatabaseAsync("migrated");

        await using (var db = Context(o => o.UseNpgsql(fromModel)))
        {
            Assert.True(await db.Database.EnsureCreatedAsync(Ct));
        }

        await using (var db = Context(o => o.UseNpgsql(fromMigrations, PostgresMigrations)))
        {
            await db.Database.MigrateAsync(Ct);
        }

        var expected = await PostgresSchemaAsync(fromModel);
        Assert.Contains(expected, line => line.Contains("skill_versions.parent_version_id uuid null", StringComparison.Ordinal));
        Assert.Contains(expected, line => line.Contains("skill_candidates.constraint PK_skill_candidates PRIMARY KEY (tenant_id, id)", StringComparison.Ordinal));
        Assert.Equal(expected, await PostgresSchemaAsync(fromMigrations));
    }

    /// <summary>
    /// What <c>dotnet ef migrations has-pending-model-changes</c> checks in CI, here too: the model snapshot of each
    /// provider's migrations matches the model, so no change to the model ships without its migration.
    /// </summary>
    [Fact]
    public async Task Model_HasNoChangesTheMigrationsMiss_OnSqliteAndPostgres()
    {
        await using (var db = Context(o => o.UseSqlite(Databases.NewSqliteFile("pending"))))
        {
            Assert.NotEmpty(db.Database.GetMigrations());
            Assert.False(db.Database.HasPendingModelChanges());
        }

        await using (var db = Context(o => o.UseNpgsql("Host=127.0.0.1;Database=unused", PostgresMigrations)))
        {
            Assert.NotEmpty(db.Database.GetMigrations());
            Assert.False(db.Database.HasPendingModelChanges());
        }
    }

    /// <summary>SQLite's migrations never run on PostgreSQL: the error names the package that has PostgreSQL's.</summary>
    [Fact]
    public async Task SqliteMigrations_OnAnotherDatabase_AreRefusedWithTheWayOut()
    {
        var services = new ServiceCollection();
        services.AddAutoDev().AddEntityFrameworkStores(o => o.UseNpgsql("Host=127.0.0.1;Database=unused"));
        await using var provider = services.BuildServiceProvider();
        var database = provider.GetRequiredService<IAutoDevDatabase>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => database.MigrateAsync(Ct));
        Assert.Contains("AddPostgreSqlStores()", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => database.GenerateMigrationScript());
    }

    /// <summary>Regression: <c>AddEntityFrameworkStores()</c> as the README shows it failed with "no such table: workspace_settings".</summary>
    [Fact]
    public async Task EmbeddedDefault_CreatesItsSchemaOnStart_BeforeTheLoopsRecover()
    {
        var connection = Databases.NewSqliteFile("embedded");
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAutoDev().AddEntityFrameworkStores(configure: stores => stores.SqliteConnectionString = connection);
        using var host = builder.Build();

        await host.StartAsync(Ct);
        await host.Services.GetRequiredService<MementoLoop>().Recovery.WaitAsync(TimeSpan.FromMinutes(1), Ct);
        await host.Services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync("acme", new WorkspaceSettings { Enabled = true }, Ct);
        await host.StopAsync(Ct);

        Assert.True(host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EntityFrameworkStoreOptions>>().Value.MigrateOnStart);
        Assert.True((await host.Services.GetRequiredService<IWorkspaceStore>().GetSettingsAsync("acme", Ct)).Enabled);
    }

    [Fact]
    public async Task MigrateOnStart_CreatesTheTables_AndASecondStartChangesNothing()
    {
        var connection = Databases.NewSqliteFile("start");
        for (var start = 0; start < 2; start++)
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Services.AddAutoDev().AddEntityFrameworkStores(o => o.UseSqlite(connection), stores => stores.MigrateOnStart = true);
            using var host = builder.Build();
            await host.StartAsync(Ct);
            await host.Services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync($"w{start}", new WorkspaceSettings { Enabled = true }, Ct);
            await host.StopAsync(Ct);
        }

        await using var db = Context(o => o.UseSqlite(connection));
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(Ct));
        Assert.Equal(["w0", "w1"], await db.Set<AutoDev.EntityFrameworkCore.Configuration.SavedWorkspaceSettings>().Select(s => s.TenantId).OrderBy(t => t).ToListAsync(Ct));
    }

    [Fact]
    public async Task Stores_WithoutMigrations_FailWithTheDatabasesError_NotSilently()
    {
        var services = new ServiceCollection();
        services.AddAutoDev().AddEntityFrameworkStores(o => o.UseSqlite(Databases.NewSqliteFile("empty")));
        await using var provider = services.BuildServiceProvider();

        await Assert.ThrowsAnyAsync<DbException>(async () => await provider.GetRequiredService<IAgentProfileStore>().FindAsync("t", "a", Ct));
    }

    [Fact]
    public void MigrationScript_ForDbas_CreatesEveryTableIdempotently()
    {
        var services = new ServiceCollection();
        services.AddAutoDev().AddPostgreSqlStores("Host=127.0.0.1;Database=unused");
        using var provider = services.BuildServiceProvider();

        var script = provider.GetRequiredService<IAutoDevDatabase>().GenerateMigrationScript();

        foreach (var table in new[] { AutoDevTables.Episodes, AutoDevTables.SkillCandidates, AutoDevTables.SkillVersions, AutoDevTables.CapabilityCounters, AutoDevTables.ChatCalls })
        {
            Assert.Contains($"CREATE TABLE {table}", script, StringComparison.Ordinal);
        }

        Assert.Contains("CREATE TABLE skill_candidates", script, StringComparison.Ordinal);
        Assert.Contains("uuid NOT NULL", script, StringComparison.Ordinal);
        Assert.Contains("IF NOT EXISTS", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostsOwnDbContext_WithAutoDevsModel_ServesTheStores()
    {
        var connection = Databases.NewSqliteFile("own");
        var services = new ServiceCollection();
        services.AddAutoDev().AddEntityFrameworkStores<HostDbContext>(o => o.UseSqlite(connection));
        await using var provider = services.BuildServiceProvider();
        await using (var db = await provider.GetRequiredService<IDbContextFactory<HostDbContext>>().CreateDbContextAsync(Ct))
        {
            await db.Database.EnsureCreatedAsync(Ct);
            db.Add(new HostOrder { Id = 1, Customer = "acme" });
            await db.SaveChangesAsync(Ct);
        }

        var skills = provider.GetRequiredService<ISkillStore>();
        var skill = new Skill { TenantId = "acme", Name = "extract_invoice_id" };
        await skills.AddAsync(skill, new SkillVersion { TenantId = "acme", SkillId = skill.Id, Version = SemanticVersion.Initial, Code = "def f(): pass", EntryPoint = "f" }, Ct);

        Assert.Equal("extract_invoice_id", (await skills.FindByNameAsync("acme", "extract_invoice_id", Ct))!.Name);
    }

    private static void PostgresMigrations(Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder npgsql) =>
        npgsql.MigrationsAssembly(PostgreSqlMigrations.Assembly);

    private static AutoDevDbContext Context(Action<DbContextOptionsBuilder> configure)
    {
        var builder = new DbContextOptionsBuilder<AutoDevDbContext>();
        configure(builder);
        return new AutoDevDbContext(builder.Options);
    }

    /// <summary>Every table's columns (type, null, key), indexes and foreign keys, as sorted lines; EF's own tables left out.</summary>
    private static async Task<List<string>> SqliteSchemaAsync(string connectionString)
    {
        var lines = new List<string>();
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(Ct);
        var tables = await QueryAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_\\_EF%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'");
        foreach (var table in tables.Select(t => t[0]))
        {
            foreach (var c in await QueryAsync(connection, $"SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table}')"))
            {
                lines.Add($"{table}.{c[0]} {c[1]} notnull={c[2]} pk={c[3]}");
            }

            foreach (var i in await QueryAsync(connection, $"SELECT name, \"unique\", origin FROM pragma_index_list('{table}')"))
            {
                var columns = await QueryAsync(connection, $"SELECT name FROM pragma_index_info('{i[0]}') ORDER BY seqno");
                lines.Add($"{table}.index {i[0]} {(i[1] == "1" ? "unique" : "plain")} ({string.Join(",", columns.Select(c => c[0]))}) {i[2]}");
            }

            foreach (var f in await QueryAsync(connection, $"SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list('{table}')"))
            {
                lines.Add($"{table}.fk {f[1]} -> {f[0]}.{f[2]} on delete {f[3]}");
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static async Task<List<string>> PostgresSchemaAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        var lines = new List<string>();
        foreach (var c in await QueryAsync(connection, """
            SELECT table_name, column_name, data_type, is_nullable, coalesce(character_maximum_length::text, '-')
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE '\_\_EF%'
            """))
        {
            lines.Add($"{c[0]}.{c[1]} {c[2]} {(c[3] == "YES" ? "null" : "not null")} max={c[4]}");
        }

        foreach (var i in await QueryAsync(connection, "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE '\\_\\_EF%'"))
        {
            lines.Add($"{i[0]}.index {i[1]}");
        }

        foreach (var f in await QueryAsync(connection, """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT LIKE '%\_\_EF%'
            """))
        {
            lines.Add($"{f[0]}.constraint {f[1]} {f[2]}");
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static async Task<List<string[]>> QueryAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // Catalog queries of the test's own databases.
        command.CommandText = sql;
#pragma warning restore CA2100
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = new List<string[]>();
        while (await reader.ReadAsync(Ct))
        {
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty)]);
        }

        return rows;
    }
}

/// <summary>A host's own DbContext that keeps AutoDev's tables beside its own.</summary>
public sealed class HostDbContext(DbContextOptions<HostDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<HostOrder>().ToTable("orders");
        modelBuilder.AddAutoDev();
    }
}

public sealed class HostOrder
{
    public int Id { get; set; }

    public string Customer { get; set; } = string.Empty;
}
