using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>
/// Stage 1, proxy fitness: +0.2 when the code compiles, +0.3 when it executed, +0.5 when approved (or, before
/// approval, 0.5 times the share of its tests that passed). Each counts once.
/// </summary>
public sealed class ProxyFitnessFunction : IFitnessFunction
{
    /// <summary>The function's name, <c>proxy</c>.</summary>
    public const string FunctionName = "proxy";

    /// <inheritdoc/>
    public string Name => FunctionName;

    /// <inheritdoc/>
    public double Evaluate(IReadOnlyList<FitnessSignal> signals)
    {
        ArgumentNullException.ThrowIfNull(signals);
        bool compiles = false, executed = false, approved = false;
        double tests = 0;
        for (var i = 0; i < signals.Count; i++)
        {
            switch (signals[i].Name)
            {
                case FitnessSignalNames.Compiles: compiles = true; break;
                case FitnessSignalNames.Executed: executed = true; break;
                case FitnessSignalNames.Approved: approved = true; break;
                case FitnessSignalNames.TestsPassed: tests = Math.Max(tests, double.IsNaN(signals[i].Value) ? 0 : Math.Clamp(signals[i].Value, 0, 1)); break;
            }
        }

        return (compiles ? 0.2 : 0) + (executed ? 0.3 : 0) + (0.5 * (approved ? 1 : tests));
    }
}

/// <summary>
/// Stage 2, delayed external signals: +0.4 per invoice created, +0.5 per CRM conversion, + min(0.5, total value / 1000)
/// for conversion value; each bounce and error takes off its penalty.
/// </summary>
public sealed class ExternalSignalFitnessFunction(IOptions<FitnessOptions> options) : IFitnessFunction
{
    /// <summary>The function's name, <c>external</c>.</summary>
    public const string FunctionName = "external";

    private readonly FitnessOptions _options = options.Value;

    /// <inheritdoc/>
    public string Name => FunctionName;

    /// <inheritdoc/>
    public double Evaluate(IReadOnlyList<FitnessSignal> signals)
    {
        ArgumentNullException.ThrowIfNull(signals);
        double score = 0, value = 0;
        for (var i = 0; i < signals.Count; i++)
        {
            var signal = signals[i];
            switch (signal.Name)
            {
                case FitnessSignalNames.InvoiceCreated: score += 0.4; break;
                case FitnessSignalNames.CrmConversion: score += 0.5; break;
                case FitnessSignalNames.ConversionValue: value += Math.Max(0, signal.Value); break;
                case FitnessSignalNames.Bounce: score -= _options.BouncePenalty; break;
                case FitnessSignalNames.Error: score -= _options.ErrorPenalty; break;
            }
        }

        return score + Math.Min(0.5, value / 1000);
    }
}

/// <summary>
/// The base of AutoDev's cost objectives: the score a variant loses for one signal (its cost). Without the signal it
/// contributes nothing. The last value of the signal counts.
/// </summary>
/// <param name="name">The function's name, the key of its weight.</param>
/// <param name="signal">The signal that carries the cost.</param>
public abstract class CostFitnessFunction(string name, string signal) : IFitnessFunction
{
    /// <inheritdoc/>
    public string Name { get; } = name;

    /// <inheritdoc/>
    public double Evaluate(IReadOnlyList<FitnessSignal> signals)
    {
        ArgumentNullException.ThrowIfNull(signals);
        for (var i = signals.Count - 1; i >= 0; i--)
        {
            if (signals[i].Name == signal)
            {
                return double.IsNaN(signals[i].Value) ? 0 : -Penalty(signals[i].Value);
            }
        }

        return 0;
    }

    /// <summary>What the value costs, at least 0.</summary>
    protected abstract double Penalty(double value);

    /// <summary>A penalty that grows with the cost and saturates: <c>max × cost / (cost + scale)</c>. Halving a cost always helps; no cost sinks a score alone.</summary>
    protected static double Saturating(double cost, double scale, double max) => cost <= 0 ? 0 : max * cost / (cost + scale);
}

/// <summary>The latency objective: up to −0.2 for <see cref="FitnessSignalNames.LatencyMilliseconds"/>, half of it at one second.</summary>
public sealed class LatencyFitnessFunction() : CostFitnessFunction(FunctionName, FitnessSignalNames.LatencyMilliseconds)
{
    /// <summary>The function's name, <c>latency</c>.</summary>
    public const string FunctionName = "latency";

    /// <inheritdoc/>
    protected override double Penalty(double value) => Saturating(value, 1000, 0.2);
}

/// <summary>The token objective: up to −0.1 for <see cref="FitnessSignalNames.OutputTokens"/>, half of it at 1,000 tokens.</summary>
public sealed class TokenFitnessFunction() : CostFitnessFunction(FunctionName, FitnessSignalNames.OutputTokens)
{
    /// <summary>The function's name, <c>tokens</c>.</summary>
    public const string FunctionName = "tokens";

    /// <inheritdoc/>
    protected override double Penalty(double value) => Saturating(value, 1000, 0.1);
}

/// <summary>The reliability objective: −0.3 × the share of calls that failed (from <see cref="FitnessSignalNames.SuccessRate"/>).</summary>
public sealed class ReliabilityFitnessFunction() : CostFitnessFunction(FunctionName, FitnessSignalNames.SuccessRate)
{
    /// <summary>The function's name, <c>reliability</c>.</summary>
    public const string FunctionName = "reliability";

    /// <inheritdoc/>
    protected override double Penalty(double value) => 0.3 * (1 - Math.Clamp(value, 0, 1));
}
