using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AutoDev.EntityFrameworkCore.Internal;

/// <summary>
/// On every SQLite connection (once per pooled native connection): WAL (readers never block the writer), <c>synchronous=NORMAL</c> (safe with WAL; a
/// process crash loses nothing committed), and a busy timeout so a host's threads wait for each other instead of
/// failing with "database is locked". Other providers' connections are left alone.
/// </summary>
internal sealed class SqliteTuning(TimeSpan busyTimeout) : DbConnectionInterceptor
{
    // WAL is a property of the database file: set it on the first connection to each file only.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _walSet = new(StringComparer.Ordinal);

    private readonly string _pragmas = string.Create(
        CultureInfo.InvariantCulture,
        $"PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds};");

    // Pragmas stay with the native connection, which Microsoft.Data.Sqlite pools: tune each one once.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> _tuned = new();

    private string Pragmas(DbConnection connection) =>
        _walSet.TryAdd(connection.DataSource, true) ? "PRAGMA journal_mode = WAL; " + _pragmas : _pragmas;

    private bool NeedsTuning(DbConnection connection) =>
        connection is SqliteConnection { Handle: { } handle } && _tuned.TryAdd(handle, handle);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (NeedsTuning(connection))
        {
            using var command = connection.CreateCommand();
#pragma warning disable CA2100 // The pragmas are built from a number only.
            command.CommandText = Pragmas(connection);
#pragma warning restore CA2100
            command.ExecuteNonQuery();
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (NeedsTuning(connection))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
#pragma warning disable CA2100 // The pragmas are built from a number only.
                command.CommandText = Pragmas(connection);
#pragma warning restore CA2100
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
