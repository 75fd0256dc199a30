using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace AutoDev;

/// <summary>The default <see cref="IChatGateway"/>: a Polly pipeline (retry → circuit breaker → time-out per attempt) around <see cref="AutoDevChatClient"/>'s client.</summary>
internal sealed class ChatGateway : IChatGateway
{
    private readonly IServiceProvider _services;
    private readonly IChatCallStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<ChatGateway> _logger;
    private readonly ChatResilienceOptions _options;
    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerStateProvider _circuit = new();
    private ChatCallRecord? _lastCall;

    /// <summary>Creates the gateway.</summary>
    public ChatGateway(IServiceProvider services, IChatCallStore store, IOptions<ChatResilienceOptions> options, TimeProvider timeProvider, ILogger<ChatGateway> logger)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _services = services;
        _store = store;
        _time = timeProvider;
        _logger = logger;
        _options = options.Value;
        _pipeline = BuildPipeline();
    }

    /// <inheritdoc/>
    public async Task<ChatCallResult> GetResponseAsync(ChatCallContext context, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(messages);
        Internal.Guard.Id(context.TenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(context.Purpose);
        options = options?.Clone() ?? new ChatOptions();
        options.MaxOutputTokens ??= _options.MaxOutputTokens;
        var call = new Call(AutoDevChatClient.Resolve(_services), [.. messages], options);

        var startedAt = _time.GetUtcNow();
        var started = _time.GetTimestamp();
        ChatResponse? response = null;
        ChatServiceException? failure = null;
        try
        {
            response = await _pipeline.ExecuteAsync(
                static async (call, token) =>
                {
                    call.Attempts++;
                    return await call.Client.GetResponseAsync(call.Messages, call.Options, token).ConfigureAwait(false);
                },
                call,
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            failure = Classify(ex);
        }

        var (input, output, total, reported) = Charge(response?.Usage, TokenBudget.InputBound(call.Messages.Sum(m => (long)m.Text.Length)), options.MaxOutputTokens!.Value);
        if (reported > total)
        {
            Log.ChatUsageOverBound(_logger, context.TenantId, context.Purpose, reported, total);
        }

        var record = new ChatCallRecord
        {
            TenantId = context.TenantId,
            AgentId = context.AgentId,
            Purpose = context.Purpose,
            ModelId = response?.ModelId ?? options.ModelId ?? call.Client.GetService<ChatClientMetadata>()?.DefaultModelId,
            StartedAt = startedAt,
            Duration = _time.GetElapsedTime(started),
            Attempts = call.Attempts,
            Succeeded = response is not null,
            FailureKind = failure?.Kind,
            FailureReason = failure is null ? null : Internal.Guard.Storable(Reason(failure)),
            InputTokens = input,
            OutputTokens = output,
            TotalTokens = total,
        };
        await _store.AddAsync(record, CancellationToken.None).ConfigureAwait(false);
        Volatile.Write(ref _lastCall, record);
        if (failure is not null)
        {
            Log.ChatCallFailed(_logger, context.TenantId, context.Purpose, record.Attempts, failure.Kind, record.FailureReason!);
        }

        return new ChatCallResult(response, record, failure);
    }

    /// <summary>The circuit breaker's state, for the health check.</summary>
    internal CircuitState Circuit => _circuit.CircuitState;

    /// <summary>The last call this gateway made (any workspace), or <see langword="null"/> before the first one.</summary>
    internal ChatCallRecord? LastCall => Volatile.Read(ref _lastCall);

    /// <summary>Translates any exception from a chat client into a <see cref="ChatServiceException"/>.</summary>
    internal static ChatServiceException Classify(Exception exception) => exception switch
    {
        ChatServiceException chat => chat,
        TimeoutRejectedException timeout => new(ChatFailureKind.Timeout, $"The attempt took longer than its time-out of {timeout.Timeout.TotalSeconds:0.###} s.", innerException: timeout),
        BrokenCircuitException broken => new(ChatFailureKind.CircuitOpen, "Too many recent chat calls failed; the circuit breaker refused the call without trying.", retryAfter: broken.RetryAfter, innerException: broken),
        HttpRequestException { StatusCode: { } status } http => new(ChatServiceException.KindOfStatus((int)status), $"The chat service answered {(int)status} {status}.", (int)status, innerException: http),
        HttpRequestException or IOException or SocketException => new(ChatFailureKind.Network, $"The connection to the chat service failed: {exception.Message}", innerException: exception),
        JsonException => new(ChatFailureKind.InvalidResponse, $"The chat service's answer is not valid JSON: {exception.Message}", innerException: exception),
        OperationCanceledException => new(ChatFailureKind.Timeout, "The chat client gave up waiting for the service.", innerException: exception),
        _ => new(ChatFailureKind.Other, $"The chat client threw {exception.GetType().Name}: {exception.Message}", innerException: exception),
    };

    /// <summary>
    /// What a call is charged: the reported usage, but never more than the call can cost (a token is at least one
    /// character of the prompt; the answer is capped). Over the bound, each part is cut to its bound and the total is
    /// their sum; <c>Reported</c> is the largest total the service claimed.
    /// </summary>
    private static (long Input, long Output, long Total, long Reported) Charge(UsageDetails? usage, long inputBound, long outputBound)
    {
        var (reportedInput, reportedOutput) = (usage?.InputTokenCount ?? 0, usage?.OutputTokenCount ?? 0);
        var reported = Math.Max(usage?.TotalTokenCount ?? 0, reportedInput + reportedOutput);
        var (input, output) = (Math.Clamp(reportedInput, 0, inputBound), Math.Clamp(reportedOutput, 0, outputBound));
        var overBound = reportedInput > inputBound || reportedOutput > outputBound || reported > inputBound + outputBound;
        return (input, output, overBound ? input + output : reported, reported);
    }

    private string Reason(ChatServiceException failure) =>
        failure.RetryAfter is { } wait && failure.Kind == ChatFailureKind.RateLimited && wait > _options.MaxRetryDelay
            ? $"{failure.Message} The service asked to wait {wait.TotalSeconds:0.###} s, longer than MaxRetryDelay ({_options.MaxRetryDelay.TotalSeconds:0.###} s)."
            : failure.Message;

    private bool ShouldRetry(Exception? exception, ResilienceContext context)
    {
        if (exception is null || context.CancellationToken.IsCancellationRequested)
        {
            return false;
        }

        var failure = Classify(exception);
        return failure.IsTransient && (failure.RetryAfter is not { } wait || wait <= _options.MaxRetryDelay);
    }

    private ResiliencePipeline BuildPipeline()
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = _time };
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
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is { } ex ? Classify(ex).RetryAfter : null),
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
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && !args.Context.CancellationToken.IsCancellationRequested && Classify(ex).IsTransient),
        });
        builder.AddTimeout(_options.AttemptTimeout);
        return builder.Build();
    }

    private sealed class Call(IChatClient client, List<ChatMessage> messages, ChatOptions? options)
    {
        public IChatClient Client { get; } = client;

        public List<ChatMessage> Messages { get; } = messages;

        public ChatOptions? Options { get; } = options;

        public int Attempts { get; set; }
    }
}
