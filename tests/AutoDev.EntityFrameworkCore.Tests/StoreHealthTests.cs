using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using static AutoDev.Tests.ConcurrencyTests;

namespace AutoDev.Tests;

/// <summary>The autodev-store health check on real databases: migrated, not migrated, unreachable.</summary>
public sealed class StoreHealthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Store_Migrated_IsHealthy_ThenWithoutItsMigrations_IsUnhealthyNamingThem(string provider)
    {
        var connection = await ConnectionAsync(provider);
        await using var services = WithHealthChecks(provider, connection);

        var empty = await CheckAsync(services);
        await services.GetRequiredService<AutoDev.EntityFrameworkCore.IAutoDevDatabase>().MigrateAsync(Ct);
        var migrated = await CheckAsync(services);

        Assert.Equal(HealthStatus.Unhealthy, empty.Status);
        Assert.Contains("MigrateOnStart", empty.Description, StringComparison.Ordinal);
        if (provider == "postgres")
        {
            // The database exists, empty: the check names what is missing. (A SQLite file does not exist until migrated.)
            Assert.Contains("_Initial", empty.Description, StringComparison.Ordinal);
        }

        Assert.Equal(HealthStatus.Healthy, migrated.Status);
        Assert.EndsWith("reachable, every migration applied.", migrated.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_PostgresUnreachable_IsUnhealthy()
    {
        await using var services = WithHealthChecks("postgres", "Host=127.0.0.1;Port=1;Username=postgres;Database=nowhere;Timeout=2");

        var entry = await CheckAsync(services);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("cannot be reached", entry.Description, StringComparison.Ordinal);
    }

    private static ServiceProvider WithHealthChecks(string provider, string connection) =>
        Services(provider, connection, s => s.AddHealthChecks().AddAutoDevHealthChecks());

    private static async Task<HealthReportEntry> CheckAsync(IServiceProvider services)
    {
        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == AutoDevHealthChecks.Store, Ct);
        return report.Entries[AutoDevHealthChecks.Store];
    }
}
