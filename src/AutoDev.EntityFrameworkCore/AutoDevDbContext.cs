using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AutoDev.EntityFrameworkCore;

/// <summary>The DbContext of AutoDev's own tables, used by <c>AddEntityFrameworkStores()</c>; its migrations ship with this package.</summary>
/// <remarks>
/// Created through a pooled <see cref="IDbContextFactory{TContext}"/>, one per store call; never captured by a
/// singleton. The migrations in this package are SQLite's; PostgreSQL's are in <c>AutoDev.EntityFrameworkCore.PostgreSql</c>.
/// </remarks>
public class AutoDevDbContext(DbContextOptions<AutoDevDbContext> options) : DbContext(options)
{
    /// <inheritdoc/>
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddAutoDev();
}

/// <summary>What <c>dotnet ef</c> uses to build the SQLite model of this package's migrations (no database is opened).</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<AutoDevDbContext>
{
    public AutoDevDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<AutoDevDbContext>().UseSqlite(EntityFrameworkStoreOptions.DefaultSqliteConnectionString).Options);
}
