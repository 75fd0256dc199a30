using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AutoDev.EntityFrameworkCore.PostgreSql;

/// <summary>Where AutoDev's PostgreSQL migrations are, for a host that configures Npgsql itself.</summary>
/// <example>
/// <code>
/// services.AddAutoDev().AddEntityFrameworkStores(o => o.UseNpgsql(connectionString,
///     npgsql => npgsql.MigrationsAssembly(PostgreSqlMigrations.Assembly)));
/// </code>
/// </example>
public static class PostgreSqlMigrations
{
    /// <summary>The name of the assembly that holds them (this package's).</summary>
    public static string Assembly { get; } = typeof(PostgreSqlMigrations).Assembly.GetName().Name!;
}

/// <summary>What <c>dotnet ef</c> uses to build the PostgreSQL model of this package's migrations (no database is opened).</summary>
internal sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<AutoDevDbContext>
{
    public AutoDevDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<AutoDevDbContext>()
            .UseNpgsql("Host=localhost;Database=autodev", npgsql => npgsql.MigrationsAssembly(PostgreSqlMigrations.Assembly))
            .Options);
}
