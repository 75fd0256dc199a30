namespace AutoDev.Tests.Learning.Evolution;

/// <summary>
/// A child a reviewer turned down (rejected, or promoted and then rolled back) settles its parent version's trigger:
/// the next slow run costs no model call, and an explicit retry shows the model what not to write again.
/// </summary>
public sealed class TurnedDownMutationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RolledBack_TheNextSlowRunOfTheParent_MakesNoModelCall()
    {
        await using var host = await StartAsync();
        var child = await PassedChildAsync(host);
        await host.Get<IReviewService>().ApproveMutationAsync(EvolutionHost.Tenant, child.Id, "ana", cancellationToken: Ct);
        await host.Get<ISkillRegistry>().RollbackAsync(EvolutionHost.Tenant, EvolutionHost.Skill, SemanticVersion.Initial, Ct);

        var decision = await host.Get<MutationTriggerDetector>().ObserveAsync(host.Execution(TimeSpan.FromSeconds(6)), Ct);

        Assert.Equal(EvolutionAction.TurnedDown, decision.Action);
        Assert.Equal(child.Id, decision.Mutation!.Id);
        Assert.Single(host.Chat.Calls);
        Assert.Single(await host.MutationsAsync());
    }

    [Fact]
    public async Task Rejected_TheNextSlowRunOfTheParent_MakesNoModelCall_ButAnotherTriggerDoes()
    {
        await using var host = await StartAsync();
        var child = await PassedChildAsync(host);
        await host.Get<IReviewService>().RejectMutationAsync(EvolutionHost.Tenant, child.Id, "ana", "changes the rounding", Ct);
        var evolution = host.Get<MutationTriggerDetector>();

        var slow = await evolution.ObserveAsync(host.Execution(TimeSpan.FromSeconds(6)), Ct);
        var failed = await evolution.ObserveAsync(host.Execution(success: false), Ct);

        Assert.Equal(EvolutionAction.TurnedDown, slow.Action);
        Assert.Equal(EvolutionAction.Generated, failed.Action);
        Assert.Equal(2, host.Chat.Calls.Count);
        var prompt = host.Chat.Calls[1].Messages[0].Text;
        Assert.Contains("rejected: changes the rounding", prompt, StringComparison.Ordinal);
        Assert.Contains("# speed: 4", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RolledBack_AnExplicitRetry_CallsTheModel_AndShowsWhatNotToWriteAgain()
    {
        await using var host = await StartAsync();
        var child = await PassedChildAsync(host);
        await host.Get<IReviewService>().ApproveMutationAsync(EvolutionHost.Tenant, child.Id, "ana", cancellationToken: Ct);
        await host.Get<ISkillRegistry>().RollbackAsync(EvolutionHost.Tenant, EvolutionHost.Skill, SemanticVersion.Initial, Ct);

        var retry = await host.Alpha.GenerateToolMutationAsync(
            new MutationRequest(EvolutionHost.Tenant, EvolutionHost.Agent, EvolutionHost.Skill, MutationTrigger.Latency) { RetryAfterTurnDown = true }, Ct);

        Assert.NotEqual(child.Id, retry.Id);
        Assert.Equal(ToolMutationStatus.Pending, retry.Status);
        Assert.Equal(2, host.Chat.Calls.Count);
        Assert.Contains("promoted, then rolled back", host.Chat.Calls[1].Messages[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promoted_AndStillActive_IsNotTurnedDown()
    {
        await using var host = await StartAsync();
        var child = await PassedChildAsync(host);
        await host.Get<IReviewService>().ApproveMutationAsync(EvolutionHost.Tenant, child.Id, "ana", cancellationToken: Ct);

        // The parent is an ancestor of the active version: asking again for it is a new question, not a repeat.
        var again = await host.GenerateAsync();

        Assert.NotEqual(child.Id, again.Id);
        Assert.Equal(2, host.Chat.Calls.Count);
        Assert.DoesNotContain("turned these earlier versions down", host.Chat.Calls[1].Messages[0].Text, StringComparison.Ordinal);
    }

    private static Task<EvolutionHost> StartAsync() =>
        EvolutionHost.StartAsync(answers: [TimedSandbox.Answer(4), TimedSandbox.Answer(3)], sandbox: new TimedSandbox(), code: TimedSandbox.Module(40));

    private static async Task<ToolMutation> PassedChildAsync(EvolutionHost host)
    {
        var generated = await host.GenerateAsync();
        var evaluated = await host.Alpha.SandboxExecuteMutationAsync(EvolutionHost.Tenant, generated.Id, Ct);
        Assert.True(evaluated.Status == ToolMutationStatus.Passed, evaluated.FailureReason);
        return evaluated;
    }
}
