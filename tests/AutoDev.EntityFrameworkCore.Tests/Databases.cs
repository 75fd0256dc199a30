using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AutoDev.Tests;

/// <summary>
/// The real databases the tests use: SQLite files in a temporary folder of the run's own, and databases on the
/// PostgreSQL server build/start-postgres.sh starts. <see cref="DatabaseCleanup"/> removes them all after the run.
/// </summary>
internal static class Databases
{
    private static readonly string SqliteFolder = Path.Combine(Path.GetTempPath(), "autodev-ef-tests", Guid.NewGuid().ToString("N"));
    private static readonly ConcurrentBag<string> PostgresDatabases = [];

    /// <summary>The server's connection string: <c>AUTODEV_POSTGRES</c>, else the loopback server of build/start-postgres.sh.</summary>
    public static string PostgresServer { get; } =
        Environment.GetEnvironmentVariable("AUTODEV_POSTGRES") is { Length: > 0 } configured
            ? configured
            : "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres;Timeout=5;Maximum Pool Size=100";

    private static readonly Lazy<Task<string?>> PostgresProblem = new(CheckPostgresAsync);

    /// <summary>Why PostgreSQL cannot be reached, or null.</summary>
    public static Task<string?> PostgresUnavailableAsync() => PostgresProblem.Value;

    /// <summary>A new, empty PostgreSQL database; its connection string.</summary>
    public static async Task<string> CreatePostgresDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(PostgresServer))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        PostgresDatabases.Add(name);
        return new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name }.ConnectionString;
    }

    /// <summary>A connection string for a new SQLite file in the run's folder.</summary>
    public static string NewSqliteFile(string prefix)
    {
        Directory.CreateDirectory(SqliteFolder);
        var path = Path.Combine(SqliteFolder, $"{prefix}-{Guid.NewGuid():N}.db");
        return new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ConnectionString;
    }

    /// <summary>Drops the run's PostgreSQL databases (closing what still holds them) and deletes its SQLite folder.</summary>
    public static async Task RemoveAllAsync()
    {
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(SqliteFolder))
        {
            Directory.Delete(SqliteFolder, recursive: true);
        }

        if (PostgresDatabases.IsEmpty)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(PostgresServer);
        await connection.OpenAsync();
        foreach (var name in PostgresDatabases)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private static async Task<string?> CheckPostgresAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(PostgresServer);
            await connection.OpenAsync();
            return null;
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
        {
            return $"PostgreSQL at '{new NpgsqlConnectionStringBuilder(PostgresServer) { Password = null }}' is unreachable ({ex.Message}); run build/start-postgres.sh as root, or set AUTODEV_POSTGRES.";
        }
    }
}
