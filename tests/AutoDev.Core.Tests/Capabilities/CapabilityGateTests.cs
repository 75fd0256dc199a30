using AutoDev.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AutoDev.Tests.Capabilities;

public sealed class CapabilityGateTests
{
    private static readonly string[] BuiltIn = [CapabilityNames.MementoSkills, CapabilityNames.AlphaEvolver, CapabilityNames.BackgroundEvolution];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>DESIGN §5, written out as a table independent of the implementation.</summary>
    private static bool MatrixAllows(AgentMaturity maturity, string capability) => (maturity, capability) switch
    {
        (AgentMaturity.Student, _) => false,
        (AgentMaturity.Intern, CapabilityNames.MementoSkills) => true,
        (AgentMaturity.Intern, _) => false,
        (AgentMaturity.Supervised, CapabilityNames.BackgroundEvolution) => false,
        (AgentMaturity.Supervised, _) => true,
        (AgentMaturity.Autonomous, _) => true,
        _ => throw new ArgumentOutOfRangeException(nameof(maturity)),
    };

    [Fact]
    public async Task CheckAsync_EveryMaturitySettingsAndLimitCombination_MatchesDesignTable()
    {
        await using var services = TestHost.Create();
        var gate = services.GetRequiredService<ICapabilityGate>();
        var usage = services.GetRequiredService<ICapabilityUsageStore>();
        var workspaces = services.GetRequiredService<IWorkspaceStore>();
        var day = DateOnly.FromDateTime(services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);
        var checkedCount = 0;

        foreach (var maturity in Enum.GetValues<AgentMaturity>())
        {
            for (var switches = 0; switches < 16; switches++)
            {
                var settings = new WorkspaceSettings
                {
                    Enabled = (switches & 1) != 0,
                    MementoSkills = (switches & 2) != 0,
                    AlphaEvolver = (switches & 4) != 0,
                    BackgroundEvolution = (switches & 8) != 0,
                    MaxSkillCandidatesPerDay = 3,
                    MaxMutationsPerDay = 4,
                };
                foreach (var capability in BuiltIn)
                {
                    foreach (var used in new[] { 0, 2, 3, 4 })
                    {
                        var tenant = $"t{maturity}{switches}{capability}{used}";
                        await workspaces.SaveSettingsAsync(tenant, settings, Ct);
                        await services.AddAgentAsync(tenant, "agent", maturity);
                        var scope = capability == CapabilityNames.AlphaEvolver ? null : "agent";
                        for (var i = 0; i < used; i++)
                        {
                            Assert.True(await usage.TryReserveAsync(new CapabilityUsage { TenantId = tenant, AgentId = scope, Capability = capability, Day = day }, int.MaxValue, Ct));
                        }

                        var switchOn = capability switch
                        {
                            CapabilityNames.MementoSkills => settings.MementoSkills,
                            CapabilityNames.AlphaEvolver => settings.AlphaEvolver,
                            _ => settings.BackgroundEvolution,
                        };
                        var limit = capability switch
                        {
                            CapabilityNames.MementoSkills => 3,
                            CapabilityNames.AlphaEvolver => 4,
                            _ => int.MaxValue,
                        };
                        var expected = !settings.Enabled ? GateDenial.WorkspaceDisabled
                            : !switchOn ? GateDenial.CapabilityDisabled
                            : !MatrixAllows(maturity, capability) ? GateDenial.MaturityTooLow
                            : used >= limit ? GateDenial.DailyLimitReached
                            : GateDenial.None;

                        var decision = await gate.CheckAsync(tenant, "agent", capability, Ct);

                        Assert.True(expected == decision.Denial, $"{maturity} {settings} {capability} used {used}: expected {expected}, got {decision.Denial}");
                        checkedCount++;
                    }
                }
            }
        }

        Assert.Equal(4 * 16 * 3 * 4, checkedCount);
    }

