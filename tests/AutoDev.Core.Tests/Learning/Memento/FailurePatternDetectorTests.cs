using Microsoft.Extensions.Options;

namespace AutoDev.Tests.Learning.Memento;

public sealed class FailurePatternDetectorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Observe_CountsSimilarFailures_PerAgent_AndTriggersAtTheThreshold()
    {
        var (engine, episodes) = Create(threshold: 3);

        var decisions = new List<ReflectionDecision>();
        foreach (var (agent, task) in new[] { ("a", "Extract invoice ID 1"), ("b", "Extract invoice ID 2"), ("a", "extract invoice id 3"), ("a", "Summarize policy"), ("a", "invoice ID extract 4") })
        {
            decisions.Add(await engine.ObserveFailureAsync(await AddAsync(episodes, agent, task), Ct));
        }

        Assert.Equal([ReflectionAction.Wait, ReflectionAction.Wait, ReflectionAction.Wait, ReflectionAction.Wait, ReflectionAction.Trigger], decisions.Select(d => d.Action));
        Assert.Equal(3, decisions[^1].Count);
        Assert.Equal(1, decisions[1].Count);
    }

    [Fact]
    public async Task Observe_AfterATrigger_NeedsTheThresholdOfNewFailures()
    {
        var (engine, episodes) = Create(threshold: 2);
        await engine.ObserveFailureAsync(await AddAsync(episodes, "a", "Extract invoice ID"), Ct);
        Assert.Equal(ReflectionAction.Trigger, (await engine.ObserveFailureAsync(await AddAsync(episodes, "a", "Extract invoice ID"), Ct)).Action);

        var third = await engine.ObserveFailureAsync(await AddAsync(episodes, "a", "Extract invoice ID"), Ct);
        var fourth = await engine.ObserveFailureAsync(await AddAsync(episodes, "a", "Extract invoice ID"), Ct);

        Assert.Equal((ReflectionAction.Wait, 1), (third.Action, third.Count));
        Assert.Equal((ReflectionAction.Trigger, 2), (fourth.Action, fourth.Count));
    }

    [Fact]
    public async Task Observe_TheSameEpisodeTwice_CountsOnce()
    {
        var (engine, episodes) = Create(threshold: 2);
        var episode = await AddAsync(episodes, "a", "Extract invoice ID");

        await engine.ObserveFailureAsync(episode, Ct);
        var again = await engine.ObserveFailureAsync(episode, Ct);

        Assert.Equal(ReflectionAction.Wait, again.Action);
    }

    [Fact]
    public async Task Observe_AfterARestart_RebuildsFromTheStore()
    {
        var (engine, episodes) = Create(threshold: 2);
        await engine.ObserveFailureAsync(await AddAsync(episodes, "a", "Extract invoice ID"), Ct);

        var (restarted, _) = Create(threshold: 2, episodes);
        var decision = await restarted.ObserveFailureAsync(await AddAsync(episodes, "a", "extract invoice id"), Ct);

        Assert.Equal(ReflectionAction.Trigger, decision.Action);
    }

    [Fact]
    public async Task Observe_OldFailures_LeaveTheWindow()
    {
        var (engine, episodes) = Create(threshold: 2, window: 3);
        await engine.ObserveFailureAsync(await AddAsync(episodes, "a", "Extract invoice ID"), Ct);
        for (var i = 0; i < 3; i++)
        {
            await engine.ObserveFailureAsync(await AddAsync(episodes, "a", $"Unrelated task number {i} kind {(char)('a' + i)}{(char)('a' + i)}"), Ct);
        }

        var decision = await engine.ObserveFailureAsync(await AddAsync(episodes, "a", "Extract invoice ID"), Ct);

        Assert.Equal(ReflectionAction.Wait, decision.Action);
    }

    [Fact]
    public async Task Observe_ASuccess_IsRefused()
    {
        var (engine, _) = Create(threshold: 2);

        await Assert.ThrowsAsync<ArgumentException>(async () => await engine.ObserveFailureAsync(new Episode { TenantId = "t", AgentId = "a", TaskDescription = "x", Success = true }, Ct));
    }

    private static (FailurePatternDetector Engine, InMemoryEpisodeStore Episodes) Create(int threshold, InMemoryEpisodeStore? episodes = null, int window = 100)
    {
        episodes ??= new InMemoryEpisodeStore(new InMemoryAgentProfileStore());
        var options = Options.Create(new AutoDevOptions { FailureThreshold = threshold, FailureWindow = window });
        return (new FailurePatternDetector(new LexicalTaskSimilarity(), episodes, new InMemorySkillCandidateStore(), options, Microsoft.Extensions.Logging.Abstractions.NullLogger<FailurePatternDetector>.Instance), episodes);
    }

    private static async Task<Episode> AddAsync(InMemoryEpisodeStore store, string agent, string task)
    {
        var episode = new Episode { TenantId = "t", AgentId = agent, TaskDescription = task, OccurredAt = DateTimeOffset.UnixEpoch.AddSeconds(Interlocked.Increment(ref _clock)) };
        await store.AddAsync(episode, Ct);
        return episode;
    }

    private static long _clock;
}
