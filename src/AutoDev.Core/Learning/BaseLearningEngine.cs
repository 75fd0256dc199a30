using Microsoft.Extensions.Logging;

namespace AutoDev;

/// <summary>
/// The base of every learning loop, shaped on what the loops do: generate a proposal (<see cref="AnalyzeAsync"/> what
/// happened, then <see cref="ProposeAsync"/> a change through <see cref="Model"/>, stored before it returns), and
/// <see cref="ValidateAsync"/> it later, usually in <see cref="Sandbox"/>, often after a restart.
/// </summary>
/// <typeparam name="TRequest">What starts a generation, for example a failing episode.</typeparam>
/// <typeparam name="TAnalysis">What the analysis produces.</typeparam>
/// <typeparam name="TProposal">The proposed change, for example a skill candidate.</typeparam>
/// <remarks>
/// Subclass it for a domain-specific loop, and make its model calls through <see cref="Model"/>: that checks the
/// agent's maturity, the workspace's settings, its daily limit and its token budget before the call, and gives the
/// reservation back when the call fails. Instances are thread-safe when the overrides are.
/// </remarks>
public abstract class BaseLearningEngine<TRequest, TAnalysis, TProposal>
{
    /// <summary>Creates the engine.</summary>
    protected BaseLearningEngine(GatedModelCall model, ISandbox sandbox, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        (Model, Sandbox, TimeProvider, Logger) = (model, sandbox, timeProvider, logger);
    }

    /// <summary>The guarded way to call the model: the capability gate, the daily limit and the token budget come first.</summary>
    protected GatedModelCall Model { get; }

    /// <summary>The sandbox that runs proposed code.</summary>
    protected ISandbox Sandbox { get; }

    /// <summary>The clock.</summary>
    protected TimeProvider TimeProvider { get; }

    /// <summary>The engine's logger.</summary>
    protected ILogger Logger { get; }

    /// <summary>Analyzes the request, then proposes; the proposal is stored by <see cref="ProposeAsync"/> and validated later.</summary>
    protected async Task<TProposal> GenerateAsync(TRequest request, CancellationToken cancellationToken)
    {
        var analysis = await AnalyzeAsync(request, cancellationToken).ConfigureAwait(false);
        return await ProposeAsync(analysis, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Works out what happened and what would help. Throws when the request may not lead to a model call.</summary>
    protected abstract Task<TAnalysis> AnalyzeAsync(TRequest request, CancellationToken cancellationToken);

    /// <summary>Asks the model for a change and stores it, waiting for <see cref="ValidateAsync"/>.</summary>
    protected abstract Task<TProposal> ProposeAsync(TAnalysis analysis, CancellationToken cancellationToken);

    /// <summary>Checks a stored proposal, usually by running it in <see cref="Sandbox"/>.</summary>
    protected abstract Task<LearningValidation> ValidateAsync(TProposal proposal, CancellationToken cancellationToken);

    /// <summary>Removes Markdown code fences of every form from model output. See <see cref="CodeFences.Strip"/>.</summary>
    protected static string StripMarkdownFences(string text) => CodeFences.Strip(text);
}

/// <summary>How a proposal fared in validation.</summary>
/// <param name="Passed">Whether it passed.</param>
/// <param name="FailureReason">Why not.</param>
/// <param name="Sandbox">The sandbox result, if it ran.</param>
/// <param name="Signals">The proxy fitness signals it earned.</param>
public record LearningValidation(bool Passed, string? FailureReason, SandboxResult? Sandbox, IReadOnlyList<FitnessSignal> Signals)
{
    private static readonly FitnessSignal[] CompiledOnly = [new(FitnessSignalNames.Compiles)];
    private static readonly FitnessSignal[] CompiledAndExecuted = [new(FitnessSignalNames.Compiles), new(FitnessSignalNames.Executed)];

    /// <summary>A validation from a sandbox result: passed when it succeeded.</summary>
    public static LearningValidation FromSandbox(SandboxResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var reason = result.Succeeded ? null
            : result.Error is { } error ? $"{result.Status}: {error.Type}: {error.Message}"
            : result.Status.ToString();
        return new(result.Succeeded, reason, result, ProxySignalsOf(result));
    }

    /// <summary>A failed validation that never reached the sandbox (for example, no code in the model's answer).</summary>
    public static LearningValidation Failed(string reason) => new(false, reason, null, []);

    private static FitnessSignal[] ProxySignalsOf(SandboxResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Status switch
        {
            SandboxStatus.Succeeded => CompiledAndExecuted,
            SandboxStatus.SyntaxError => [],
            _ => CompiledOnly,
        };
    }
}
