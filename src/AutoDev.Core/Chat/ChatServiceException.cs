namespace AutoDev;

/// <summary>Why a chat call failed.</summary>
public enum ChatFailureKind
{
    /// <summary>Something else went wrong; not retried.</summary>
    Other = 0,

    /// <summary>An attempt took longer than its time-out; retried.</summary>
    Timeout = 1,

    /// <summary>The service answered 429 Too Many Requests; retried after its <c>Retry-After</c>.</summary>
    RateLimited = 2,

    /// <summary>The service answered 5xx; retried.</summary>
    ServerError = 3,

    /// <summary>The connection failed or was dropped; retried.</summary>
    Network = 4,

    /// <summary>The service refused the request (4xx other than 408 and 429: a bad key, an unknown model, a request too large); not retried.</summary>
    Rejected = 5,

    /// <summary>The service answered with something that is not its wire format (malformed JSON); not retried.</summary>
    InvalidResponse = 6,

    /// <summary>Too many recent calls failed, so the circuit breaker refused the call without trying.</summary>
    CircuitOpen = 7,
}

/// <summary>A chat service call failed. LLM adapters translate their SDK's errors into it; <see cref="ResilientChatClient"/> decides from it whether to retry.</summary>
/// <remarks>The message never contains the API key or the request's content.</remarks>
public sealed class ChatServiceException : AutoDevException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">What went wrong.</param>
    /// <param name="message">What happened, without secrets.</param>
    /// <param name="statusCode">The HTTP status, when the service answered.</param>
    /// <param name="retryAfter">How long the service asked the client to wait (<c>Retry-After</c>).</param>
    /// <param name="innerException">The SDK's exception.</param>
    public ChatServiceException(ChatFailureKind kind, string message, int? statusCode = null, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    /// <summary>What went wrong.</summary>
    public ChatFailureKind Kind { get; }

    /// <summary>The HTTP status, when the service answered.</summary>
    public int? StatusCode { get; }

    /// <summary>How long the service asked the client to wait before the next attempt.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// What <see cref="UsageRecordingChatClient"/> recorded for the failed call, when the call went through it; the
    /// record is already stored.
    /// </summary>
    public ChatCallRecord? Record { get; internal set; }

    /// <summary>Whether another attempt may succeed: time-outs, 429, 5xx and network errors.</summary>
    public bool IsTransient => IsTransientKind(Kind);

    /// <summary>The failure kind of an HTTP status code.</summary>
    public static ChatFailureKind KindOfStatus(int statusCode) => statusCode switch
    {
        408 => ChatFailureKind.Timeout,
        429 => ChatFailureKind.RateLimited,
        >= 500 => ChatFailureKind.ServerError,
        >= 400 => ChatFailureKind.Rejected,
        _ => ChatFailureKind.InvalidResponse,
    };

    /// <summary>
    /// Reads a <c>Retry-After</c> header value: delay seconds (<c>"2"</c>, or <c>"1.5"</c> as some services send) or an
    /// HTTP date, relative to <paramref name="now"/>.
    /// </summary>
    public static TimeSpan? ParseRetryAfter(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;
        }

        return DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var date)
            ? date > now ? date - now : TimeSpan.Zero
            : null;
    }

    /// <summary>
    /// The <c>error.message</c> of an error body in the shape OpenAI-compatible servers and Anthropic share
    /// (<c>{"error": {"message": "..."}}</c>), cut to 300 characters; null when the body has none. For adapter authors.
    /// </summary>
    public static string? ReadErrorMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == System.Text.Json.JsonValueKind.Object
                && error.TryGetProperty("message", out var message)
                && message.ValueKind == System.Text.Json.JsonValueKind.String
                && message.GetString() is { Length: > 0 } text
                ? (text.Length > 300 ? text[..300] + "…" : text)
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Translates any exception from a chat client, or from the resilience around it, into a <see cref="ChatServiceException"/>.</summary>
    internal static ChatServiceException From(Exception exception) => exception switch
    {
        ChatServiceException chat => chat,
        Polly.Timeout.TimeoutRejectedException timeout => new(ChatFailureKind.Timeout, $"The attempt took longer than its time-out of {timeout.Timeout.TotalSeconds:0.###} s.", innerException: timeout),
        Polly.CircuitBreaker.BrokenCircuitException broken => new(ChatFailureKind.CircuitOpen, "Too many recent chat calls failed; the circuit breaker refused the call without trying.", retryAfter: broken.RetryAfter, innerException: broken),
        HttpRequestException { StatusCode: { } status } http => new(KindOfStatus((int)status), $"The chat service answered {(int)status} {status}.", (int)status, innerException: http),
        HttpRequestException or IOException or System.Net.Sockets.SocketException => new(ChatFailureKind.Network, $"The connection to the chat service failed: {exception.Message}", innerException: exception),
        System.Text.Json.JsonException => new(ChatFailureKind.InvalidResponse, $"The chat service's answer is not valid JSON: {exception.Message}", innerException: exception),
        OperationCanceledException => new(ChatFailureKind.Timeout, "The chat client gave up waiting for the service.", innerException: exception),
        _ => new(ChatFailureKind.Other, $"The chat client threw {exception.GetType().Name}: {exception.Message}", innerException: exception),
    };

    internal static bool IsTransientKind(ChatFailureKind kind) =>
        kind is ChatFailureKind.Timeout or ChatFailureKind.RateLimited or ChatFailureKind.ServerError or ChatFailureKind.Network;
}
