using AutoDev;
using AutoDev.EntityFrameworkCore;
using AutoDev.EntityFrameworkCore.PostgreSql;
using Microsoft.EntityFrameworkCore;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers AutoDev's EF Core stores on PostgreSQL.</summary>
public static class PostgreSqlAutoDevBuilderExtensions
{
    /// <summary>
    /// Replaces every in-memory store with an EF Core store on PostgreSQL, whose migrations (this package's) create
    /// the schema: with <see cref="EntityFrameworkStoreOptions.MigrateOnStart"/>, <see cref="IAutoDevDatabase.MigrateAsync"/>,
    /// or the script of <see cref="IAutoDevDatabase.GenerateMigrationScript"/>.
    /// </summary>
    /// <example>
    /// <code>
    /// services.AddAutoDev().AddPostgreSqlStores(builder.Configuration.GetConnectionString("AutoDev")!,
    ///                                           stores => stores.MigrateOnStart = true);
    /// </code>
    /// </example>
    /// <param name="builder">The AutoDev builder.</param>
    /// <param name="connectionString">The PostgreSQL connection string.</param>
    /// <param name="configure">The stores' options.</param>
    /// <param name="configureNpgsql">Npgsql's own options (command time-out, retries on failure, ...).</param>
    public static IAutoDevBuilder AddPostgreSqlStores(
        this IAutoDevBuilder builder,
        string connectionString,
        Action<EntityFrameworkStoreOptions>? configure = null,
        Action<NpgsqlDbContextOptionsBuilder>? configureNpgsql = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.AddEntityFrameworkStores(
            o => o.UseNpgsql(connectionString, npgsql =>
            {
                npgsql.MigrationsAssembly(PostgreSqlMigrations.Assembly);
                configureNpgsql?.Invoke(npgsql);
            }),
            configure);
    }
}
