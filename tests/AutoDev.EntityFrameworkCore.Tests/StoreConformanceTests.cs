using AutoDev.EntityFrameworkCore;
using AutoDev.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Tests;

/// <summary>The EF stores on a real SQLite file pass the store conformance suite.</summary>
[Trait("Requires", "sqlite")]
public sealed class SqliteStoreConformanceTests : StoreConformanceTests
{
    private readonly string _connectionString = Databases.NewSqliteFile("conformance");

    protected override void ConfigureStores(IAutoDevBuilder builder) =>
        builder.AddEntityFrameworkStores(o => o.UseSqlite(_connectionString));

    protected override async ValueTask InitializeStoresAsync(IServiceProvider services) =>
        await services.GetRequiredService<IAutoDevDatabase>().MigrateAsync(TestContext.Current.CancellationToken);
}

/// <summary>The EF stores on a real PostgreSQL server pass the store conformance suite.</summary>
[Trait("Requires", "postgres")]
public sealed class PostgresStoreConformanceTests(PostgresStoreFixture fixture) : StoreConformanceTests, IClassFixture<PostgresStoreFixture>
{
    protected override async ValueTask<string?> CheckServiceAsync() => await Databases.PostgresUnavailableAsync();

    protected override void ConfigureStores(IAutoDevBuilder builder) =>
        builder.AddPostgreSqlStores(fixture.ConnectionString);

    protected override async ValueTask InitializeStoresAsync(IServiceProvider services) => await fixture.MigrateOnceAsync(services);
}

/// <summary>One migrated PostgreSQL database for the conformance tests (each test works in workspaces of its own).</summary>
public sealed class PostgresStoreFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _migrated;

    public string ConnectionString { get; private set; } = string.Empty;

    public async ValueTask InitializeAsync()
    {
        if (await Databases.PostgresUnavailableAsync() is null)
        {
            ConnectionString = await Databases.CreatePostgresDatabaseAsync("conformance");
        }
    }

    public ValueTask DisposeAsync()
    {
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }

    public async Task MigrateOnceAsync(IServiceProvider services)
    {
        await _gate.WaitAsync();
        try
        {
            if (!_migrated)
            {
                await services.GetRequiredService<IAutoDevDatabase>().MigrateAsync();
                _migrated = true;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
