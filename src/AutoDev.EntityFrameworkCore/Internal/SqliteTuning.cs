using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AutoDev.EntityFrameworkCore.Internal;

/// <summary>
/// Once per native SQLite connection (Microsoft.Data.Sqlite pools them, and pragmas stay with them): WAL (readers
/// never block the writer), <c>synchronous=NORMAL</c> (safe with WAL; a process crash loses nothing committed), a
/// busy timeout so a host's threads wait for each other instead of failing with "database is locked", and the
/// checkpoint size (each checkpoint syncs the file: on this project's benchmark machine the default of 1,000 pages
/// cost about a quarter of a candidate write's time). Other providers' connections are left alone.
/// </summary>
internal sealed class SqliteTuning(TimeSpan busyTimeout, int checkpointPages) : DbConnectionInterceptor
{
    private readonly ConditionalWeakTable<object, object> _tuned = new();

    private readonly string _pragmas = string.Create(
        CultureInfo.InvariantCulture,
        $"PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}; PRAGMA wal_autocheckpoint = {checkpointPages};");

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (NeedsTuning(connection))
        {
            using var command = Command(connection);
            command.ExecuteNonQuery();
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (NeedsTuning(connection))
        {
            var command = Command(connection);
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private bool NeedsTuning(DbConnection connection) =>
        connection is SqliteConnection { Handle: { } handle } && _tuned.TryAdd(handle, handle);

    private DbCommand Command(DbConnection connection)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // The pragmas are built from numbers only.
        command.CommandText = _pragmas;
#pragma warning restore CA2100
        return command;
    }
}
