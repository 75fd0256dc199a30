using AutoDev.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AutoDev.Tests.Learning.Memento;

/// <summary>
/// AutoDev with the Memento loop running on inline events, the real sandbox (bubblewrap where it works, else the
/// process tier, opted in), a scripted chat client, and stores that can outlive the host (to play a restart).
/// </summary>
internal sealed class MementoHost : IAsyncDisposable
{
    public const string Tenant = "acme";
    public const string Agent = "invoice-agent";
    public const string TaskText = "Extract invoice ID from customer emails";

    public const string GoodAnswer = ScriptedAnswers.ExtractInvoiceId;

    private MementoHost(ServiceProvider services, ScriptedChatClient chat)
    {
        Services = services;
        Chat = chat;
    }

    public ServiceProvider Services { get; }

    public ScriptedChatClient Chat { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Starts a host. Pass <paramref name="stores"/> from an earlier host to play a restart on the same data.</summary>
    public static async Task<MementoHost> StartAsync(
        WorkspaceSettings? settings = null,
        AgentMaturity maturity = AgentMaturity.Intern,
        Func<IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>>? answer = null,
        Stores? stores = null,
        Action<IServiceCollection>? configure = null)
    {
        var chat = new ScriptedChatClient(answer ?? ((_, _, _) => Task.FromResult(ScriptedChatClient.Text(GoodAnswer))));
        var services = new ServiceCollection();
        services.AddAutoDev(o => o.EventDispatchMode = EventDispatchMode.Inline)
            .UseChatClient(chat)
            .ConfigureChat(o => o.RetryBaseDelay = TimeSpan.Zero)
            .ConfigureSandbox(o => o.AllowProcessTierForUntrustedCode = true);
        stores ??= new Stores();
        stores.Register(services);
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        var host = new MementoHost(provider, chat);
        await host.Get<IWorkspaceStore>().SaveSettingsAsync(Tenant, settings ?? new WorkspaceSettings { Enabled = true }, Ct);
        if (await host.Get<IAgentProfileStore>().FindAsync(Tenant, Agent, Ct) is null)
        {
            await host.Get<IAgentProfileStore>().AddAsync(new AgentProfile { TenantId = Tenant, AgentId = Agent, Maturity = maturity }, Ct);
        }

        await host.Get<MementoLoop>().StartAsync(Ct);
        await host.Get<MementoLoop>().Recovery.WaitAsync(TimeSpan.FromMinutes(2), Ct);
        return host;
    }

    /// <summary>Records a failure of the agent (through the real episode recorder, so the loop reacts).</summary>
    public async Task<Episode> FailAsync(string task = TaskText, string email = "Hi, invoice INV-2024-0042 is wrong", string agent = Agent, TestCase? resolution = null)
    {
        var recorded = await Get<IEpisodeRecorder>().RecordAsync(new Episode
        {
            TenantId = Tenant,
            AgentId = agent,
            TaskDescription = task,
            Success = false,
            ErrorTrace = "KeyError: 'invoice_id'",
            ContextJson = System.Text.Json.JsonSerializer.Serialize(new { text = email }),
            ToolsAttempted = ["email.read"],
            Resolution = resolution,
        }, Ct);
        return recorded.Episode;
    }

    public async Task<List<SkillCandidate>> CandidatesAsync(params SkillCandidateStatus[] statuses)
    {
        var all = new List<SkillCandidate>();
        foreach (var status in statuses.Length == 0 ? Enum.GetValues<SkillCandidateStatus>() : statuses)
        {
            all.AddRange(await Get<ISkillCandidateStore>().ListByStatusAsync(Tenant, status, Ct).ToListAsync(Ct));
        }

        return all;
    }

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();

    /// <summary>Store instances that survive a host, like a database does.</summary>
    internal sealed class Stores
    {
        private readonly InMemoryAgentProfileStore _agents = new();
        private readonly InMemoryEpisodeStore _episodes;
        private readonly InMemorySkillCandidateStore _candidates = new();
        private readonly InMemorySkillStore _skills;
        private readonly InMemoryCapabilityUsageStore _usage = new();
        private readonly InMemoryChatCallStore _calls = new();

        public Stores()
        {
            _episodes = new InMemoryEpisodeStore(_agents);
            _skills = new InMemorySkillStore(_candidates, null);
        }

        public void Register(IServiceCollection services)
        {
            services.Replace(ServiceDescriptor.Singleton<IEpisodeStore>(_episodes));
            services.Replace(ServiceDescriptor.Singleton<ISkillCandidateStore>(_candidates));
            services.Replace(ServiceDescriptor.Singleton<ISkillStore>(_skills));
            services.Replace(ServiceDescriptor.Singleton<IAgentProfileStore>(_agents));
            services.Replace(ServiceDescriptor.Singleton<ICapabilityUsageStore>(_usage));
            services.Replace(ServiceDescriptor.Singleton<IChatCallStore>(_calls));
        }
    }
}
