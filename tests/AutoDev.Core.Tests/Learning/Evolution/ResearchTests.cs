using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Tests.Learning.Evolution;

/// <summary>Research mode on controlled timings (a fake sandbox whose speeds come from the code), so every verdict is certain.</summary>
public sealed class ResearchTests
{
    private const string Tests = "[{\"inputs\":{\"invoice_id\":\"A\",\"items\":[]},\"expected\":1}]";

    private static readonly WorkspaceSettings Research = new() { Enabled = true, BackgroundEvolution = true };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<EvolutionHost> StartAsync(double[] speeds, WorkspaceSettings? settings = null, AgentMaturity maturity = AgentMaturity.Autonomous, string padding = "", Action<EvolutionOptions>? evolution = null) =>
        EvolutionHost.StartAsync(
            settings ?? Research,
            maturity,
            answers: [.. speeds.Select(s => TimedSandbox.Answer(s) + padding)],
            sandbox: new TimedSandbox(),
            code: TimedSandbox.Module(50),
            tests: Tests,
            evolution: evolution);

    private static double Speed(ToolMutation mutation) =>
        double.Parse(mutation.Code.Split('\n')[0]["# speed: ".Length..], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task EveryIteration_KeepsTheFitter_AndRecordsEveryChildInTheLineage()
    {
        // Two children per iteration; the champion starts as the skill at 50 ms.
        await using var host = await StartAsync([40, 60, 30, 45, 35, 32]);

        var report = await host.Get<ResearchExperiments>().RunAsync(new ResearchRequest(EvolutionHost.Tenant, EvolutionHost.Agent, EvolutionHost.Skill) { ChildrenPerIteration = 2 }, Ct);

        Assert.Equal(ResearchStopReason.Completed, report.StopReason);
        Assert.Equal(3, report.Steps.Count);
        var (first, second, third) = (report.Steps[0], report.Steps[1], report.Steps[2]);
        Assert.Null(first.ChampionId);
        var firstWinner = first.Children.Single(c => c.Id == first.WinnerId);
        var secondWinner = second.Children.Single(c => c.Id == second.WinnerId);
        Assert.Equal((40.0, 30.0), (Speed(firstWinner), Speed(secondWinner)));
        Assert.Equal(firstWinner.Id, second.ChampionId);
        Assert.Equal(secondWinner.Id, third.ChampionId);
        Assert.Null(third.WinnerId); // 35 and 32 are slower than the 30 ms champion
        Assert.All(third.Children, c => Assert.Equal(ToolMutationStatus.Failed, c.Status));
        Assert.All(second.Children.Concat(third.Children), c => Assert.NotNull(c.ParentMutationId));

        // The fitter wins at every step.
        Assert.True(secondWinner.FitnessScore > firstWinner.FitnessScore);
        Assert.True(firstWinner.FitnessScore > firstWinner.ParentFitnessScore);

        // Only the final champion waits for review; the one it superseded is closed with the reason.
        Assert.Equal(secondWinner.Id, report.Best!.Id);
        Assert.Equal(ToolMutationStatus.Passed, report.Best.Status);
        var superseded = await host.Get<IToolMutationStore>().FindAsync(EvolutionHost.Tenant, firstWinner.Id, Ct);
        Assert.Equal(ToolMutationStatus.Rejected, superseded!.Status);
        Assert.Contains("Superseded", superseded.ReviewReason, StringComparison.Ordinal);
        Assert.Equal([secondWinner.Id], await host.Get<IReviewService>().ListPendingMutationsAsync(EvolutionHost.Tenant, Ct).Select(m => m.Id).ToListAsync(Ct));

        // Lineage in one query: the champion's ancestors, and everything derived from the first winner.
        var lineage = await host.Get<IToolMutationStore>().GetLineageAsync(EvolutionHost.Tenant, firstWinner.Id, Ct);
        Assert.Empty(lineage.Ancestors);
        Assert.Equal(4, lineage.Descendants.Count);
        Assert.Equal([firstWinner.Id], (await host.Get<IToolMutationStore>().GetLineageAsync(EvolutionHost.Tenant, secondWinner.Id, Ct)).Ancestors.Select(m => m.Id));
        Assert.Equal(6, (await host.MutationsAsync()).Count);
    }

    [Fact]
    public async Task TheDefault_IsThreeIterations()
    {
        await using var host = await StartAsync([45]);

        var report = await host.Get<ResearchExperiments>().RunAsync(new ResearchRequest(EvolutionHost.Tenant, EvolutionHost.Agent, EvolutionHost.Skill) { ChildrenPerIteration = 1 }, Ct);

        Assert.Equal(3, report.Steps.Count);
        Assert.Equal(3, host.Chat.Calls.Count);
    }

    [Fact]
    public async Task ResearchStops_AtTheDailyMutationLimit()
    {
        await using var host = await StartAsync([40, 45, 30, 20], Research with { MaxMutationsPerDay = 3 });

        var report = await host.Get<ResearchExperiments>().RunAsync(new ResearchRequest(EvolutionHost.Tenant, EvolutionHost.Agent, EvolutionHost.Skill) { Iterations = 5, ChildrenPerIteration = 2 }, Ct);

        Assert.Equal(ResearchStopReason.DailyLimitReached, report.StopReason);
        Assert.Equal(2, report.Steps.Count);
        Assert.Single(report.Steps[1].Children);
        Assert.Equal(3, host.Chat.Calls.Count);
        Assert.Equal(3, (await host.MutationsAsync()).Count);
    }

    [Fact]
    public async Task ResearchStops_AtTheTokenBudget_WithoutGoingOver()
    {
        // Each answer costs about 760 tokens, and each call may cost its prompt plus 4,096: the budget of 10,000 holds
        // a few calls, then refuses the next one, and the day never ends over budget.
        await using var host = await StartAsync([40, 45, 50, 55, 60, 65, 70, 75], Research with { DailyTokenBudget = 10_000 }, padding: new string(' ', 3_000));

        var report = await host.Get<ResearchExperiments>().RunAsync(new ResearchRequest(EvolutionHost.Tenant, EvolutionHost.Agent, EvolutionHost.Skill) { Iterations = 4, ChildrenPerIteration = 2 }, Ct);

        Assert.Equal(ResearchStopReason.TokenBudgetExhausted, report.StopReason);
        Assert.InRange(host.Chat.Calls.Count, 2, 7);
        var used = await host.Get<IChatCallStore>().GetUsageAsync(EvolutionHost.Tenant, DateOnly.FromDateTime(host.Get<TimeProvider>().GetUtcNow().UtcDateTime), Ct);
        Assert.Equal(host.Chat.Calls.Count, used.Calls);
        Assert.InRange(used.TotalTokens, 760 * used.Calls, 10_000);
    }

    [Theory]
    [InlineData(AgentMaturity.Supervised, true)]
    [InlineData(AgentMaturity.Autonomous, false)]
    public async Task Research_NeedsAnAutonomousAgent_AndTheWorkspacesConsent(AgentMaturity maturity, bool backgroundEvolution)
    {
        await using var host = await StartAsync([40], Research with { BackgroundEvolution = backgroundEvolution }, maturity);

        await Assert.ThrowsAsync<CapabilityDeniedException>(() =>
            host.Get<ResearchExperiments>().RunAsync(new ResearchRequest(EvolutionHost.Tenant, EvolutionHost.Agent, EvolutionHost.Skill), Ct));
        Assert.Empty(host.Chat.Calls);
    }

    [Fact]
    public async Task BackgroundEvolution_ResearchesOnlyWorkspacesThatOptedIn_ForAutonomousAgents()
    {
        await using var host = await StartAsync([40, 45, 47]);
        await host.Get<IWorkspaceStore>().SaveSettingsAsync("quiet", new WorkspaceSettings { Enabled = true }, Ct);
        await host.Get<IAgentProfileStore>().AddAsync(new AgentProfile { TenantId = EvolutionHost.Tenant, AgentId = "junior", Maturity = AgentMaturity.Intern }, Ct);

        var reports = await host.Get<BackgroundEvolutionService>().RunOnceAsync(Ct);

        var report = Assert.Single(reports);
        Assert.Equal(ResearchStopReason.Completed, report.StopReason);
        Assert.All(await host.MutationsAsync(), m => Assert.Equal(EvolutionHost.Agent, m.AgentId));
    }

    [Fact]
    public async Task BackgroundEvolution_StopsCleanly_WithTheHost()
    {
        await using var host = await StartAsync([40], evolution: null);
        var service = host.Get<BackgroundEvolutionService>();

        await service.StartAsync(Ct);
        await service.StopAsync(Ct);

        // Done, and not faulted: it either never started its loop (stopped at once) or left it on the stop signal.
        var task = service.ExecuteTask!;
        Assert.True(task.IsCompleted);
        Assert.False(task.IsFaulted, task.Exception?.ToString());
    }
}
