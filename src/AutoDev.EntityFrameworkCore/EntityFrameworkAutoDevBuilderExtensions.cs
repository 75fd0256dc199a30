using AutoDev;
using AutoDev.EntityFrameworkCore;
using AutoDev.EntityFrameworkCore.Internal;
using AutoDev.EntityFrameworkCore.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the EF Core stores on the AutoDev builder.</summary>
public static class EntityFrameworkAutoDevBuilderExtensions
{
    /// <summary>
    /// Replaces every in-memory store with an EF Core store on <see cref="AutoDevDbContext"/>: a SQLite file by
    /// default (<see cref="EntityFrameworkStoreOptions.SqliteConnectionString"/>), or the database
    /// <paramref name="configureDatabase"/> chooses (<c>o => o.UseNpgsql(...)</c>).
    /// </summary>
    /// <example>
    /// <code>
    /// services.AddAutoDev().AddEntityFrameworkStores();                                    // autodev.db
    /// services.AddAutoDev().AddEntityFrameworkStores(o => o.UseNpgsql(connectionString),
    ///                                                 stores => stores.MigrateOnStart = true);
    /// </code>
    /// </example>
    /// <remarks>The first call's database configuration is used; later calls may change <paramref name="configure"/>'s options.</remarks>
    public static IAutoDevBuilder AddEntityFrameworkStores(
        this IAutoDevBuilder builder,
        Action<DbContextOptionsBuilder>? configureDatabase = null,
        Action<EntityFrameworkStoreOptions>? configure = null) =>
        builder.AddEntityFrameworkStores<AutoDevDbContext>(configureDatabase, configure);

    /// <summary>
    /// Replaces every in-memory store with an EF Core store on the host's own <typeparamref name="TContext"/>, whose
    /// model includes AutoDev's tables (<c>modelBuilder.AddAutoDev()</c>); the host's migrations then create them.
    /// </summary>
    public static IAutoDevBuilder AddEntityFrameworkStores<TContext>(
        this IAutoDevBuilder builder,
        Action<DbContextOptionsBuilder>? configureDatabase = null,
        Action<EntityFrameworkStoreOptions>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<EntityFrameworkStoreOptions>();
        if (configureDatabase is null)
        {
            // The embedded default creates its own schema; a database the host chose is the host's to migrate.
            services.Configure<EntityFrameworkStoreOptions>(o => o.MigrateOnStart = true);
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddPooledDbContextFactory<TContext>((sp, options) =>
        {
            var stores = sp.GetRequiredService<IOptions<EntityFrameworkStoreOptions>>().Value;
            if (configureDatabase is null)
            {
                options.UseSqlite(stores.SqliteConnectionString);
            }
            else
            {
                configureDatabase(options);
            }

            ArgumentOutOfRangeException.ThrowIfNegative(stores.SqliteCheckpointPages, "EntityFrameworkStoreOptions.SqliteCheckpointPages");
            options.AddInterceptors(new SqliteTuning(stores.SqliteBusyTimeout, stores.SqliteCheckpointPages), new StoreErrorInterceptor());
        });

        services.Replace(ServiceDescriptor.Singleton<IWorkspaceStore, EfWorkspaceStore<TContext>>());
        services.Replace(ServiceDescriptor.Singleton<IAgentProfileStore, EfAgentProfileStore<TContext>>());
        services.Replace(ServiceDescriptor.Singleton<IEpisodeStore, EfEpisodeStore<TContext>>());
        services.Replace(ServiceDescriptor.Singleton<ISkillCandidateStore, EfSkillCandidateStore<TContext>>());
        services.Replace(ServiceDescriptor.Singleton<ISkillStore, EfSkillStore<TContext>>());
        services.Replace(ServiceDescriptor.Singleton<IToolMutationStore, EfToolMutationStore<TContext>>());
        services.Replace(ServiceDescriptor.Singleton<IWorkflowVariantStore, EfWorkflowVariantStore<TContext>>());
        services.Replace(ServiceDescriptor.Singleton<ICapabilityUsageStore, EfCapabilityUsageStore<TContext>>());
        services.Replace(ServiceDescriptor.Singleton<IFitnessStore, EfFitnessStore<TContext>>());
        services.Replace(ServiceDescriptor.Singleton<IChatCallStore, EfChatCallStore<TContext>>());
        services.Replace(ServiceDescriptor.Singleton<IAcceptanceCaseStore, EfAcceptanceCaseStore<TContext>>());
        services.Replace(ServiceDescriptor.Singleton<IAutoDevDatabase, AutoDevDatabase<TContext>>());
        services.Replace(ServiceDescriptor.Singleton<IAutoDevStoreHealth, AutoDevDatabaseHealth<TContext>>());
        // Before every other hosted service: AutoDev's own ones (the Memento loop picks up pending work at start) need the tables.
        if (!services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(AutoDevDatabaseInitializer)))
        {
            var first = services.TakeWhile(d => d.ServiceType != typeof(IHostedService)).Count();
            services.Insert(first, ServiceDescriptor.Singleton<IHostedService, AutoDevDatabaseInitializer>());
        }
        return builder;
    }
}
