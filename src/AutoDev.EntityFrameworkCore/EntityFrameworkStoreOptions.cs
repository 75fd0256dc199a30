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

    /// <summary>Whether the host's start applies AutoDev's migrations (safe with several instances: EF takes a migration lock).</summary>
    /// <value>Default <see langword="false"/>: apply them with <see cref="IAutoDevDatabase.MigrateAsync"/> or the SQL script from <see cref="IAutoDevDatabase.GenerateMigrationScript"/>.</value>
    public bool MigrateOnStart { get; set; }

    /// <summary>How long a SQLite connection waits for another writer before it reports "database is locked".</summary>
    /// <value>Default <see cref="DefaultSqliteBusyTimeout"/>.</value>
    public TimeSpan SqliteBusyTimeout { get; set; } = DefaultSqliteBusyTimeout;
}
