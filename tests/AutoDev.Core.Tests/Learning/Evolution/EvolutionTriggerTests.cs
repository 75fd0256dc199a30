namespace AutoDev.Tests.Learning.Evolution;

public sealed class EvolutionTriggerTests
{
    private static readonly EvolutionOptions Defaults = new();

    private static SkillExecuted Execution(TimeSpan? duration = null, bool success = true, int retries = 0, long tokens = 0) => new()
    {
        TenantId = "t",
        AgentId = "a",
        SkillId = Guid.NewGuid(),
        SkillVersionId = Guid.NewGuid(),
        SkillName = "s",
        Duration = duration ?? TimeSpan.FromMilliseconds(10),
        Success = success,
        Retries = retries,
        TokensUsed = tokens,
    };

    [Fact]
    public void Latency_AtTheThreshold_DoesNotTrigger_JustPast_Does()
    {
        Assert.Null(MutationTriggerDetector.TriggerOf(Execution(TimeSpan.FromSeconds(5)), Defaults));
        Assert.Equal(MutationTrigger.Latency, MutationTriggerDetector.TriggerOf(Execution(TimeSpan.FromSeconds(5) + TimeSpan.FromTicks(1)), Defaults));
    }

    [Fact]
    public void Tokens_AtTheThreshold_DoNotTrigger_JustPast_Do()
    {
        Assert.Null(MutationTriggerDetector.TriggerOf(Execution(tokens: 5_000), Defaults));
        Assert.Equal(MutationTrigger.Tokens, MutationTriggerDetector.TriggerOf(Execution(tokens: 5_001), Defaults));
    }

    [Fact]
    public void Retries_AtTheThreshold_DoNotTrigger_JustPast_Do()
    {
        Assert.Null(MutationTriggerDetector.TriggerOf(Execution(retries: 0), Defaults));
        Assert.Equal(MutationTrigger.Retries, MutationTriggerDetector.TriggerOf(Execution(retries: 1), Defaults));
        var two = new EvolutionOptions { RetryThreshold = 2 };
        Assert.Null(MutationTriggerDetector.TriggerOf(Execution(retries: 2), two));
        Assert.Equal(MutationTrigger.Retries, MutationTriggerDetector.TriggerOf(Execution(retries: 3), two));
    }

    [Fact]
    public void ARefusalItsTestsExpect_IsNoFailure_ButALatencyTriggerStillCounts()
    {
        Assert.Null(MutationTriggerDetector.TriggerOf(Execution(success: false) with { ErrorType = "ValueError", RefusedAsTested = true }, Defaults));
        Assert.Equal(MutationTrigger.Latency, MutationTriggerDetector.TriggerOf(Execution(TimeSpan.FromSeconds(9), success: false) with { RefusedAsTested = true }, Defaults));
    }

    [Fact]
    public void Failure_Triggers_UnlessSwitchedOff()
    {
        Assert.Equal(MutationTrigger.Failure, MutationTriggerDetector.TriggerOf(Execution(success: false), Defaults));
        Assert.Null(MutationTriggerDetector.TriggerOf(Execution(success: false), new EvolutionOptions { TriggerOnFailure = false }));
    }

    [Fact]
    public void Thresholds_AreConfigurable()
    {
        var options = new EvolutionOptions { LatencyThreshold = TimeSpan.FromMilliseconds(100), TokenThreshold = 10 };

        Assert.Null(MutationTriggerDetector.TriggerOf(Execution(TimeSpan.FromMilliseconds(100), tokens: 10), options));
        Assert.Equal(MutationTrigger.Latency, MutationTriggerDetector.TriggerOf(Execution(TimeSpan.FromMilliseconds(101)), options));
        Assert.Equal(MutationTrigger.Tokens, MutationTriggerDetector.TriggerOf(Execution(tokens: 11), options));
    }

    [Fact]
    public void SeveralTriggers_FailureComesFirst_ThenRetries_ThenLatency()
    {
        Assert.Equal(MutationTrigger.Failure, MutationTriggerDetector.TriggerOf(Execution(TimeSpan.FromSeconds(9), success: false, retries: 3, tokens: 9_000), Defaults));
        Assert.Equal(MutationTrigger.Retries, MutationTriggerDetector.TriggerOf(Execution(TimeSpan.FromSeconds(9), retries: 3, tokens: 9_000), Defaults));
        Assert.Equal(MutationTrigger.Latency, MutationTriggerDetector.TriggerOf(Execution(TimeSpan.FromSeconds(9), tokens: 9_000), Defaults));
    }

    [Fact]
    public void InvalidOptions_FailAtStart_WithTheKeyToChange()
    {
        var result = new EvolutionOptionsValidator().Validate(null, new EvolutionOptions { MeasurementRuns = 2, LatencySignificance = 1.5, LatencyThreshold = TimeSpan.Zero });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("MeasurementRuns is 2", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("LatencySignificance", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("LatencyThreshold", StringComparison.Ordinal));
        Assert.True(new EvolutionOptionsValidator().Validate(null, new EvolutionOptions()).Succeeded);
    }
}
