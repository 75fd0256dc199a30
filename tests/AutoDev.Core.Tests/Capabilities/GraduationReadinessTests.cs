using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AutoDev.Tests.Capabilities;

public sealed class GraduationReadinessTests
{
    [Theory]
    [InlineData(AgentMaturity.Student, 10, 4, 0.71, true)]
    [InlineData(AgentMaturity.Student, 9, 0, 1.0, false)]
    [InlineData(AgentMaturity.Student, 10, 5, 1.0, false)]
    [InlineData(AgentMaturity.Student, 10, 0, 0.70, false)]
    [InlineData(AgentMaturity.Intern, 25, 4, 0.86, true)]
    [InlineData(AgentMaturity.Intern, 25, 5, 0.86, false)]
    [InlineData(AgentMaturity.Supervised, 50, 2, 0.96, true)]
    [InlineData(AgentMaturity.Supervised, 50, 3, 0.96, false)]
    [InlineData(AgentMaturity.Supervised, 50, 0, 0.95, false)]
    public void Evaluate_Thresholds_MatchDesign(AgentMaturity current, int episodes, int interventions, double compliance, bool ready)
    {
        var agent = new AgentProfile
        {
            TenantId = "t",
            AgentId = "a",
            Maturity = current,
            EpisodeCount = episodes,
            InterventionCount = interventions,
            ConstitutionalScoreSum = compliance * episodes,
            ConstitutionalScoreCount = episodes,
        };

        var readiness = GraduationReadiness.Evaluate(agent);

        Assert.Equal(ready, readiness.IsReady);
        Assert.Equal(current + 1, readiness.Next);
        Assert.Equal(ready, readiness.Score == 1.0);
    }

    [Fact]
    public void Evaluate_HalfTheEpisodesOtherwisePerfect_WeighsEpisodesAtForty()
    {
        var agent = new AgentProfile { TenantId = "t", AgentId = "a", EpisodeCount = 5, ConstitutionalScoreSum = 5, ConstitutionalScoreCount = 5 };

        var readiness = GraduationReadiness.Evaluate(agent);

        Assert.Equal((0.4 * 0.5) + 0.3 + 0.3, readiness.Score, 10);
    }

    /// <summary>Regression: agents without a constitutional score never graduated (unmeasured compliance counted as 0).</summary>
    [Theory]
    [InlineData(AgentMaturity.Student, 10, true)]
    [InlineData(AgentMaturity.Intern, 25, true)]
    [InlineData(AgentMaturity.Supervised, 50, true)]
    [InlineData(AgentMaturity.Supervised, 49, false)]
    public void Evaluate_ComplianceNeverMeasured_DoesNotCountAsFailed(AgentMaturity current, int episodes, bool ready)
    {
        var agent = new AgentProfile { TenantId = "t", AgentId = "a", Maturity = current, EpisodeCount = episodes };

        var readiness = GraduationReadiness.Evaluate(agent);

        Assert.Null(agent.ConstitutionalCompliance);
        Assert.Equal(ready, readiness.IsReady);
        Assert.Equal(1.0, readiness.ComplianceProgress);
        Assert.Equal(ready ? [] : ["episodes: 49 of 50"], readiness.Shortfalls);
    }

    [Fact]
    public void Evaluate_MeasuredLowCompliance_IsAShortfall()
    {
        var agent = new AgentProfile { TenantId = "t", AgentId = "a", EpisodeCount = 20, InterventionCount = 12, ConstitutionalScoreSum = 10, ConstitutionalScoreCount = 20 };

        var readiness = GraduationReadiness.Evaluate(agent);

        Assert.False(readiness.IsReady);
        Assert.Equal(["intervention rate: 60%, below 50% needed", "constitutional compliance: 0.50, above 0.70 needed"], readiness.Shortfalls);
    }

    [Fact]
    public void Evaluate_Autonomous_HasNoNextLevel()
    {
        var readiness = GraduationReadiness.Evaluate(new AgentProfile { TenantId = "t", AgentId = "a", Maturity = AgentMaturity.Autonomous });

        Assert.Null(readiness.Next);
        Assert.False(readiness.IsReady);
    }

    [Property(Arbitrary = [typeof(Profiles)])]
    public bool Evaluate_AnyCounters_ScoreInUnitIntervalAndOneOnlyWhenReady(AgentProfile profile)
    {
        var readiness = GraduationReadiness.Evaluate(profile);
        return readiness.Score is >= 0 and <= 1 && (readiness.Score == 1) == readiness.IsReady;
    }

    /// <summary>Profiles below AUTONOMOUS with any counters.</summary>
    public static class Profiles
    {
        public static Arbitrary<AgentProfile> Any() =>
            (from maturity in Gen.Elements(AgentMaturity.Student, AgentMaturity.Intern, AgentMaturity.Supervised)
                from episodes in Gen.Choose(0, 200)
                from interventions in Gen.Choose(0, 200)
                from compliance in Gen.Choose(0, 100)
                select new AgentProfile
                {
                    TenantId = "t",
                    AgentId = "a",
                    Maturity = maturity,
                    EpisodeCount = episodes,
                    InterventionCount = Math.Min(interventions, episodes),
                    ConstitutionalScoreSum = episodes * compliance / 100.0,
                    ConstitutionalScoreCount = episodes,
                }).ToArbitrary();
    }
}
