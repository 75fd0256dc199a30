using System.Runtime.CompilerServices;
using System.Text.Json;
using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
using Microsoft.Extensions.AI;

namespace AutoDev.Llm.Anthropic;

/// <summary>
/// The Anthropic SDK's own <see cref="IChatClient"/> (the Messages API), set up from <see cref="AnthropicChatClientOptions"/>,
/// with its errors translated into <see cref="ChatServiceException"/>s that carry the status and <c>Retry-After</c>.
/// </summary>
/// <remarks>
/// The SDK's own retries are off: <see cref="ResilientChatClient"/> retries, once, for every provider. The Messages API of
/// this SDK version takes no temperature, so <see cref="ChatOptions.Temperature"/> is not sent. Thread-safe.
/// </remarks>
public sealed class AnthropicChatClientAdapter : DelegatingChatClient
{
    private static readonly AsyncLocal<StrongBox<TimeSpan?>?> CurrentRetryAfter = new();
    private readonly AnthropicClient _client;
    private readonly HttpClient _http;
    private readonly TimeSpan _requestTimeout;

    /// <summary>Creates the adapter.</summary>
    /// <exception cref="InvalidSettingsException">The options are invalid (no model, a bad endpoint, no key for Anthropic's own service).</exception>
    public AnthropicChatClientAdapter(AnthropicChatClientOptions options, TimeProvider? timeProvider = null)
        : this(Create(options, timeProvider ?? TimeProvider.System))
    {
    }

    private AnthropicChatClientAdapter((IChatClient Inner, AnthropicClient Client, HttpClient Http, TimeSpan Timeout) parts)
        : base(parts.Inner)
    {
        _client = parts.Client;
        _http = parts.Http;
        _requestTimeout = parts.Timeout;
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var retryAfter = CurrentRetryAfter.Value = new StrongBox<TimeSpan?>();
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, retryAfter.Value, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var retryAfter = CurrentRetryAfter.Value = new StrongBox<TimeSpan?>();
        var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (Exception ex) when (Translate(ex, retryAfter.Value, cancellationToken) is { } translated)
                {
                    throw translated;
                }

                yield return updates.Current;
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(_client) ? _client : base.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _client.Dispose();
            _http.Dispose();
        }

        base.Dispose(disposing);
    }

    private static (IChatClient, AnthropicClient, HttpClient, TimeSpan) Create(AnthropicChatClientOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate(AnthropicChatClientOptions.SectionName, keyRequired: options.Endpoint is null);
        if (errors.Count > 0)
        {
            throw new InvalidSettingsException(errors);
        }

        var http = new HttpClient(new RetryAfterHandler(time) { InnerHandler = new SocketsHttpHandler() }) { Timeout = Timeout.InfiniteTimeSpan };
        var clientOptions = new ClientOptions
        {
            ApiKey = options.ApiKey,
            MaxRetries = 0,
            Timeout = options.RequestTimeout,
            HttpClient = http,
        };
        if (options.Endpoint is { } endpoint)
        {
            clientOptions.BaseUrl = endpoint.ToString().TrimEnd('/');
        }

        var client = new AnthropicClient(clientOptions);
        return (client.AsIChatClient(options.Model!, options.MaxOutputTokens), client, http, options.RequestTimeout);
    }

    /// <summary>The SDK's and the transport's errors as <see cref="ChatServiceException"/>s; <see langword="null"/> for the caller's own cancellation.</summary>
    private ChatServiceException? Translate(Exception exception, TimeSpan? retryAfter, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => null,
        ChatServiceException => null,
        AnthropicApiException api => new ChatServiceException(
            ChatServiceException.KindOfStatus((int)api.StatusCode),
            $"The Anthropic service answered {(int)api.StatusCode}{(ChatServiceException.ReadErrorMessage(api.ResponseBody) is { } message ? ": " + message : string.Empty)}.",
            (int)api.StatusCode,
            retryAfter,
            api),
        AnthropicSseException => new ChatServiceException(ChatFailureKind.ServerError, $"The Anthropic service reported an error in its event stream: {exception.Message}", innerException: exception),
        AnthropicIOException or HttpRequestException or IOException =>
            new ChatServiceException(ChatFailureKind.Network, $"The connection to the Anthropic service failed: {(exception.InnerException ?? exception).Message}", innerException: exception),
        AnthropicInvalidDataException or JsonException or InvalidOperationException =>
            new ChatServiceException(ChatFailureKind.InvalidResponse, $"The Anthropic service's answer could not be read: {exception.Message}", innerException: exception),
        OperationCanceledException => new ChatServiceException(ChatFailureKind.Timeout, $"No answer within the request time-out of {_requestTimeout.TotalSeconds:0.###} s.", innerException: exception),
        _ => null,
    };

    /// <summary>Reads <c>Retry-After</c> from failed responses into the current call's box, since the SDK's exceptions do not carry headers.</summary>
    private sealed class RetryAfterHandler(TimeProvider time) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode && CurrentRetryAfter.Value is { } box && response.Headers.TryGetValues("Retry-After", out var values))
            {
                box.Value = ChatServiceException.ParseRetryAfter(values.FirstOrDefault(), time.GetUtcNow());
            }

            return response;
        }
    }
}
