using AutoDev;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers AutoDev in a service collection.</summary>
public static class AutoDevServiceCollectionExtensions
{
    /// <summary>
    /// Adds AutoDev with its defaults: in-memory stores, the channel event bus, the capability gate, the fitness
    /// service and the episode recorder. Provider packages replace parts through the returned builder.
    /// </summary>
    /// <remarks>Safe to call more than once: defaults are added once, every <paramref name="configure"/> applies.</remarks>
    public static IAutoDevBuilder AddAutoDev(this IServiceCollection services, Action<AutoDevOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(AutoDevMarker)))
        {
            return new AutoDevBuilder(services);
        }

        services.AddSingleton<AutoDevMarker>();
        services.AddLogging();
        services.AddOptions<AutoDevOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AutoDevOptions>, AutoDevOptionsAnnotationsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AutoDevOptions>, AutoDevOptionsValidator>());
        services.AddOptions<FitnessOptions>();
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton<IEventBus, EventBus>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, EventBusWorker>());

        services.TryAddSingleton<IWorkspaceStore, InMemoryWorkspaceStore>();
        services.TryAddSingleton<IAgentProfileStore, InMemoryAgentProfileStore>();
        services.TryAddSingleton<IEpisodeStore, InMemoryEpisodeStore>();
        services.TryAddSingleton<ISkillCandidateStore, InMemorySkillCandidateStore>();
        services.TryAddSingleton<ISkillStore, InMemorySkillStore>();
        services.TryAddSingleton<IToolMutationStore, InMemoryToolMutationStore>();
        services.TryAddSingleton<IWorkflowVariantStore, InMemoryWorkflowVariantStore>();
        services.TryAddSingleton<ICapabilityUsageStore, InMemoryCapabilityUsageStore>();
        services.TryAddSingleton<IFitnessStore, InMemoryFitnessStore>();

        services.TryAddSingleton<ICapabilityGate, CapabilityGate>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFitnessFunction, ProxyFitnessFunction>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFitnessFunction, ExternalSignalFitnessFunction>());
        services.TryAddSingleton<IFitnessService, FitnessService>();
        services.AddOptions<SandboxOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ProcessSandbox>();
        services.TryAddSingleton<BubblewrapSandbox>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISandboxTier, ProcessSandbox>(sp => sp.GetRequiredService<ProcessSandbox>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISandboxTier, BubblewrapSandbox>(sp => sp.GetRequiredService<BubblewrapSandbox>()));
        services.TryAddSingleton<ISandbox, TieredSandbox>();
        services.TryAddSingleton<LearningEngineServices>();
        services.TryAddSingleton<IEpisodeRecorder, EpisodeRecorder>();

        return new AutoDevBuilder(services);
    }

    /// <summary>Adds AutoDev with options bound from the <c>AutoDev</c> section of <paramref name="configuration"/>, then <paramref name="configure"/>.</summary>
    public static IAutoDevBuilder AddAutoDev(this IServiceCollection services, IConfiguration configuration, Action<AutoDevOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddAutoDev();
        services.AddOptions<AutoDevOptions>().Bind(configuration.GetSection(AutoDevOptions.SectionName));
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return builder;
    }

    /// <summary>Marks a collection AutoDev's defaults were added to, so a second call adds nothing twice.</summary>
    private sealed class AutoDevMarker;

    private sealed class AutoDevBuilder(IServiceCollection services) : IAutoDevBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}

/// <summary>Extensions on <see cref="IAutoDevBuilder"/> for Core's own parts.</summary>
public static class AutoDevBuilderExtensions
{
    /// <summary>Adds a fitness function, weighted by <paramref name="weight"/> in the total score.</summary>
    /// <remarks>Adding the same type twice keeps one; the last weight given wins.</remarks>
    public static IAutoDevBuilder AddFitnessFunction<TFunction>(this IAutoDevBuilder builder, double weight = 1)
        where TFunction : class, IFitnessFunction
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IFitnessFunction, TFunction>());
        builder.Services.AddSingleton<IConfigureOptions<FitnessOptions>>(sp =>
        {
            var name = ActivatorUtilities.GetServiceOrCreateInstance<TFunction>(sp).Name;
            return new ConfigureOptions<FitnessOptions>(o => o.Weights[name] = weight);
        });
        return builder;
    }

    /// <summary>Adds a fitness function instance, weighted by <paramref name="weight"/>.</summary>
    public static IAutoDevBuilder AddFitnessFunction(this IAutoDevBuilder builder, IFitnessFunction function, double weight = 1)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(function);
        builder.Services.AddSingleton(function);
        builder.Services.Configure<FitnessOptions>(o => o.Weights[function.Name] = weight);
        return builder;
    }

    /// <summary>Sets the weight of a fitness function by name (for example the built-in <c>proxy</c> and <c>external</c>), and other fitness options.</summary>
    public static IAutoDevBuilder ConfigureFitness(this IAutoDevBuilder builder, Action<FitnessOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Configures the sandbox tiers of AutoDev.Core and tier selection.</summary>
    public static IAutoDevBuilder ConfigureSandbox(this IAutoDevBuilder builder, Action<SandboxOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Adds a sandbox tier of the host's own to automatic selection.</summary>
    public static IAutoDevBuilder AddSandboxTier<TTier>(this IAutoDevBuilder builder)
        where TTier : class, ISandboxTier
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<TTier>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ISandboxTier, TTier>(sp => sp.GetRequiredService<TTier>()));
        return builder;
    }

    /// <summary>Replaces the sandbox with <typeparamref name="TSandbox"/> (a test double or a tier of the host's own).</summary>
    public static IAutoDevBuilder UseSandbox<TSandbox>(this IAutoDevBuilder builder)
        where TSandbox : class, ISandbox
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<ISandbox, TSandbox>());
        return builder;
    }

    /// <summary>Replaces the sandbox with an instance.</summary>
    public static IAutoDevBuilder UseSandbox(this IAutoDevBuilder builder, ISandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(sandbox);
        builder.Services.Replace(ServiceDescriptor.Singleton(sandbox));
        return builder;
    }
}