    [Fact]
    public void CanUse_CustomCapability_UsesConfiguredMinimumMaturity()
    {
        using var services = TestHost.Create(options: o => o.CustomCapabilities["send_email"] = AgentMaturity.Supervised);
        var gate = services.GetRequiredService<ICapabilityGate>();
        var on = new WorkspaceSettings { Enabled = true };

        Assert.Equal(GateDenial.MaturityTooLow, gate.CanUse(Agent(AgentMaturity.Intern), "send_email", on).Denial);
        Assert.True(gate.CanUse(Agent(AgentMaturity.Supervised), "send_email", on).IsAllowed);
        Assert.Equal(GateDenial.WorkspaceDisabled, gate.CanUse(Agent(AgentMaturity.Autonomous), "send_email", WorkspaceSettings.Default).Denial);
        Assert.Equal(GateDenial.UnknownCapability, gate.CanUse(Agent(AgentMaturity.Autonomous), "launch_rockets", on).Denial);
    }

    /// <summary>Regression (the gate threw EntityNotFoundException for an agent with no episode yet): a new agent is a STUDENT, and the decision says what it lacks.</summary>
    [Fact]
    public async Task CheckAsync_AgentWithoutAProfile_IsAStudentAndTheReasonSaysWhatIsMissing()
    {
        await using var services = TestHost.Create();
        var gate = services.GetRequiredService<ICapabilityGate>();
        await services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync("t2", new WorkspaceSettings { Enabled = true }, Ct);
        await services.AddAgentAsync("t1", "a1", AgentMaturity.Autonomous);

        var decision = await gate.CheckAsync("t2", "a1", CapabilityNames.MementoSkills, Ct);

        Assert.Equal(GateDenial.MaturityTooLow, decision.Denial);
        Assert.Equal(AgentMaturity.Student, decision.CurrentMaturity);
        Assert.Equal(
            "'memento_skills' is refused: it needs maturity INTERN or higher; the agent is STUDENT (for INTERN it still needs episodes: 0 of 10; intervention rate: no episodes yet).",
            decision.Reason);
        Assert.Null(await services.GetRequiredService<IAgentProfileStore>().FindAsync("t2", "a1", Ct));
    }

    /// <summary>Regression: an undefined maturity such as <c>(AgentMaturity)7</c> was allowed everything, and recording an episode for it threw IndexOutOfRangeException.</summary>
    [Fact]
    public async Task CheckAsync_UndefinedMaturity_IsRefused_AndRecordingStillWorks()
    {
        await using var services = TestHost.Create();
        var gate = services.GetRequiredService<ICapabilityGate>();
        await services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync("t", new WorkspaceSettings { Enabled = true, BackgroundEvolution = true }, Ct);
        await services.AddAgentAsync("t", "a", (AgentMaturity)7);

        foreach (var capability in BuiltIn)
        {
            var decision = await gate.CheckAsync("t", "a", capability, Ct);
            Assert.Equal(GateDenial.InvalidMaturity, decision.Denial);
            Assert.Contains("stored maturity 7 is not a level", decision.Reason, StringComparison.Ordinal);
        }

        var recorded = await services.GetRequiredService<IEpisodeRecorder>().RecordAsync(new Episode { TenantId = "t", AgentId = "a", TaskDescription = "x", Success = true }, Ct);
        Assert.False(recorded.Graduation.Graduated);
        Assert.Equal(1, recorded.Agent.EpisodeCount);
    }

