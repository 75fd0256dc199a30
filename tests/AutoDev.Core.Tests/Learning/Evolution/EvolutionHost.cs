using AutoDev.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AutoDev.Tests.Learning.Evolution;

/// <summary>
/// AutoDev with AlphaEvolver on inline events: the real sandbox (bubblewrap where it works, else the process tier,
/// opted in) unless a test passes a fake one, a scripted chat client, and the slow <c>process_invoice</c> skill at 1.0.0
/// (<see cref="SlowInvoiceSkill"/>, unless a test gives other code).
/// </summary>
internal sealed class EvolutionHost : IAsyncDisposable
{
    public const string Tenant = "acme";
    public const string Agent = "billing-agent";
    public const string Skill = "process_invoice";

    private EvolutionHost(ServiceProvider services, ScriptedChatClient chat, SkillVersion version)
    {
        Services = services;
        Chat = chat;
        Version = version;
    }

    public ServiceProvider Services { get; }

    public ScriptedChatClient Chat { get; }

    /// <summary>The skill's version 1.0.0.</summary>
    public SkillVersion Version { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public AlphaEvolverEngine Alpha => Get<AlphaEvolverEngine>();

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Starts a host whose chat client answers every mutation prompt with <paramref name="answers"/> in turn (the last one repeats).</summary>
    public static Task<EvolutionHost> StartAsync(
        WorkspaceSettings? settings = null,
        AgentMaturity maturity = AgentMaturity.Supervised,
        string[]? answers = null,
        ISandbox? sandbox = null,
        Action<EvolutionOptions>? evolution = null,
        Action<IServiceCollection>? configure = null,
        string? code = null,
        string tests = ScriptedAnswers.ProcessInvoiceTests)
    {
        answers ??= [ScriptedAnswers.ProcessInvoiceFast];
        var next = 0;
        var chat = new ScriptedChatClient((_, _, _) =>
            Task.FromResult(ScriptedChatClient.Text(answers[Math.Min(Interlocked.Increment(ref next) - 1, answers.Length - 1)])));
        return StartAsync(chat, settings, maturity, sandbox, evolution, configure, code, tests);
    }

    public static async Task<EvolutionHost> StartAsync(
        ScriptedChatClient chat,
        WorkspaceSettings? settings = null,
        AgentMaturity maturity = AgentMaturity.Supervised,
        ISandbox? sandbox = null,
        Action<EvolutionOptions>? evolution = null,
        Action<IServiceCollection>? configure = null,
        string? code = null,
        string tests = ScriptedAnswers.ProcessInvoiceTests)
    {
        code ??= SlowInvoiceSkill.Code;
        var services = new ServiceCollection();
        services.AddAutoDev(o => o.EventDispatchMode = EventDispatchMode.Inline)
            .UseChatClient(chat)
            .ConfigureChat(o => o.RetryBaseDelay = TimeSpan.Zero)
            .ConfigureSandbox(o => o.AllowProcessTierForUntrustedCode = true)
            .ConfigureEvolution(o => evolution?.Invoke(o));
        if (sandbox is not null)
        {
            services.Replace(ServiceDescriptor.Singleton(sandbox));
        }

        configure?.Invoke(services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        await provider.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync(Tenant, settings ?? new WorkspaceSettings { Enabled = true }, Ct);
        await provider.GetRequiredService<IAgentProfileStore>().AddAsync(new AgentProfile { TenantId = Tenant, AgentId = Agent, Maturity = maturity }, Ct);
        var skills = provider.GetRequiredService<ISkillStore>();
        SkillVersion version;
        if (await skills.FindByNameAsync(Tenant, Skill, Ct) is { ActiveVersionId: { } active })
        {
            version = (await skills.FindVersionAsync(Tenant, active, Ct))!; // a restart on shared stores
        }
        else
        {
            var skill = new Skill { TenantId = Tenant, Name = Skill, Description = "Totals an invoice." };
            version = new SkillVersion
            {
                TenantId = Tenant,
                SkillId = skill.Id,
                Version = SemanticVersion.Initial,
                Code = code,
                EntryPoint = Skill,
                TestCasesJson = SkillTests.Normalize(tests).Json ?? tests,
            };
            await skills.AddAsync(skill, version, Ct);
        }

        return new EvolutionHost(provider, chat, version);
    }

    /// <summary>A skill execution of the agent, as <see cref="ISkillRunner"/> would publish it.</summary>
    public SkillExecuted Execution(TimeSpan? duration = null, bool success = true, int retries = 0, long tokens = 0, string? agent = Agent) => new()
    {
        TenantId = Tenant,
        AgentId = agent,
        SkillId = Version.SkillId,
        SkillVersionId = Version.Id,
        SkillName = Skill,
        Duration = duration ?? TimeSpan.FromMilliseconds(20),
        Success = success,
        Retries = retries,
        TokensUsed = tokens,
        OccurredAt = TimeProvider.System.GetUtcNow(),
    };

    public Task<ToolMutation> GenerateAsync(MutationTrigger trigger = MutationTrigger.Latency) =>
        Alpha.GenerateToolMutationAsync(new MutationRequest(Tenant, Agent, Skill, trigger), Ct);

    public async Task<List<ToolMutation>> MutationsAsync() =>
        await Get<IToolMutationStore>().ListRecentAsync(Tenant, 1000, Ct).ToListAsync(Ct);

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}
