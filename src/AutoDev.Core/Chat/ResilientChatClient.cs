using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace AutoDev;

/// <summary>
/// Chat middleware that makes each call resilient: a time-out per attempt, retries with jittered exponential back-off
/// on transient failures (honouring <c>Retry-After</c> up to <see cref="ChatResilienceOptions.MaxRetryDelay"/>), and a
/// circuit breaker, as one Polly pipeline (retry → circuit breaker → time-out). A call that still fails throws a
/// <see cref="ChatServiceException"/> that says why.
/// </summary>
/// <remarks>
/// Add it with <see cref="AutoDevChatClientBuilderExtensions.UseAutoDevResilience"/>; AutoDev's own pipeline has it.
/// Streaming calls pass through without retries or the circuit breaker: a stream that already yielded cannot be
/// replayed, and AutoDev's loops do not stream. Thread-safe; the circuit is shared by every call through this instance.
/// </remarks>
public sealed class ResilientChatClient : DelegatingChatClient
{
    private readonly ChatResilienceOptions _options;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerStateProvider _circuit = new();

    /// <summary>Wraps <paramref name="innerClient"/>.</summary>
    /// <param name="innerClient">The client that makes each attempt.</param>
    /// <param name="options">The time-out, retries and circuit breaker; read once.</param>
    /// <param name="timeProvider">The clock of back-offs, time-outs and the circuit; the system clock by default.</param>
    /// <param name="logger">Where retries are logged.</param>
    public ResilientChatClient(IChatClient innerClient, ChatResilienceOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _pipeline = BuildPipeline(timeProvider ?? TimeProvider.System);
    }

    /// <summary>The circuit breaker's state, for the health check.</summary>
    internal CircuitState Circuit => _circuit.CircuitState;

    /// <inheritdoc/>
    /// <exception cref="ChatServiceException">The call failed after its retries, or the circuit refused it.</exception>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var call = new Call(this, messages as IList<ChatMessage> ?? [.. messages], options);
        ChatAttempts.Current?.Counting();
        try
        {
            return await _pipeline.ExecuteAsync(
                static (call, token) =>
                {
                    ChatAttempts.Current?.Add();
                    return new ValueTask<ChatResponse>(call.Client.AttemptAsync(call.Messages, call.Options, token));
                },
                call,
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not ChatServiceException)
        {
            throw ChatServiceException.From(ex);
        }
        catch (ChatServiceException ex) when (ex.RetryAfter is { } wait && ex.Kind == ChatFailureKind.RateLimited && wait > _options.MaxRetryDelay)
        {
            throw new ChatServiceException(
                ex.Kind,
                $"{ex.Message} The service asked to wait {wait.TotalSeconds:0.###} s, longer than MaxRetryDelay ({_options.MaxRetryDelay.TotalSeconds:0.###} s).",
                ex.StatusCode,
                ex.RetryAfter,
                ex);
        }
    }

    private Task<ChatResponse> AttemptAsync(IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken) =>
        base.GetResponseAsync(messages, options, cancellationToken);

    private bool ShouldRetry(Exception? exception, ResilienceContext context)
    {
        if (exception is null || context.CancellationToken.IsCancellationRequested)
        {
            return false;
        }

        var failure = ChatServiceException.From(exception);
        return failure.IsTransient && (failure.RetryAfter is not { } wait || wait <= _options.MaxRetryDelay);
    }

    private ResiliencePipeline BuildPipeline(TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (_options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = _options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryBaseDelay,
                MaxDelay = _options.MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome.Exception, args.Context)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is { } ex ? ChatServiceException.From(ex).RetryAfter : null),
                OnRetry = args =>
                {
                    Log.ChatCallRetrying(_logger, args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.Message);
                    return default;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = _options.CircuitFailureRatio,
            MinimumThroughput = _options.CircuitMinimumThroughput,
            SamplingDuration = _options.CircuitSamplingDuration,
            BreakDuration = _options.CircuitBreakDuration,
            StateProvider = _circuit,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && !args.Context.CancellationToken.IsCancellationRequested && ChatServiceException.From(ex).IsTransient),
        });
        builder.AddTimeout(_options.AttemptTimeout);
        return builder.Build();
    }

    private sealed record Call(ResilientChatClient Client, IList<ChatMessage> Messages, ChatOptions? Options);
}

/// <summary>
/// Counts the attempts of one call: <see cref="UsageRecordingChatClient"/> starts a count around the call, and
/// <see cref="ResilientChatClient"/> inside it adds each attempt. Without a resilience layer a call is one attempt.
/// </summary>
internal sealed class ChatAttempts
{
    private static readonly AsyncLocal<ChatAttempts?> Ambient = new();
    private int _count;
    private bool _counted;

    public static ChatAttempts? Current => Ambient.Value;

    /// <summary>The attempts made: as counted, or 1 when nothing inside counted them.</summary>
    public int Count => Volatile.Read(ref _counted) ? Volatile.Read(ref _count) : 1;

    /// <summary>Starts counting for the calls made from the current async flow.</summary>
    public static ChatAttempts Begin() => Ambient.Value = new ChatAttempts();

    /// <summary>Says that a resilience layer counts the attempts, so a call it refuses without trying made none.</summary>
    public void Counting() => Volatile.Write(ref _counted, true);

    public void Add() => Interlocked.Increment(ref _count);
}
