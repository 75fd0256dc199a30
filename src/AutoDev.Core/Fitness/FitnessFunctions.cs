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
