namespace AutoDev.EntityFrameworkCore;

/// <summary>Options of the EF Core stores.</summary>
public sealed class EntityFrameworkStoreOptions
{
    /// <summary>Default of <see cref="SqliteConnectionString"/>: a file named <c>autodev.db</c> in the working directory.</summary>
    public const string DefaultSqliteConnectionString = "Data Source=autodev.db";

    /// <summary>Default of <see cref="SqliteBusyTimeout"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultSqliteBusyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The SQLite database used when <c>AddEntityFrameworkStores()</c> is given no database configuration.</summary>
    /// <value>Default <see cref="DefaultSqliteConnectionString"/>.</value>
    public string SqliteConnectionString { get; set; } = DefaultSqliteConnectionString;

    /// <summary>
    /// Whether the host's start applies AutoDev's migrations, before any other hosted service starts (safe with several
    /// instances: EF takes a migration lock).
    /// </summary>
    /// <value>
    /// <see langword="true"/> for the embedded SQLite default (<c>AddEntityFrameworkStores()</c> without a database
    /// configuration, which creates <see cref="SqliteConnectionString"/>'s file and schema on start); otherwise
    /// <see langword="false"/>: apply them with <see cref="IAutoDevDatabase.MigrateAsync"/> or the SQL script from
    /// <see cref="IAutoDevDatabase.GenerateMigrationScript"/>.
    /// </value>
    public bool MigrateOnStart { get; set; }

    /// <summary>How long a SQLite connection waits for another writer before it reports "database is locked".</summary>
    /// <value>Default <see cref="DefaultSqliteBusyTimeout"/>.</value>
    public TimeSpan SqliteBusyTimeout { get; set; } = DefaultSqliteBusyTimeout;

    /// <summary>Default of <see cref="SqliteCheckpointPages"/>: 8,000 pages (about 32 MB of write-ahead log).</summary>
    public const int DefaultSqliteCheckpointPages = 8_000;

    /// <summary>
    /// How many pages the SQLite write-ahead log grows to before it is checkpointed into the database file
    /// (<c>PRAGMA wal_autocheckpoint</c>; SQLite's own default is 1,000). Each checkpoint syncs the file, so fewer of
    /// them make writes cheaper, at the price of a larger log on disk and a longer recovery after a crash.
    /// </summary>
    /// <value>Default <see cref="DefaultSqliteCheckpointPages"/>; 0 turns automatic checkpoints off.</value>
    public int SqliteCheckpointPages { get; set; } = DefaultSqliteCheckpointPages;
}
