using AutoDev.Testing;
using AutoDev.Tests.Learning.Evolution;
using AutoDev.Tests.Learning.Memento;
using Microsoft.Extensions.AI;

namespace AutoDev.Tests.Learning;

/// <summary>
/// A proposal is claimed before its model call: a second attempt at the same pattern (or parent version and trigger)
/// makes no call, a cancelled call frees the pattern, and a claim left by a stopped instance is taken over after the lease.
/// The race of two processes on one database is in the EF tests (<c>ConcurrencyTests</c>).
/// </summary>
public sealed class ProposalClaimTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Candidate_ASecondAttemptDuringTheModelCall_MakesNoCallAndGetsTheClaim()
    {
        var model = new HeldModel(ScriptedAnswers.ExtractInvoiceId);
        await using var host = await MementoHost.StartAsync(answer: model.AnswerAsync);
        var episode = await host.FailAsync();
        var engine = host.Get<MementoEngine>();

        var first = engine.GenerateSkillCandidateAsync(MementoHost.Tenant, MementoHost.Agent, episode.Id, Ct);
        await model.Called.Task.WaitAsync(Wait, Ct);
        var second = await engine.GenerateSkillCandidateAsync(MementoHost.Tenant, MementoHost.Agent, episode.Id, Ct);
        model.Release.SetResult();
        var winner = await first.WaitAsync(Wait, Ct);

        Assert.Equal(SkillCandidateStatus.Generating, second.Status);
        Assert.Equal(winner.Id, second.Id);
        Assert.Equal(SkillCandidateStatus.Pending, winner.Status);
        Assert.Equal(1, model.Calls);
        Assert.Single(await host.CandidatesAsync());
        Assert.Equal(1, await UsedTodayAsync(host.Get<ICapabilityUsageStore>(), MementoHost.Tenant, CapabilityNames.MementoSkills, MementoHost.Agent));
    }

    [Fact]
    public async Task Candidate_CancelledDuringTheModelCall_IsFailedWithTheReason_AndThePatternIsFreeAtOnce()
    {
        var model = new HeldModel(ScriptedAnswers.ExtractInvoiceId);
        await using var host = await MementoHost.StartAsync(answer: model.AnswerAsync);
        var episode = await host.FailAsync();
        var engine = host.Get<MementoEngine>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var attempt = engine.GenerateSkillCandidateAsync(MementoHost.Tenant, MementoHost.Agent, episode.Id, stop.Token);
        await model.Called.Task.WaitAsync(Wait, Ct);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => attempt.WaitAsync(Wait, Ct));

        var abandoned = Assert.Single(await host.CandidatesAsync());
        Assert.Equal(SkillCandidateStatus.Failed, abandoned.Status);
        Assert.Contains("cancelled", abandoned.FailureReason, StringComparison.Ordinal);
        Assert.Equal(0, await UsedTodayAsync(host.Get<ICapabilityUsageStore>(), MementoHost.Tenant, CapabilityNames.MementoSkills, MementoHost.Agent));

        model.Release.SetResult();
        var next = await engine.GenerateSkillCandidateAsync(MementoHost.Tenant, MementoHost.Agent, episode.Id, Ct);
        Assert.Equal(SkillCandidateStatus.Pending, next.Status);
        Assert.NotEqual(abandoned.Id, next.Id);
        Assert.Equal(2, model.Calls);
    }

    [Theory]
    [InlineData(16, true)]
    [InlineData(14, false)]
    public async Task Candidate_AClaimLeftByAStoppedInstance_IsTakenOverOnlyAfterTheLease(int minutesOld, bool takenOver)
    {
        var model = new HeldModel(ScriptedAnswers.ExtractInvoiceId);
        model.Release.SetResult();
        await using var host = await MementoHost.StartAsync(answer: model.AnswerAsync);
        var episode = await host.FailAsync();
        var claimedAt = TimeProvider.System.GetUtcNow().AddMinutes(-minutesOld);
        var left = (await host.Get<ISkillCandidateStore>().AddAsync(new SkillCandidate
        {
            TenantId = MementoHost.Tenant,
            AgentId = MementoHost.Agent,
            Name = "extract_invoice_id",
            EntryPoint = "extract_invoice_id",
            PatternKey = "extract invoice id",
            Status = SkillCandidateStatus.Generating,
            CreatedAt = claimedAt,
            UpdatedAt = claimedAt,
        }, Ct)).Entity;

        var result = await host.Get<MementoEngine>().GenerateSkillCandidateAsync(
            new MementoRequest(MementoHost.Tenant, MementoHost.Agent, episode.Id) { PatternKey = "extract invoice id" }, Ct);

        var before = await host.Get<ISkillCandidateStore>().FindAsync(MementoHost.Tenant, left.Id, Ct);
        if (takenOver)
        {
            Assert.Equal(SkillCandidateStatus.Failed, before!.Status);
            Assert.Contains("stopped", before.FailureReason, StringComparison.Ordinal);
            Assert.NotEqual(left.Id, result.Id);
            Assert.Equal(SkillCandidateStatus.Pending, result.Status);
            Assert.Equal(1, model.Calls);
        }
        else
        {
            Assert.Equal(SkillCandidateStatus.Generating, before!.Status);
            Assert.Equal(left.Id, result.Id);
            Assert.Equal(0, model.Calls);
        }
    }

    [Fact]
    public async Task Mutation_ASecondAttemptDuringTheModelCall_MakesNoCallAndGetsTheClaim()
    {
        var model = new HeldModel(ScriptedAnswers.ProcessInvoiceFast);
        await using var host = await EvolutionHost.StartAsync(new ScriptedChatClient(model.AnswerAsync));

        var first = host.GenerateAsync();
        await model.Called.Task.WaitAsync(Wait, Ct);
        var second = await host.GenerateAsync();
        model.Release.SetResult();
        var winner = await first.WaitAsync(Wait, Ct);

        Assert.Equal(ToolMutationStatus.Generating, second.Status);
        Assert.Equal(winner.Id, second.Id);
        Assert.Equal(ToolMutationStatus.Pending, winner.Status);
        Assert.True(winner.GenerationTokens > 0);
        Assert.Equal(1, model.Calls);
        Assert.Single(await host.MutationsAsync());
    }

    [Fact]
    public async Task Mutation_CancelledDuringTheModelCall_ClosesTheClaim()
    {
        var model = new HeldModel(ScriptedAnswers.ProcessInvoiceFast);
        await using var host = await EvolutionHost.StartAsync(new ScriptedChatClient(model.AnswerAsync));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var attempt = host.Alpha.GenerateToolMutationAsync(new MutationRequest(EvolutionHost.Tenant, EvolutionHost.Agent, EvolutionHost.Skill, MutationTrigger.Latency), stop.Token);
        await model.Called.Task.WaitAsync(Wait, Ct);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => attempt.WaitAsync(Wait, Ct));

        var closed = Assert.Single(await host.MutationsAsync());
        Assert.Equal(ToolMutationStatus.Failed, closed.Status);
        Assert.False(closed.IsOpen);
        Assert.Null(await host.Get<IToolMutationStore>().FindOpenAsync(EvolutionHost.Tenant, host.Version.Id, MutationTrigger.Latency, Ct));
    }

    private static ValueTask<int> UsedTodayAsync(ICapabilityUsageStore usage, string tenant, string capability, string agent) =>
        usage.CountAsync(tenant, capability, agent, DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime), Ct);

    /// <summary>A model that says when it was called and answers only once released.</summary>
    private sealed class HeldModel(string answer)
    {
        private int _calls;

        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Calls => Volatile.Read(ref _calls);

        public async Task<ChatResponse> AnswerAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            Called.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return ScriptedChatClient.Text(answer);
        }
    }
}
