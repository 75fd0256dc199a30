using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Tests.Learning.Evolution;

/// <summary>The winner rule on controlled timings: noise alone rarely wins (at most the significance level), a real speed-up nearly always does.</summary>
public sealed class MutationEvaluatorTests : IDisposable
{
    private static readonly IReadOnlyList<string> Inputs = ["{\"invoice_id\":\"A\",\"items\":[]}", "{\"invoice_id\":\"B\",\"items\":[]}", "{\"invoice_id\":\"C\",\"items\":[]}"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ServiceProvider _services = new ServiceCollection().AddAutoDev().Services.BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    private (MutationEvaluator Evaluator, TimedSandbox Sandbox) Create(int seed, EvolutionOptions? options = null)
    {
        var fitness = _services.GetRequiredService<IFitnessService>();
        var sandbox = new TimedSandbox(seed, noise: 0.15);
        return (new MutationEvaluator(sandbox, fitness, options ?? new EvolutionOptions()), sandbox);
    }

    [Fact]
    public async Task AChildAsFastAsItsParent_WinsNoMoreOftenThanTheSignificanceLevel()
    {
        var wins = 0;
        const int Trials = 400;
        var (evaluator, _) = Create(seed: 2026);
        for (var trial = 0; trial < Trials; trial++)
        {
            var outcome = await evaluator.EvaluateAsync("t", TimedSandbox.Module(20), TimedSandbox.Module(20, extra: "# renamed\n"), "process_invoice", string.Empty, [], Inputs, Ct);
            wins += outcome.Evaluation.ChildWins ? 1 : 0;
            if (!outcome.Evaluation.LatencyCounted)
            {
                Assert.Equal(outcome.Evaluation.Parent.Fitness, outcome.Evaluation.Child.Fitness);
            }
        }

        Assert.True(wins <= Trials * 0.05, $"noise won {wins} of {Trials} comparisons");
    }

    [Fact]
    public async Task AChildTwentyPercentFaster_WinsAlmostAlways()
    {
        var (evaluator, _) = Create(seed: 5);
        var wins = 0;
        for (var trial = 0; trial < 100; trial++)
        {
            var outcome = await evaluator.EvaluateAsync("t", TimedSandbox.Module(20), TimedSandbox.Module(16), "process_invoice", string.Empty, [], Inputs, Ct);
            wins += outcome.Evaluation.ChildWins ? 1 : 0;
        }

        Assert.True(wins >= 95, $"a 20% speed-up won only {wins} of 100 comparisons");
    }

    [Fact]
    public async Task ParentAndChild_RunAlternately_TheSameNumberOfTimes_OnTheSameInputs()
    {
        var (evaluator, sandbox) = Create(seed: 1, new EvolutionOptions { MeasurementRuns = 4 });

        var outcome = await evaluator.EvaluateAsync("t", TimedSandbox.Module(20), TimedSandbox.Module(10), "process_invoice", "[{\"inputs\":{\"invoice_id\":\"A\",\"items\":[]},\"expected\":1}]", [], Inputs, Ct);

        Assert.Equal(2 + 8, sandbox.Executions); // two test runs, then 4 runs each
        Assert.Equal(4, outcome.Evaluation.Parent.RunMilliseconds.Count);
        Assert.Equal(4, outcome.Evaluation.Child.RunMilliseconds.Count);
        Assert.Equal(3, outcome.Evaluation.InputCount);
    }
}