    [Fact]
    public async Task ReserveAsync_Denied_ThrowsWithReasonAndReservesNothing()
    {
        await using var services = TestHost.Create();
        var gate = services.GetRequiredService<ICapabilityGate>();
        await services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync("t", new WorkspaceSettings { Enabled = true }, Ct);
        await services.AddAgentAsync("t", "a", AgentMaturity.Intern);

        var error = await Assert.ThrowsAsync<CapabilityDeniedException>(async () => await gate.ReserveAsync("t", "a", CapabilityNames.AlphaEvolver, Ct));

        Assert.Equal(GateDenial.MaturityTooLow, error.Decision.Denial);
        Assert.Contains("SUPERVISED", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Every refusal, by a check or a reservation, is counted by capability and reason; an allowed check is not.</summary>
    [Fact]
    public async Task Refusals_AreCounted_ByCapabilityAndReason()
    {
        var capability = "probe_" + Guid.NewGuid().ToString("N")[..8];
        using var refusals = new MetricCollector<long>(null, AutoDevTelemetry.CoreName, "autodev.gate.refusals");
        await using var services = TestHost.Create(options: o => o.CustomCapabilities[capability] = AgentMaturity.Supervised);
        var gate = services.GetRequiredService<ICapabilityGate>();
        await services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync("t", new WorkspaceSettings { Enabled = true }, Ct);
        await services.AddAgentAsync("t", "intern", AgentMaturity.Intern);
        await services.AddAgentAsync("t", "supervised", AgentMaturity.Supervised);

        Assert.False((await gate.CheckAsync("t", "intern", capability, Ct)).IsAllowed);
        await Assert.ThrowsAsync<CapabilityDeniedException>(async () => await gate.ReserveAsync("t", "intern", capability, Ct));
        Assert.True((await gate.CheckAsync("t", "supervised", capability, Ct)).IsAllowed);

        var counted = refusals.GetMeasurementSnapshot().Where(m => Equals(m.Tags["autodev.capability"], capability)).ToList();
        Assert.Equal(2, counted.Sum(m => m.Value));
        Assert.All(counted, m => Assert.Equal(nameof(GateDenial.MaturityTooLow), m.Tags["autodev.gate.reason"]));
    }

    [Fact]
    public async Task GetUseTodayAsync_CountsCandidatesPerAgent_MutationsPerWorkspace_AndStartsAgainAtMidnightUtc()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 23, 0, 0, TimeSpan.Zero));
        await using var services = TestHost.Create(time: time);
        var gate = services.GetRequiredService<ICapabilityGate>();
        await services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync("t", new WorkspaceSettings { Enabled = true, AlphaEvolver = true, MaxSkillCandidatesPerDay = 4, MaxMutationsPerDay = 6 }, Ct);
        await services.AddAgentAsync("t", "a", AgentMaturity.Autonomous);
        await services.AddAgentAsync("t", "b", AgentMaturity.Autonomous);

        await gate.RecordUsageAsync("t", "a", CapabilityNames.MementoSkills, Ct);
        await using var reserved = await gate.ReserveAsync("t", "a", CapabilityNames.MementoSkills, Ct);
        await gate.RecordUsageAsync("t", "a", CapabilityNames.AlphaEvolver, Ct);
        await gate.RecordUsageAsync("t", "b", CapabilityNames.AlphaEvolver, Ct);

