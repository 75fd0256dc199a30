using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>AlphaEvolver's options: when a skill execution triggers a mutation, how parent and child are measured, and research.</summary>
/// <remarks>Bound from <c>AutoDev:Evolution</c>; set in code with <c>ConfigureEvolution</c>. Validated when the host starts.</remarks>
public sealed class EvolutionOptions
{
    /// <summary>The configuration section, <c>AutoDev:Evolution</c>.</summary>
    public const string SectionName = "AutoDev:Evolution";

    /// <summary>An execution slower than this triggers a "reduce execution time" mutation (strictly slower: exactly this does not).</summary>
    /// <value>Default 5 seconds.</value>
    public TimeSpan LatencyThreshold { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An execution that cost more tokens than this triggers a "use fewer tokens" mutation.</summary>
    /// <value>Default 5,000.</value>
    public long TokenThreshold { get; set; } = 5_000;

    /// <summary>Whether a failed execution triggers a "fix the failure" mutation.</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool TriggerOnFailure { get; set; } = true;

    /// <summary>An execution that needed more retries than this triggers a "fix intermittent failures" mutation.</summary>
    /// <value>Default 0: any retry.</value>
    public int RetryThreshold { get; set; }

    /// <summary>How many times parent and child each run over all inputs (alternating), for latency from repeated runs.</summary>
    /// <value>Default 5; allowed 3 to 50.</value>
    public int MeasurementRuns { get; set; } = 5;

    /// <summary>
    /// The one-sided Mann–Whitney p-value below which the child's lower run times count as real. Above it, both variants
    /// get the same latency in fitness, so noise never picks the winner.
    /// </summary>
    /// <value>Default 0.05.</value>
    public double LatencySignificance { get; set; } = 0.05;

    /// <summary>The least relative drop in median run time that counts as faster, besides significance.</summary>
    /// <value>Default 0.05 (5%).</value>
    public double MinLatencyImprovement { get; set; } = 0.05;

    /// <summary>How much fitter than its parent a child must be to win; ties keep the parent.</summary>
    /// <value>Default 0.0001.</value>
    public double MinFitnessGain { get; set; } = 0.0001;

    /// <summary>How many recorded inputs are kept per skill version (newest win), for mutations to replay.</summary>
    /// <value>Default 20.</value>
    public int RecordedInputsPerSkill { get; set; } = 20;

    /// <summary>The most inputs (recorded plus test inputs) one evaluation runs.</summary>
    /// <value>Default 32.</value>
    public int MaxEvaluationInputs { get; set; } = 32;

    /// <summary>The time-out of each sandbox run of an evaluation.</summary>
    /// <value>Default 60 seconds.</value>
    public TimeSpan EvaluationTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Iterations of a research experiment when the request does not say.</summary>
    /// <value>Default 3.</value>
    public int ResearchIterations { get; set; } = 3;

    /// <summary>Children written and evaluated in parallel per research iteration when the request does not say.</summary>
    /// <value>Default 2.</value>
    public int ResearchChildrenPerIteration { get; set; } = 2;

    /// <summary>Whether the host runs <see cref="EvolutionLoop"/> (skill executions → mutations → sandbox).</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool RunEvolutionLoop { get; set; } = true;

    /// <summary>Whether the host runs <see cref="BackgroundEvolutionService"/> (research for workspaces that opted in).</summary>
    /// <value>Default <see langword="true"/>; it does nothing in a workspace until <c>background_evolution</c> is on.</value>
    public bool RunBackgroundEvolution { get; set; } = true;

    /// <summary>How often background research visits the workspaces.</summary>
    /// <value>Default 1 hour.</value>
    public TimeSpan BackgroundInterval { get; set; } = TimeSpan.FromHours(1);
}

internal sealed class EvolutionOptionsValidator : IValidateOptions<EvolutionOptions>
{
    public ValidateOptionsResult Validate(string? name, EvolutionOptions options)
    {
        var errors = new List<string>();
        void Check(bool ok, string message)
        {
            if (!ok)
            {
                errors.Add($"{EvolutionOptions.SectionName}:{message}");
            }
        }

        Check(options.LatencyThreshold > TimeSpan.Zero, $"LatencyThreshold is {options.LatencyThreshold}; set it above zero.");
        Check(options.TokenThreshold > 0, $"TokenThreshold is {options.TokenThreshold}; set it above zero.");
        Check(options.RetryThreshold >= 0, $"RetryThreshold is {options.RetryThreshold}; set it to 0 or more.");
        Check(options.MeasurementRuns is >= 3 and <= 50, $"MeasurementRuns is {options.MeasurementRuns}; set it between 3 and 50.");
        Check(options.LatencySignificance is > 0 and < 1, $"LatencySignificance is {options.LatencySignificance}; set it between 0 and 1 (exclusive).");
        Check(options.MinLatencyImprovement is >= 0 and < 1, $"MinLatencyImprovement is {options.MinLatencyImprovement}; set it from 0 up to 1 (exclusive).");
        Check(options.MinFitnessGain is >= 0 and < 1, $"MinFitnessGain is {options.MinFitnessGain}; set it from 0 up to 1 (exclusive).");
        Check(options.RecordedInputsPerSkill is >= 0 and <= 1000, $"RecordedInputsPerSkill is {options.RecordedInputsPerSkill}; set it between 0 and 1000.");
        Check(options.MaxEvaluationInputs is >= 1 and <= 1000, $"MaxEvaluationInputs is {options.MaxEvaluationInputs}; set it between 1 and 1000.");
        Check(options.EvaluationTimeout > TimeSpan.Zero, $"EvaluationTimeout is {options.EvaluationTimeout}; set it above zero.");
        Check(options.ResearchIterations is >= 1 and <= 100, $"ResearchIterations is {options.ResearchIterations}; set it between 1 and 100.");
        Check(options.ResearchChildrenPerIteration is >= 1 and <= 16, $"ResearchChildrenPerIteration is {options.ResearchChildrenPerIteration}; set it between 1 and 16.");
        Check(options.BackgroundInterval >= TimeSpan.FromSeconds(1), $"BackgroundInterval is {options.BackgroundInterval}; set it to one second or more.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
