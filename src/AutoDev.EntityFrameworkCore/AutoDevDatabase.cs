using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AutoDev.EntityFrameworkCore;

/// <summary>AutoDev's database: apply the migrations, or write them as a SQL script for a DBA.</summary>
public interface IAutoDevDatabase
{
    /// <summary>Applies the migrations not yet applied. Safe to call from several instances at once.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>The migrations as one idempotent SQL script for the configured database.</summary>
    string GenerateMigrationScript();
}

internal sealed class AutoDevDatabase<TContext>(IDbContextFactory<TContext> factory) : IAutoDevDatabase
    where TContext : DbContext
{
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        EnsureMigrationsFitTheDatabase(db);
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
    }

    public string GenerateMigrationScript()
    {
        using var db = factory.CreateDbContext();
        EnsureMigrationsFitTheDatabase(db);
        return db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
    }

    /// <summary>
    /// Migrations carry their provider's column types, so this package's (SQLite's) must not run on another database:
    /// PostgreSQL has its own package, and any other database takes migrations the host generates.
    /// </summary>
    /// <exception cref="InvalidOperationException">This package's migrations were about to run on a database other than SQLite.</exception>
    internal static void EnsureMigrationsFitTheDatabase(DbContext db)
    {
        if (db.GetService<IMigrationsAssembly>().Assembly == typeof(AutoDevDbContext).Assembly && !db.Database.IsSqlite())
        {
            throw new InvalidOperationException(
                $"AutoDev's migrations in {typeof(AutoDevDbContext).Assembly.GetName().Name} are SQLite's, and this database is {db.Database.ProviderName}. "
                + "For PostgreSQL use AddPostgreSqlStores() from AutoDev.EntityFrameworkCore.PostgreSql; for another database keep AutoDev's tables in "
                + "your own DbContext (modelBuilder.AddAutoDev(), AddEntityFrameworkStores<TContext>()) and generate its migrations with dotnet ef.");
        }
    }
}

/// <summary>
/// The store health AutoDev's <c>autodev-store</c> check reports: unhealthy when the database cannot be reached or has
/// migrations not yet applied (the stores would fail), healthy otherwise.
/// </summary>
internal sealed class AutoDevDatabaseHealth<TContext>(IDbContextFactory<TContext> factory) : IAutoDevStoreHealth
    where TContext : DbContext
{
    public async Task<HealthCheckResult> CheckAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var provider = db.Database.ProviderName ?? "the database";
        try
        {
            if (!await db.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false))
            {
                return HealthCheckResult.Unhealthy($"{provider}: AutoDev's database cannot be reached or does not exist yet (IAutoDevDatabase.MigrateAsync or MigrateOnStart creates it).");
            }

            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
            return pending.Count == 0
                ? HealthCheckResult.Healthy($"{provider}: reachable, every migration applied.")
                : HealthCheckResult.Unhealthy($"{provider}: {pending.Count} migration(s) not applied ({string.Join(", ", pending)}); call IAutoDevDatabase.MigrateAsync or set MigrateOnStart.");
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"{provider}: AutoDev's database cannot be reached ({ex.Message}).", ex);
        }
    }
}

/// <summary>
/// Applies the migrations when the host starts, if <see cref="EntityFrameworkStoreOptions.MigrateOnStart"/> says so:
/// in <see cref="IHostedLifecycleService.StartingAsync"/>, so the schema exists before any hosted service (the
/// learning loops' recovery included) starts.
/// </summary>
internal sealed class AutoDevDatabaseInitializer(IAutoDevDatabase database, IOptions<EntityFrameworkStoreOptions> options) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) =>
        options.Value.MigrateOnStart ? database.MigrateAsync(cancellationToken) : Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
