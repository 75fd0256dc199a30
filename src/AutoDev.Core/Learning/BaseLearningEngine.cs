using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AutoDev;

/// <summary>
/// The base of every learning loop: <see cref="AnalyzeAsync"/> what happened, <see cref="ProposeAsync"/> a change
/// (usually through the chat client), <see cref="ValidateAsync"/> it (usually in the sandbox).
/// </summary>
/// <typeparam name="TRequest">What starts a run, for example a failing episode.</typeparam>
/// <typeparam name="TAnalysis">What the analysis produces.</typeparam>
/// <typeparam name="TProposal">The proposed change, for example a skill candidate.</typeparam>
/// <remarks>
/// Subclass it for a domain-specific loop. Instances are thread-safe when the overrides are. The chat client and the
/// sandbox are resolved when first used, so an engine that never calls the LLM needs no <see cref="IChatClient"/>.
/// </remarks>
public abstract class BaseLearningEngine<TRequest, TAnalysis, TProposal>
{
    private readonly LearningEngineServices _services;

    /// <summary>Creates the engine.</summary>
    protected BaseLearningEngine(LearningEngineServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        _services = services;
        Logger = services.LoggerFactory.CreateLogger(GetType());
    }

    /// <summary>The chat client registered in DI.</summary>
    /// <exception cref="InvalidOperationException">No <see cref="IChatClient"/> is registered.</exception>
    protected IChatClient ChatClient => _services.ChatClient;

    /// <summary>The resilient, recorded way to call the chat client; prefer it to <see cref="ChatClient"/>.</summary>
    protected IChatGateway Chat => _services.Chat;

    /// <summary>The sandbox registered in DI.</summary>
    /// <exception cref="InvalidOperationException">No <see cref="ISandbox"/> is registered.</exception>
    protected ISandbox Sandbox => _services.Sandbox;

    /// <summary>The clock.</summary>
    protected TimeProvider TimeProvider => _services.TimeProvider;

    /// <summary>A logger named after the concrete engine.</summary>
    protected ILogger Logger { get; }

    /// <summary>Runs analyze → propose → validate.</summary>
    public async Task<LearningOutcome<TAnalysis, TProposal>> RunAsync(TRequest request, CancellationToken cancellationToken = default)
    {
        var analysis = await AnalyzeAsync(request, cancellationToken).ConfigureAwait(false);
        var proposal = await ProposeAsync(analysis, cancellationToken).ConfigureAwait(false);
        var validation = await ValidateAsync(proposal, cancellationToken).ConfigureAwait(false);
        return new LearningOutcome<TAnalysis, TProposal>(analysis, proposal, validation);
    }

    /// <summary>Works out what happened and what would help.</summary>
    protected abstract Task<TAnalysis> AnalyzeAsync(TRequest request, CancellationToken cancellationToken);

    /// <summary>Proposes a change.</summary>
    protected abstract Task<TProposal> ProposeAsync(TAnalysis analysis, CancellationToken cancellationToken);

    /// <summary>Checks the proposal.</summary>
    protected abstract Task<LearningValidation> ValidateAsync(TProposal proposal, CancellationToken cancellationToken);

    /// <summary>Removes Markdown code fences of every form from model output. See <see cref="CodeFences.Strip"/>.</summary>
    protected static string StripMarkdownFences(string text) => CodeFences.Strip(text);

    /// <summary>The proxy fitness signals a sandbox result earns: compiles unless it was a syntax error; executed when it succeeded.</summary>
    protected static IReadOnlyList<FitnessSignal> ProxySignals(SandboxResult result) => LearningValidation.ProxySignalsOf(result);
}

/// <summary>The outcome of a <see cref="BaseLearningEngine{TRequest, TAnalysis, TProposal}"/> run.</summary>
/// <param name="Analysis">What the analysis produced.</param>
/// <param name="Proposal">The proposal.</param>
/// <param name="Validation">How it fared.</param>
public sealed record LearningOutcome<TAnalysis, TProposal>(TAnalysis Analysis, TProposal Proposal, LearningValidation Validation);

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

    internal static IReadOnlyList<FitnessSignal> ProxySignalsOf(SandboxResult result)
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

/// <summary>What a learning engine needs from the host, resolved lazily so that optional parts stay optional.</summary>
/// <remarks>A singleton. Registered by <c>AddAutoDev()</c>.</remarks>
public sealed class LearningEngineServices(IServiceProvider services, TimeProvider timeProvider, ILoggerFactory loggerFactory)
{
    /// <summary>The service key of the <see cref="IChatClient"/> AutoDev uses when the host has another one of its own: <c>AutoDev</c>.</summary>
    public const string ChatClientServiceKey = "AutoDev";

    /// <summary>The chat client.</summary>
    /// <exception cref="InvalidOperationException">None is registered.</exception>
    /// <remarks>The client registered for AutoDev (keyed <see cref="ChatClientServiceKey"/>, as <c>UseChatClient</c> and the adapters register it), else the host's unkeyed <see cref="IChatClient"/>.</remarks>
    public IChatClient ChatClient =>
        (services as IKeyedServiceProvider)?.GetKeyedService(typeof(IChatClient), ChatClientServiceKey) as IChatClient
        ?? (IChatClient?)services.GetService(typeof(IChatClient))
        ?? throw new InvalidOperationException("No IChatClient is registered. Register one (services.AddChatClient(...)), or call AddOpenAIChatClient / AddAnthropicChatClient on the AutoDev builder.");

    /// <summary>The chat gateway: resilience and usage records around <see cref="ChatClient"/>.</summary>
    public IChatGateway Chat => (IChatGateway?)services.GetService(typeof(IChatGateway))
        ?? throw new InvalidOperationException("No IChatGateway is registered; call services.AddAutoDev().");

    /// <summary>The sandbox.</summary>
    /// <exception cref="InvalidOperationException">None is registered.</exception>
    public ISandbox Sandbox =>
        (ISandbox?)services.GetService(typeof(ISandbox))
        ?? throw new InvalidOperationException("No ISandbox is registered. Add a sandbox tier (for example AddDockerSandbox) or register your own ISandbox.");

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; } = timeProvider;

    /// <summary>The logger factory.</summary>
    public ILoggerFactory LoggerFactory { get; } = loggerFactory;
}
