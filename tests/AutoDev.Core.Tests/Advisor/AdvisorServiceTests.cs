using AutoDev.Testing;
using AutoDev.Tests.Learning.Evolution;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Tests.Advisor;

/// <summary>Each heuristic fires on its own data, and stays quiet without it.</summary>
public sealed class AdvisorServiceTests
{
    private const string Tenant = EvolutionHost.Tenant;
    private const string Agent = EvolutionHost.Agent;
    private const string NoAdvice = "```json\n[]\n```";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<EvolutionHost> StartAsync(WorkspaceSettings? settings = null, string answer = NoAdvice) =>
        EvolutionHost.StartAsync(settings, answers: [answer], sandbox: new TimedSandbox(), configure: null);

    private static async Task<AdvisorReport> AdviseAsync(EvolutionHost host) =>
        await host.Get<IAdvisorService>().GenerateGuidanceAsync(Tenant, Agent, Ct);

    [Fact]
    public async Task AQuietWorkspace_GetsNoHeuristicGuidance()
    {
        await using var host = await StartAsync();

        var report = await AdviseAsync(host);

        Assert.Empty(report.Items);
        Assert.Null(report.AiGuidanceProblem);
        Assert.Contains("Recent episodes: 0", host.Chat.Calls[0].Messages[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HighFailureRate_Fires_FromTheAgentsEpisodes()
    {
        await using var host = await StartAsync();
        for (var i = 0; i < 10; i++)
        {
            await host.Get<IEpisodeStore>().AddAsync(new Episode { TenantId = Tenant, AgentId = Agent, TaskDescription = $"task {i}", Success = i >= 6 }, Ct);
        }

        var item = Assert.Single((await AdviseAsync(host)).Items);

        Assert.Equal((GuidanceKinds.HighFailureRate, GuidanceSeverity.Warning, GuidanceSource.Heuristic), (item.Kind, item.Severity, item.Source));
        Assert.Contains("60", item.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FitnessPlateau_Fires_WhenTheLatestMutationsAllLost()
    {
        await using var host = await StartAsync();
        for (var i = 0; i < 5; i++)
        {
            await AddEvaluatedMutationAsync(host, childWins: false, MutationTrigger.Research);
        }

        var item = Assert.Single((await AdviseAsync(host)).Items);

        Assert.Equal(GuidanceKinds.FitnessPlateau, item.Kind);
        Assert.Contains("last 5", item.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FitnessPlateau_StaysQuiet_WhenOneOfTheLatestWon()
    {
        await using var host = await StartAsync();
        for (var i = 0; i < 4; i++)
        {
            await AddEvaluatedMutationAsync(host, childWins: false, MutationTrigger.Research);
        }

        await AddEvaluatedMutationAsync(host, childWins: true, MutationTrigger.Research, status: ToolMutationStatus.Rejected);

        Assert.DoesNotContain((await AdviseAsync(host)).Items, i => i.Kind == GuidanceKinds.FitnessPlateau);
    }

    [Fact]
    public async Task RegressionAfterPromotion_Fires_WhenTheActiveVersionScoresBelowItsParent()
    {
        await using var host = await StartAsync();
        var skills = host.Get<ISkillStore>();
        var next = await skills.AddVersionAsync(host.Version with { Id = Guid.NewGuid(), Version = new SemanticVersion(1, 1, 0), ParentVersionId = host.Version.Id }, activate: true, Ct);
        var fitness = host.Get<IFitnessService>();
        await fitness.RecordSignalsAsync(Tenant, host.Version.Id, FitnessSubjectKind.SkillVersion, [new(FitnessSignalNames.Approved), new(FitnessSignalNames.InvoiceCreated)], Ct);
        await fitness.RecordSignalsAsync(Tenant, next.Id, FitnessSubjectKind.SkillVersion, [new(FitnessSignalNames.Approved), new(FitnessSignalNames.Bounce, DeliveryId: "b1")], Ct);

        var item = Assert.Single((await AdviseAsync(host)).Items);

        Assert.Equal(GuidanceKinds.RegressionAfterPromotion, item.Kind);
        Assert.Contains("RollbackAsync(\"process_invoice\", 1.0.0)", item.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReviewBacklog_Fires_WhenFiveItemsWait()
    {
        await using var host = await StartAsync();
        for (var i = 0; i < 5; i++)
        {
            await AddEvaluatedMutationAsync(host, childWins: true, (MutationTrigger)(i % 4), status: ToolMutationStatus.Passed, parent: Guid.NewGuid());
        }

        var report = await AdviseAsync(host);

        var item = Assert.Single(report.Items, i => i.Kind == GuidanceKinds.ReviewBacklog);
        Assert.StartsWith("5 item(s)", item.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LimitReached_Fires_WhenTheDailyMutationLimitIsUsedUp()
    {
        await using var host = await StartAsync(new WorkspaceSettings { Enabled = true, MaxMutationsPerDay = 1 });
        await host.Get<ICapabilityGate>().RecordUsageAsync(Tenant, Agent, CapabilityNames.AlphaEvolver, Ct);

        var item = Assert.Single((await AdviseAsync(host)).Items);

        Assert.Equal(GuidanceKinds.LimitReached, item.Kind);
        Assert.Contains("max_mutations_per_day", item.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenBudget_IsCritical_WhenSpent_AndThenNoModelIsAsked()
    {
        await using var host = await StartAsync(new WorkspaceSettings { Enabled = true, DailyTokenBudget = 1_000 });
        await host.Get<IChatCallStore>().AddAsync(new ChatCallRecord { TenantId = Tenant, Purpose = "earlier", StartedAt = TimeProvider.System.GetUtcNow(), TotalTokens = 1_200, Succeeded = true }, Ct);

        var report = await AdviseAsync(host);

        var item = Assert.Single(report.Items);
        Assert.Equal((GuidanceKinds.TokenBudget, GuidanceSeverity.Critical), (item.Kind, item.Severity));
        Assert.Equal("The daily token budget is spent.", report.AiGuidanceProblem);
        Assert.Empty(host.Chat.Calls);
    }

    [Fact]
    public async Task AiGuidance_ComesAsStructuredItems()
    {
        await using var host = await StartAsync(answer: "```json\n[{\"severity\": \"warning\", \"title\": \"Record inputs\", \"detail\": \"Set RecordInputs so mutations replay real invoices.\"}]\n```");

        var report = await AdviseAsync(host);

        var item = Assert.Single(report.Items);
        Assert.Equal((GuidanceKinds.Ai, GuidanceSeverity.Warning, GuidanceSource.Ai, "Record inputs"), (item.Kind, item.Severity, item.Source, item.Title));
    }

    [Fact]
    public async Task BrokenAiGuidance_IsReported_AndTheHeuristicsStillCome()
    {
        await using var host = await StartAsync(new WorkspaceSettings { Enabled = true, MaxMutationsPerDay = 1 }, answer: "Everything looks fine to me!");
        await host.Get<ICapabilityGate>().RecordUsageAsync(Tenant, Agent, CapabilityNames.AlphaEvolver, Ct);

        var report = await AdviseAsync(host);

        Assert.Single(report.Items, i => i.Kind == GuidanceKinds.LimitReached);
        Assert.NotNull(report.AiGuidanceProblem);
    }

    [Fact]
    public async Task AnUnknownAgent_IsATypedError()
    {
        await using var host = await StartAsync();

        await Assert.ThrowsAsync<EntityNotFoundException>(() => host.Get<IAdvisorService>().GenerateGuidanceAsync(Tenant, "nobody", Ct));
        await Assert.ThrowsAsync<EntityNotFoundException>(() => host.Get<IAdvisorService>().GenerateGuidanceAsync("other-tenant", Agent, Ct));
    }

    private static async Task AddEvaluatedMutationAsync(EvolutionHost host, bool childWins, MutationTrigger trigger, ToolMutationStatus? status = null, Guid? parent = null)
    {
        var store = host.Get<IToolMutationStore>();
        var added = (await store.AddAsync(new ToolMutation
        {
            TenantId = Tenant,
            SkillId = host.Version.SkillId,
            ParentVersionId = parent ?? host.Version.Id,
            Trigger = trigger,
            AgentId = Agent,
            Code = "def process_invoice(invoice_id, items):\n    return {}\n",
            CreatedAt = TimeProvider.System.GetUtcNow(),
            UpdatedAt = TimeProvider.System.GetUtcNow(),
        }, Ct)).Entity;
        var measured = new VariantMeasurement { Fitness = 0.9 };
        var evaluated = await store.UpdateAsync(added with
        {
            Status = childWins ? ToolMutationStatus.Passed : ToolMutationStatus.Failed,
            Evaluation = new MutationEvaluation { Parent = measured, Child = measured, ChildWins = childWins },
            ParentFitnessScore = 0.9,
        }, Ct);
        if (status is { } final && final != evaluated.Status)
        {
            await store.UpdateAsync(evaluated with { Status = final }, Ct);
        }
    }
}
