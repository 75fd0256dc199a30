using Microsoft.Data.Sqlite;
using Npgsql;

namespace AutoDev.Tests;

/// <summary>The real databases the tests use: SQLite files in a temporary folder, and the PostgreSQL server build/start-postgres.sh starts.</summary>
internal static class Databases
{
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

        return new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name }.ConnectionString;
    }

    /// <summary>A connection string for a new SQLite file (removed at the end of the test run by the OS's temp cleaning; the folder is per run).</summary>
    public static string NewSqliteFile(string prefix)
    {
        var folder = Path.Combine(Path.GetTempPath(), "autodev-ef-tests");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{prefix}-{Guid.NewGuid():N}.db");
        return new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ConnectionString;
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
