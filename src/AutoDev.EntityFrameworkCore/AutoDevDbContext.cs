using Microsoft.EntityFrameworkCore;

namespace AutoDev.EntityFrameworkCore;

/// <summary>The DbContext of AutoDev's own tables, used by <c>AddEntityFrameworkStores()</c>; its migrations ship with this package.</summary>
/// <remarks>Created through a pooled <see cref="IDbContextFactory{TContext}"/>, one per store call; never captured by a singleton.</remarks>
public class AutoDevDbContext(DbContextOptions<AutoDevDbContext> options) : DbContext(options)
{
    /// <inheritdoc/>
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddAutoDev();
}
