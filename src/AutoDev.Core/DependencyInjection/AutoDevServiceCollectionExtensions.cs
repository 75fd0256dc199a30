using AutoDev;
using Microsoft.Extensions.AI;
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
        services.TryAddSingleton<IEpisodeStore>(sp => sp.GetService<IAgentProfileStore>() is InMemoryAgentProfileStore agents
            ? new InMemoryEpisodeStore(agents)
            : throw new InvalidOperationException("The in-memory episode store counts episodes in the in-memory agent profile store; a host that replaces IAgentProfileStore replaces IEpisodeStore too."));
        services.TryAddSingleton<ISkillCandidateStore, InMemorySkillCandidateStore>();
        services.TryAddSingleton<ISkillStore>(sp => new InMemorySkillStore(
            sp.GetService<ISkillCandidateStore>() as InMemorySkillCandidateStore,
            sp.GetService<IToolMutationStore>() as InMemoryToolMutationStore));
        services.TryAddSingleton<IToolMutationStore, InMemoryToolMutationStore>();
        services.TryAddSingleton<IAcceptanceCaseStore, InMemoryAcceptanceCaseStore>();
        services.TryAddSingleton<IWorkflowVariantStore, InMemoryWorkflowVariantStore>();
        services.TryAddSingleton<ICapabilityUsageStore, InMemoryCapabilityUsageStore>();
        services.TryAddSingleton<IFitnessStore, InMemoryFitnessStore>();
        services.TryAddSingleton<IChatCallStore, InMemoryChatCallStore>();

        services.TryAddSingleton<ICapabilityGate, CapabilityGate>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFitnessFunction, ProxyFitnessFunction>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFitnessFunction, ExternalSignalFitnessFunction>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFitnessFunction, LatencyFitnessFunction>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFitnessFunction, TokenFitnessFunction>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFitnessFunction, ReliabilityFitnessFunction>());
        services.TryAddSingleton<IFitnessService, FitnessService>();
        services.AddOptions<SandboxOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ProcessSandbox>();
        services.TryAddSingleton<BubblewrapSandbox>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISandboxTier, ProcessSandbox>(sp => sp.GetRequiredService<ProcessSandbox>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISandboxTier, BubblewrapSandbox>(sp => sp.GetRequiredService<BubblewrapSandbox>()));
        services.TryAddSingleton<ISandbox, TieredSandbox>();
        services.AddOptions<ChatResilienceOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChatResilienceOptions>, ChatResilienceOptionsValidator>());
        services.TryAddSingleton<ChatPipeline>();
        services.TryAddSingleton<IChatGateway, ChatGateway>();
        services.TryAddSingleton<WorkspaceUsage>();
        services.TryAddSingleton(sp => new TokenBudget(sp.GetRequiredService<IWorkspaceStore>(), sp.GetRequiredService<IChatCallStore>(), sp.GetRequiredService<TimeProvider>())
        {
            Observed = sp.GetService<WorkspaceUsage>(),
        });
        services.TryAddSingleton<GatedModelCall>();
        services.TryAddSingleton<IEpisodeRecorder, EpisodeRecorder>();

        services.AddOptions<PromptOptions>();
        services.TryAddSingleton<IPromptCatalog, PromptCatalog>();
        services.TryAddSingleton<ITaskSimilarity, LexicalTaskSimilarity>();
        services.TryAddSingleton<FailurePatternDetector>();
        services.TryAddSingleton<AcceptanceCases>();
        services.TryAddSingleton<MementoEngine>();
        services.TryAddSingleton<SkillPromoter>();
        services.TryAddSingleton<DelayedSignals>();
        services.TryAddSingleton<ResearchExperiments>();
        services.TryAddSingleton<WorkflowEvolver>();
        services.TryAddSingleton<IReviewService, ReviewService>();
        services.TryAddSingleton<ISkillRegistry>(sp => new SkillRegistry(
            sp.GetRequiredService<ISkillStore>(),
            sp.GetRequiredService<ISkillCandidateStore>(),
            sp.GetRequiredService<MementoEngine>(),
            sp.GetRequiredService<SkillPromoter>(),
            sp.GetRequiredService<IEventBus>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ISkillRunner, SkillRunner>();
        services.TryAddSingleton<MementoLoop>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MementoLoop>(sp => sp.GetRequiredService<MementoLoop>()));

        services.AddOptions<EvolutionOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EvolutionOptions>, EvolutionOptionsValidator>());
        services.TryAddSingleton<SkillInputRecorder>();
        services.TryAddSingleton<AlphaEvolverEngine>();
        services.TryAddSingleton<MutationTriggerDetector>();
        services.TryAddSingleton<EvolutionLoop>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, EvolutionLoop>(sp => sp.GetRequiredService<EvolutionLoop>()));
        services.TryAddSingleton<BackgroundEvolutionService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, BackgroundEvolutionService>(sp => sp.GetRequiredService<BackgroundEvolutionService>()));
        services.AddOptions<AdvisorOptions>();
        services.TryAddSingleton<IAdvisorService, AdvisorService>();

        return new AutoDevBuilder(services);
    }

    /// <summary>Adds AutoDev with options bound from the <c>AutoDev</c> section of <paramref name="configuration"/>, then <paramref name="configure"/>.</summary>
    public static IAutoDevBuilder AddAutoDev(this IServiceCollection services, IConfiguration configuration, Action<AutoDevOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddAutoDev();
        services.AddOptions<AutoDevOptions>().Bind(configuration.GetSection(AutoDevOptions.SectionName));
        services.AddOptions<ChatResilienceOptions>().Bind(configuration.GetSection($"{AutoDevOptions.SectionName}:Chat"));
        services.AddOptions<EvolutionOptions>().Bind(configuration.GetSection(EvolutionOptions.SectionName));
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

    /// <summary>Configures AlphaEvolver: triggers, measurement, research and the background schedule.</summary>
    public static IAutoDevBuilder ConfigureEvolution(this IAutoDevBuilder builder, Action<EvolutionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Registers the host's <see cref="IWorkflowEvaluator"/>, which scores each new workflow variant at once.</summary>
    public static IAutoDevBuilder AddWorkflowEvaluator<TEvaluator>(this IAutoDevBuilder builder)
        where TEvaluator : class, IWorkflowEvaluator
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IWorkflowEvaluator, TEvaluator>());
        return builder;
    }

    /// <summary>Sets the weight of a fitness function by name (for example the built-in <c>proxy</c> and <c>external</c>), and other fitness options.</summary>
    public static IAutoDevBuilder ConfigureFitness(this IAutoDevBuilder builder, Action<FitnessOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>
    /// Makes <paramref name="factory"/>'s client the one AutoDev's engines use (keyed
    /// <see cref="AutoDevChatClient.ServiceKey"/>, so a host's own <see cref="IChatClient"/> stays as it is;
    /// registered unkeyed as well when the host has none).
    /// </summary>
    public static IAutoDevBuilder UseChatClient(this IAutoDevBuilder builder, Func<IServiceProvider, IChatClient> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.RemoveAllKeyed<IChatClient>(AutoDevChatClient.ServiceKey);
        builder.Services.AddKeyedSingleton(AutoDevChatClient.ServiceKey, (sp, _) => factory(sp));
        builder.Services.TryAddSingleton(sp => sp.GetRequiredKeyedService<IChatClient>(AutoDevChatClient.ServiceKey));
        return builder;
    }

    /// <summary>Makes <paramref name="client"/> the one AutoDev's engines use; see <see cref="UseChatClient(IAutoDevBuilder, Func{IServiceProvider, IChatClient})"/>.</summary>
    public static IAutoDevBuilder UseChatClient(this IAutoDevBuilder builder, IChatClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return builder.UseChatClient(_ => client);
    }

    /// <summary>
    /// For LLM adapter packages: registers <typeparamref name="TOptions"/> filled from the provider's environment
    /// variables, then the <paramref name="section"/> configuration section, then <paramref name="configure"/>, and
    /// validated when the host starts.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="section">The configuration section, for example <c>AutoDev:OpenAI</c>.</param>
    /// <param name="variables">The endpoint, API key and model variables, for example <c>OPENAI_BASE_URL</c>, <c>OPENAI_API_KEY</c>, <c>OPENAI_MODEL</c>.</param>
    /// <param name="keyRequired">Whether given options need an API key (for example: no custom endpoint).</param>
    /// <param name="configure">The host's own settings, applied last.</param>
    public static IAutoDevBuilder AddChatClientOptions<TOptions>(
        this IAutoDevBuilder builder,
        string section,
        (string Endpoint, string ApiKey, string Model) variables,
        Func<TOptions, bool> keyRequired,
        Action<TOptions>? configure)
        where TOptions : LlmClientOptions
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(section);
        ArgumentNullException.ThrowIfNull(keyRequired);
        builder.Services.AddOptions<TOptions>()
            .Configure<IServiceProvider>((options, sp) =>
            {
                var configuration = sp.GetService<IConfiguration>();
                options.ApplyEnvironment(configuration, variables.Endpoint, variables.ApiKey, variables.Model);
                configuration?.GetSection(section).Bind(options);
            })
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new LlmOptionsValidator<TOptions>(section, keyRequired)));
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        return builder;
    }

    /// <summary>Overrides prompt templates, for every workspace or for one (<see cref="PromptOptions.Override"/>).</summary>
    public static IAutoDevBuilder ConfigurePrompts(this IAutoDevBuilder builder, Action<PromptOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Replaces how failures are grouped into patterns, for example with <see cref="EmbeddingTaskSimilarity"/>.</summary>
    public static IAutoDevBuilder UseTaskSimilarity<TSimilarity>(this IAutoDevBuilder builder)
        where TSimilarity : class, ITaskSimilarity
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<ITaskSimilarity, TSimilarity>());
        return builder;
    }

    /// <summary>
    /// Adds the host's own middleware to AutoDev's chat pipeline, between AutoDev's middleware (usage recording,
    /// resilience, OpenTelemetry, logging) and the chat client: for example a cache, a content filter or the host's own
    /// telemetry. Steps run in the order added.
    /// </summary>
    public static IAutoDevBuilder ConfigureChatPipeline(this IAutoDevBuilder builder, Action<ChatClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure<ChatPipelineOptions>(options => options.Steps.Add(configure));
        return builder;
    }

    /// <summary>Configures how chat calls are made resilient: time-out per attempt, retries, circuit breaker (also bound from <c>AutoDev:Chat</c>).</summary>
    public static IAutoDevBuilder ConfigureChat(this IAutoDevBuilder builder, Action<ChatResilienceOptions> configure)
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

/// <summary>Reports every problem of LLM adapter options, each in a sentence that says what to set.</summary>
internal sealed class LlmOptionsValidator<TOptions>(string section, Func<TOptions, bool> keyRequired) : IValidateOptions<TOptions>
    where TOptions : LlmClientOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var errors = options.Validate(section, keyRequired(options));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
