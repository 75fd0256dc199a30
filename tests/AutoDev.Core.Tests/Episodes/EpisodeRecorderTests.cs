using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Tests.Episodes;

public sealed class EpisodeRecorderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RecordAsync_Failure_StoresBeforePublishingTaskFailed()
    {
        await using var services = TestHost.Create();
        var store = services.GetRequiredService<IEpisodeStore>();
        Episode? seenByHandler = null;
        services.GetRequiredService<IEventBus>().Subscribe<TaskFailed>(async (e, ct) => seenByHandler = await store.FindAsync(e.TenantId, e.EpisodeId, ct));

        var recorded = await services.GetRequiredService<IEpisodeRecorder>().RecordAsync(
            new Episode { TenantId = "t", AgentId = "a", TaskDescription = "Extract invoice ID", ErrorTrace = "KeyError: 'invoice_id'" }, Ct);

        Assert.NotNull(seenByHandler);
        Assert.Equal(recorded.Episode.Id, seenByHandler.Id);
        Assert.Equal(1, recorded.Agent.EpisodeCount);
        Assert.Equal(AgentMaturity.Student, recorded.Agent.Maturity);
    }

    [Fact]
    public async Task RecordAsync_EnoughGoodEpisodes_GraduatesStudentToIntern()
    {
        await using var services = TestHost.Create();
        var recorder = services.GetRequiredService<IEpisodeRecorder>();
        EpisodeRecorded? last = null;

        for (var i = 0; i < 10; i++)
        {
            last = await recorder.RecordAsync(new Episode { TenantId = "t", AgentId = "a", TaskDescription = $"task {i}", Success = true, ConstitutionalScore = 0.9, HumanIntervention = i < 2 }, Ct);
            Assert.Equal(i == 9 ? AgentMaturity.Intern : AgentMaturity.Student, last.Agent.Maturity);
        }

        Assert.True(last!.Graduation.Graduated);
        Assert.Equal(CapabilityNames.MementoSkills, Assert.Single(last.Graduation.Unlocked).Capability);
        var profile = await services.GetRequiredService<IAgentProfileStore>().FindAsync("t", "a", Ct);
        Assert.Equal((10, 2, AgentMaturity.Intern), (profile!.EpisodeCount, profile.InterventionCount, profile.Maturity));
    }

    /// <summary>Regression: 40 perfect episodes without a constitutional score left the agent a STUDENT.</summary>
    [Fact]
    public async Task RecordAsync_FortyPerfectEpisodesWithoutAScore_GraduateToSupervised()
    {
        await using var services = TestHost.Create();
        var recorder = services.GetRequiredService<IEpisodeRecorder>();
        EpisodeRecorded? last = null;

        for (var i = 0; i < 40; i++)
        {
            last = await recorder.RecordAsync(new Episode { TenantId = "t", AgentId = "a", TaskDescription = $"task {i}", Success = true }, Ct);
        }

        Assert.Equal(AgentMaturity.Supervised, last!.Agent.Maturity);
    }

    [Fact]
    public async Task RecordAsync_ConcurrentEpisodesOfOneAgent_CountsEveryOne()
    {
        await using var services = TestHost.Create();
        var recorder = services.GetRequiredService<IEpisodeRecorder>();

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
            await recorder.RecordAsync(new Episode { TenantId = "t", AgentId = "a", TaskDescription = $"task {i}", Success = i % 2 == 0 }, Ct))));

        Assert.Equal(40, (await services.GetRequiredService<IAgentProfileStore>().FindAsync("t", "a", Ct))!.EpisodeCount);
    }

    [Theory]
    [InlineData("", "a", "task")]
    [InlineData("t", " ", "task")]
    [InlineData("t", "a", "")]
    public async Task RecordAsync_MissingFields_ThrowsArgumentExceptionAndStoresNothing(string tenant, string agent, string task)
    {
        await using var services = TestHost.Create();

        await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
            await services.GetRequiredService<IEpisodeRecorder>().RecordAsync(new Episode { TenantId = tenant, AgentId = agent, TaskDescription = task }, Ct));

        Assert.Empty(await services.GetRequiredService<IAgentProfileStore>().ListAsync("t", Ct).ToListAsync());
    }

    [Fact]
    public async Task RecordAsync_ConstitutionalScoreOutOfRange_Throws()
    {
        await using var services = TestHost.Create();

        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await services.GetRequiredService<IEpisodeRecorder>().RecordAsync(new Episode { TenantId = "t", AgentId = "a", TaskDescription = "x", ConstitutionalScore = 1.5 }, Ct));
    }
}
