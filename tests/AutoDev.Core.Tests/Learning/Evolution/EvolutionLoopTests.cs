using AutoDev.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AutoDev.Tests.Learning.Evolution;

/// <summary>The loop from skill executions to mutations: gates before any model call, one open mutation per version and trigger, restarts.</summary>
public sealed class EvolutionLoopTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ASlowExecution_ThroughTheRunner_EndsInAPassedMutation()
    {
        // Latency threshold low enough that the real linear search crosses it; inputs recorded with the host's consent.
        await using var host = await EvolutionHost.StartAsync(evolution: o => o.LatencyThreshold = TimeSpan.FromMilliseconds(1));
        await host.Get<EvolutionLoop>().StartAsync(Ct);
        await host.Get<EvolutionLoop>().Recovery.WaitAsync(TimeSpan.FromMinutes(2), Ct);

        var run = await host.Get<ISkillRunner>().RunAsync(new SkillRunRequest
        {
            TenantId = EvolutionHost.Tenant,
            SkillName = EvolutionHost.Skill,
            AgentId = EvolutionHost.Agent,
            InputsJson = "{\"invoice_id\":\"INV-2024-0700\",\"items\":[[\"SKU-19000\",1]]}",
            RecordInputs = true,
        }, Ct);

        Assert.True(run.Result.Succeeded);
        var mutation = Assert.Single(await host.MutationsAsync());
        Assert.Equal(MutationTrigger.Latency, mutation.Trigger);
        Assert.True(ToolMutationStatus.Passed == mutation.Status, mutation.FailureReason);
        Assert.Contains("INV-2024-0700", mutation.EvaluationInputs[0], StringComparison.Ordinal);
        Assert.Contains("reduce execution time", host.Chat.Calls[0].Messages[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepeatedSlowExecutions_CostOneModelCall()
    {
        await using var host = await EvolutionHost.StartAsync(sandbox: new TimedSandbox());
        var evolution = host.Get<MutationTriggerDetector>();

        var first = await evolution.ObserveAsync(host.Execution(TimeSpan.FromSeconds(6)), Ct);
        var second = await evolution.ObserveAsync(host.Execution(TimeSpan.FromSeconds(7)), Ct);
        var fast = await evolution.ObserveAsync(host.Execution(TimeSpan.FromSeconds(1)), Ct);

        Assert.Equal(EvolutionAction.Generated, first.Action);
        Assert.Equal(EvolutionAction.AlreadyOpen, second.Action);
        Assert.Equal(first.Mutation!.Id, second.Mutation!.Id);
        Assert.Equal(EvolutionAction.None, fast.Action);
        Assert.Single(host.Chat.Calls);
    }

    public static TheoryData<string, AgentMaturity, WorkspaceSettings> Refusals => new()
    {
        { "student", AgentMaturity.Student, new WorkspaceSettings { Enabled = true } },
        { "intern", AgentMaturity.Intern, new WorkspaceSettings { Enabled = true } },
        { "workspace off", AgentMaturity.Supervised, new WorkspaceSettings { Enabled = false } },
        { "alpha_evolver off", AgentMaturity.Autonomous, new WorkspaceSettings { Enabled = true, AlphaEvolver = false } },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task TheGate_RefusesBeforeAnyModelCall(string because, AgentMaturity maturity, WorkspaceSettings settings)
    {
        await using var host = await EvolutionHost.StartAsync(settings, maturity, sandbox: new TimedSandbox());

        var decision = await host.Get<MutationTriggerDetector>().ObserveAsync(host.Execution(TimeSpan.FromSeconds(6)), Ct);

        Assert.True(EvolutionAction.Refused == decision.Action, because);
        Assert.Contains("refused", decision.Reason, StringComparison.Ordinal);
        Assert.Empty(host.Chat.Calls);
        Assert.Empty(await host.MutationsAsync());
        await Assert.ThrowsAsync<CapabilityDeniedException>(() => host.GenerateAsync());
    }

    [Fact]
    public async Task TheDailyMutationLimit_IsPerWorkspace_AndRefusesBeforeAnyModelCall()
    {
        await using var host = await EvolutionHost.StartAsync(new WorkspaceSettings { Enabled = true, MaxMutationsPerDay = 2 }, sandbox: new TimedSandbox());
        await host.Get<IAgentProfileStore>().AddAsync(new AgentProfile { TenantId = EvolutionHost.Tenant, AgentId = "second-agent", Maturity = AgentMaturity.Supervised }, Ct);
        var evolution = host.Get<MutationTriggerDetector>();

        var latency = await evolution.ObserveAsync(host.Execution(TimeSpan.FromSeconds(6)), Ct);
        var tokens = await evolution.ObserveAsync(host.Execution(tokens: 9_000, agent: "second-agent"), Ct);
        var failure = await evolution.ObserveAsync(host.Execution(success: false), Ct);

        Assert.Equal((EvolutionAction.Generated, EvolutionAction.Generated, EvolutionAction.Refused), (latency.Action, tokens.Action, failure.Action));
        Assert.Contains("daily limit of 2", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(2, host.Chat.Calls.Count);
        await Assert.ThrowsAsync<LimitExceededException>(() => host.GenerateAsync(MutationTrigger.Retries));
    }

    [Fact]
    public async Task AnExecutionWithoutAnAgent_IsRefused_WithTheReason()
    {
        await using var host = await EvolutionHost.StartAsync(sandbox: new TimedSandbox());

        var decision = await host.Get<MutationTriggerDetector>().ObserveAsync(host.Execution(TimeSpan.FromSeconds(6), agent: null), Ct);

        Assert.Equal(EvolutionAction.Refused, decision.Action);
        Assert.Contains("no agent", decision.Reason, StringComparison.Ordinal);
        Assert.Empty(host.Chat.Calls);
    }

    [Fact]
    public async Task ASpentTokenBudget_IsAClearRefusal_BeforeAnyModelCall()
    {
        await using var host = await EvolutionHost.StartAsync(new WorkspaceSettings { Enabled = true, DailyTokenBudget = 1_000 }, sandbox: new TimedSandbox());
        await host.Get<IChatCallStore>().AddAsync(new ChatCallRecord
        {
            TenantId = EvolutionHost.Tenant,
            Purpose = "earlier work",
            StartedAt = TimeProvider.System.GetUtcNow(),
            InputTokens = 700,
            OutputTokens = 300,
            TotalTokens = 1_000,
            Succeeded = true,
        }, Ct);

        var refusal = await Assert.ThrowsAsync<TokenBudgetExceededException>(() => host.GenerateAsync());
        var decision = await host.Get<MutationTriggerDetector>().ObserveAsync(host.Execution(TimeSpan.FromSeconds(6)), Ct);

        Assert.Equal((1_000L, 1_000L), (refusal.Budget, refusal.Used));
        Assert.Contains("daily_token_budget", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(EvolutionAction.Refused, decision.Action);
        Assert.Empty(host.Chat.Calls);
    }

    [Fact]
    public async Task TheBudget_CountsTheTokensOfMutationCalls_AndRefusesACallItCannotHold()
    {
        // One answer costs about 2,000 tokens; a call's bound is its prompt plus MaxOutputTokens (4,096), so after
        // the first call the 8,000-token budget cannot hold a second one.
        await using var host = await EvolutionHost.StartAsync(new WorkspaceSettings { Enabled = true, DailyTokenBudget = 8_000 }, sandbox: new TimedSandbox(), answers: [TimedSandbox.Answer(10) + new string(' ', 8_000)]);

        var first = await host.GenerateAsync(MutationTrigger.Latency);
        var second = await Assert.ThrowsAsync<TokenBudgetExceededException>(() => host.GenerateAsync(MutationTrigger.Tokens));

        Assert.True(first.GenerationTokens > 2_000);
        Assert.Equal(first.GenerationTokens, second.Used);
        Assert.True(second.Bound > second.Budget - second.Used);
        Assert.True(second.Bound > ChatResilienceOptions.DefaultMaxOutputTokens);
        Assert.Single(host.Chat.Calls);
    }

    [Fact]
    public async Task AMutationWaitingForTheSandbox_IsPickedUpAfterARestart_Once()
    {
        var mutations = new InMemoryToolMutationStore();
        var skills = new InMemorySkillStore(null, mutations);
        var workspaces = new InMemoryWorkspaceStore(Microsoft.Extensions.Options.Options.Create(new AutoDevOptions()));
        void Shared(IServiceCollection services)
        {
            services.Replace(ServiceDescriptor.Singleton<IToolMutationStore>(mutations));
            services.Replace(ServiceDescriptor.Singleton<ISkillStore>(skills));
            services.Replace(ServiceDescriptor.Singleton<IWorkspaceStore>(workspaces));
        }

        Guid pendingId;
        await using (var before = await EvolutionHost.StartAsync(configure: Shared))
        {
            // Generated, then the host stops before the sandbox runs it.
            pendingId = (await before.GenerateAsync()).Id;
        }

        await using var after = await EvolutionHost.StartAsync(configure: Shared);
        await after.Get<EvolutionLoop>().StartAsync(Ct);
        await after.Get<EvolutionLoop>().Recovery.WaitAsync(TimeSpan.FromMinutes(2), Ct);
        await after.Get<EvolutionLoop>().RecoverAsync(Ct);

        var recovered = await mutations.FindAsync(EvolutionHost.Tenant, pendingId, Ct);
        Assert.True(ToolMutationStatus.Passed == recovered!.Status, recovered.FailureReason);
        Assert.Empty(after.Chat.Calls);
        Assert.Single(await mutations.ListRecentAsync(EvolutionHost.Tenant, 10, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task WithChannelDispatch_AnEvaluationInTheSandbox_DoesNotHoldUpOtherEvents()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sandbox = new GatedSandbox(new TimedSandbox(), release.Task);
        await using var host = await EvolutionHost.StartAsync(
            sandbox: sandbox,
            answers: [TimedSandbox.Answer(10)],
            code: TimedSandbox.Module(50),
            tests: "[{\"inputs\":{},\"expected\":1}]",
            configure: s => s.Configure<AutoDevOptions>(o => o.EventDispatchMode = EventDispatchMode.Channel));
        var loop = host.Get<EvolutionLoop>();
        await loop.StartAsync(Ct);
        await loop.Recovery.WaitAsync(TimeSpan.FromMinutes(2), Ct);
        var bus = host.Get<IEventBus>();
        var other = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = bus.Subscribe<TaskSucceeded>((_, _) =>
        {
            other.TrySetResult();
            return ValueTask.CompletedTask;
        });
        var evaluatedEvent = new TaskCompletionSource<ToolMutationEvaluated>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onEvaluated = bus.Subscribe<ToolMutationEvaluated>((e, _) =>
        {
            evaluatedEvent.TrySetResult(e);
            return ValueTask.CompletedTask;
        });

        await bus.PublishAsync(host.Execution(TimeSpan.FromSeconds(6)), Ct);
        await sandbox.Entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await bus.PublishAsync(new TaskSucceeded { TenantId = EvolutionHost.Tenant, AgentId = EvolutionHost.Agent, EpisodeId = Guid.NewGuid(), TaskDescription = "next" }, Ct);
        await other.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // The other event was handled while the mutation still waited in the sandbox.
        var waiting = Assert.Single(await host.MutationsAsync());
        Assert.Equal(ToolMutationStatus.Pending, waiting.Status);

        release.SetResult();
        var evaluated = await evaluatedEvent.Task.WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.Equal(waiting.Id, evaluated.Mutation.Id);
        Assert.Equal(ToolMutationStatus.Passed, evaluated.Mutation.Status);
        Assert.Equal(ToolMutationStatus.Passed, (await host.Get<IToolMutationStore>().FindAsync(EvolutionHost.Tenant, waiting.Id, Ct))!.Status);
        await loop.StopAsync(Ct);
    }

    /// <summary>Holds every sandbox call until released, and says when the first one arrived.</summary>
    private sealed class GatedSandbox(ISandbox inner, Task release) : ISandbox
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public string Tier => inner.Tier;

        public async Task<SandboxResult> ExecuteAsync(SandboxRequest request, CancellationToken cancellationToken)
        {
            _entered.TrySetResult();
            await release.WaitAsync(cancellationToken);
            return await inner.ExecuteAsync(request, cancellationToken);
        }
    }
}