        Assert.Equal(new CapabilityUse(CapabilityNames.MementoSkills, 2, 4), await gate.GetUseTodayAsync("t", "a", CapabilityNames.MementoSkills, Ct));
        Assert.Equal(new CapabilityUse(CapabilityNames.MementoSkills, 0, 4), await gate.GetUseTodayAsync("t", "b", CapabilityNames.MementoSkills, Ct));
        Assert.Equal(new CapabilityUse(CapabilityNames.AlphaEvolver, 2, 6), await gate.GetUseTodayAsync("t", null, CapabilityNames.AlphaEvolver, Ct));
        Assert.Equal(new CapabilityUse("custom_capability", 0, null), await gate.GetUseTodayAsync("t", "b", "custom_capability", Ct));
        await Assert.ThrowsAsync<ArgumentException>(async () => await gate.GetUseTodayAsync("t", null, CapabilityNames.MementoSkills, Ct));

        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, (await gate.GetUseTodayAsync("t", "a", CapabilityNames.MementoSkills, Ct)).Used);
    }

    [Fact]
    public async Task ReserveAsync_LimitReached_ThrowsUntilNextUtcDayOrRelease()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 23, 0, 0, TimeSpan.Zero));
        await using var services = TestHost.Create(time: time);
        var gate = services.GetRequiredService<ICapabilityGate>();
        await services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync("t", new WorkspaceSettings { Enabled = true, MaxSkillCandidatesPerDay = 2 }, Ct);
        await services.AddAgentAsync("t", "a", AgentMaturity.Intern);

        await gate.RecordUsageAsync("t", "a", CapabilityNames.MementoSkills, Ct);
        var second = await gate.ReserveAsync("t", "a", CapabilityNames.MementoSkills, Ct);
        await Assert.ThrowsAsync<LimitExceededException>(async () => await gate.ReserveAsync("t", "a", CapabilityNames.MementoSkills, Ct));

        await second.DisposeAsync();
        var third = await gate.ReserveAsync("t", "a", CapabilityNames.MementoSkills, Ct);
        await third.CommitAsync(Ct);
        await third.DisposeAsync();
        Assert.Equal(GateDenial.DailyLimitReached, (await gate.CheckAsync("t", "a", CapabilityNames.MementoSkills, Ct)).Denial);

        time.Advance(TimeSpan.FromHours(1));
        Assert.True((await gate.CheckAsync("t", "a", CapabilityNames.MementoSkills, Ct)).IsAllowed);
    }

    [Property(Arbitrary = [typeof(GateCases)])]
    public async Task ReserveAsync_RandomConcurrentRequests_NeverExceedLimit(GateCase c)
    {
        await using var services = TestHost.Create();
        var gate = services.GetRequiredService<ICapabilityGate>();
        await services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync("t", new WorkspaceSettings { Enabled = true, MaxMutationsPerDay = Math.Min(c.Limit, 50) }, CancellationToken.None);
        for (var a = 0; a < c.Agents; a++)
        {
            await services.AddAgentAsync("t", $"a{a}", AgentMaturity.Supervised);
        }

        var outcomes = await Task.WhenAll(Enumerable.Range(0, c.Requests).Select(i => Task.Run(async () =>
        {
            try
            {
                await gate.RecordUsageAsync("t", $"a{i % c.Agents}", CapabilityNames.AlphaEvolver, CancellationToken.None);
                return true;
            }
            catch (LimitExceededException)
            {
                return false;
            }
        })));

        Assert.Equal(Math.Min(c.Limit, c.Requests), outcomes.Count(o => o));
    }

    /// <summary>A daily limit, how many requests race for it, and from how many agents.</summary>
    public sealed record GateCase(int Limit, int Requests, int Agents);

    /// <summary>Limits of 1 to 20, 1 to 60 requests, 1 to 4 agents.</summary>
    public static class GateCases
    {
        public static Arbitrary<GateCase> Any() =>
            (from limit in Gen.Choose(1, 20)
             from requests in Gen.Choose(1, 60)
             from agents in Gen.Choose(1, 4)
             select new GateCase(limit, requests, agents)).ToArbitrary();
    }

    [Fact]
    public async Task TryGraduateAsync_ReadyStudent_BecomesInternAndPublishesUnlock()
    {
        await using var services = TestHost.Create();
        var gate = services.GetRequiredService<ICapabilityGate>();
        var unlocked = new List<CapabilityUnlocked>();
        services.GetRequiredService<IEventBus>().Subscribe<CapabilityUnlocked>((e, _) => { unlocked.Add(e); return default; });
        var agents = services.GetRequiredService<IAgentProfileStore>();
        var agent = (await agents.AddAsync(new AgentProfile { TenantId = "t", AgentId = "a" }, Ct)).Entity;
        await agents.UpdateAsync(agent with { EpisodeCount = 10, InterventionCount = 4, ConstitutionalScoreSum = 7.5, ConstitutionalScoreCount = 10 }, Ct);

        var result = await gate.TryGraduateAsync("t", "a", Ct);

        Assert.True(result.Graduated);
        Assert.Equal(AgentMaturity.Intern, result.Agent.Maturity);
        var notification = Assert.Single(unlocked);
        Assert.Equal("auto_dev_capability_unlocked", notification.Type);
        Assert.Equal(CapabilityNames.MementoSkills, notification.Capability);
        Assert.True(notification.ActionRequired);
        Assert.Contains("enabled", notification.Message, StringComparison.Ordinal);
        Assert.Equal(AgentMaturity.Intern, (await agents.FindAsync("t", "a", Ct))!.Maturity);
    }

    [Fact]
    public async Task TryGraduateAsync_NotReady_StaysAndPublishesNothing()
    {
        await using var services = TestHost.Create();
        var gate = services.GetRequiredService<ICapabilityGate>();
        var published = 0;
        services.GetRequiredService<IEventBus>().Subscribe<CapabilityUnlocked>((_, _) => { published++; return default; });
        var agents = services.GetRequiredService<IAgentProfileStore>();
        var agent = (await agents.AddAsync(new AgentProfile { TenantId = "t", AgentId = "a" }, Ct)).Entity;
        await agents.UpdateAsync(agent with { EpisodeCount = 10, InterventionCount = 5, ConstitutionalScoreSum = 9, ConstitutionalScoreCount = 10 }, Ct);

        var result = await gate.TryGraduateAsync("t", "a", Ct);

        Assert.False(result.Graduated);
        Assert.False(result.Readiness.IsReady);
        Assert.Equal(0, published);
    }

    private static AgentProfile Agent(AgentMaturity maturity) => new() { TenantId = "t", AgentId = "a", Maturity = maturity };
}
