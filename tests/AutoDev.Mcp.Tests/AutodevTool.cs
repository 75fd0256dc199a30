using System.Diagnostics;
using AutoDev.AspNetCore;
using AutoDev.Testing;
using AutoDev.Tests.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AutoDev.Tests.Mcp;

/// <summary>The built <c>autodev</c> tool, and an AutoDev store for it to work on (written by a second AutoDev host, as a reviewer's process would).</summary>
internal static class AutodevTool
{
    /// <summary>The tool's assembly, built by this test project's reference to it.</summary>
    public static string Assembly
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = RepositoryPaths.Combine("src", "AutoDev.Cli", "bin", configuration, "net10.0", "autodev.dll");
            Assert.True(File.Exists(path), $"{path} is missing, although this test project references the tool");
            return path;
        }
    }

    /// <summary>Runs the tool to its end with <paramref name="arguments"/>.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>
    /// A started AutoDev host over a new store with the acme workspace saved: a SQLite file, or a new database on the
    /// PostgreSQL server of build/start-postgres.sh (<c>AUTODEV_POSTGRES</c> names another). It also serves
    /// <c>MapAutoDev()</c> on a loopback port, for the tool's <c>--url</c>. Dispose it to stop it and delete the store.
    /// </summary>
    /// <param name="kind">Where the data is kept.</param>
    /// <param name="signIn">Whether the API requires a signed-in user (<see cref="HeaderAuthentication"/>, whose bearer token is <c>name;workspaces</c>).</param>
    public static async Task<StoreHost> CreateStoreAsync(StoreKind kind = StoreKind.Sqlite, bool signIn = false)
    {
        var ct = TestContext.Current.CancellationToken;
        var (builder, autodev) = LoopbackWebApp.Create();
        if (signIn)
        {
            LoopbackWebApp.WithHeaderAuthentication(builder);
        }

        string[] store;
        string? file = null, database = null;
        if (kind == StoreKind.PostgreSql)
        {
            (database, var connectionString) = await CreatePostgresDatabaseAsync();
            autodev.AddPostgreSqlStores(connectionString, stores => stores.MigrateOnStart = true);
            store = ["--postgres", connectionString];
        }
        else
        {
            file = Path.Combine(Path.GetTempPath(), $"autodev-mcp-{Guid.NewGuid():N}.db");
            autodev.AddEntityFrameworkStores(o => o.UseSqlite($"Data Source={file}"), stores => stores.MigrateOnStart = true);
            store = ["--sqlite", file];
        }

        autodev.AddHttpApi();
        var app = builder.Build();
        var endpoints = app.MapAutoDev();
        if (signIn)
        {
            endpoints.RequireAuthorization();
        }

        await app.StartAsync(ct);
        await app.Services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync(McpServerHost.Acme, new WorkspaceSettings { Enabled = true }, ct);
        return new StoreHost(app, file ?? string.Empty, database, store, ["--url", app.Urls.First().TrimEnd('/') + "/autodev"]);
    }

    /// <summary>A new, empty database on the test PostgreSQL server: its name and connection string.</summary>
    private static async Task<(string Name, string ConnectionString)> CreatePostgresDatabaseAsync()
    {
        var name = $"autodev_cli_{Guid.NewGuid():N}";
        try
        {
            await using var connection = new NpgsqlConnection(PostgresServer);
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
        catch (NpgsqlException ex)
        {
            ServiceRequirement.Require(false, $"PostgreSQL is unavailable at {PostgresServer} (bash build/start-postgres.sh starts it): {ex.Message}");
        }

        return (name, new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name }.ConnectionString);
    }

    private static string PostgresServer =>
        Environment.GetEnvironmentVariable("AUTODEV_POSTGRES") is { Length: > 0 } configured
            ? configured
            : "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres;Timeout=5";

    /// <summary>Where a test keeps AutoDev's data.</summary>
    internal enum StoreKind
    {
        Sqlite,
        PostgreSql,
    }

    internal sealed class StoreHost(WebApplication host, string file, string? database, string[] store, string[] api) : IAsyncDisposable
    {
        /// <summary>The SQLite file (empty for PostgreSQL).</summary>
        public string File { get; } = file;

        /// <summary>The tool's options that name this store.</summary>
        public string[] Store { get; } = store;

        /// <summary>The tool's options that name this host's API.</summary>
        public string[] Api { get; } = api;

        public T Get<T>()
            where T : notnull => host.Services.GetRequiredService<T>();

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync(CancellationToken.None);
            await host.DisposeAsync();
            if (database is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await using var connection = new NpgsqlConnection(PostgresServer);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync();
                return;
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var path in (string[])[File, File + "-wal", File + "-shm"])
            {
                System.IO.File.Delete(path);
            }
        }
    }
}
