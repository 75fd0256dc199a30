using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;

namespace AutoDev.Llm.OpenAI;

/// <summary>
/// AutoDev's chat client for OpenAI and every OpenAI-compatible server: Microsoft.Extensions.AI.OpenAI's
/// <see cref="IChatClient"/> over the OpenAI SDK's chat completions, with what AutoDev adds on top: validated options,
/// the SDK's retries off, <see cref="LlmClientOptions.MaxOutputTokens"/> as the default bound of every answer, and
/// errors as <see cref="ChatServiceException"/>s that say whether a retry may help.
/// </summary>
/// <remarks>
/// The retries are <see cref="ResilientChatClient"/>'s, once, for every provider. Messages, options, tools, streaming and
/// usage are mapped by Microsoft.Extensions.AI.OpenAI. Thread-safe.
/// </remarks>
public sealed class OpenAIChatClientAdapter : DelegatingChatClient
{
    private const string NoKey = "no-key";
    private readonly OpenAIChatClientOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the client.</summary>
    /// <exception cref="InvalidSettingsException">The options are invalid (no model, a bad endpoint, no key for OpenAI's own service).</exception>
    public OpenAIChatClientAdapter(OpenAIChatClientOptions options, TimeProvider? timeProvider = null)
        : base(Create(options))
    {
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, WithDefaults(options), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, cancellationToken) is { } translated)
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
        var updates = base.GetStreamingResponseAsync(messages, WithDefaults(options), cancellationToken).GetAsyncEnumerator(cancellationToken);
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
                catch (Exception ex) when (Translate(ex, cancellationToken) is { } translated)
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

    private static IChatClient Create(OpenAIChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate(OpenAIChatClientOptions.SectionName, keyRequired: options.Endpoint is null);
        if (errors.Count > 0)
        {
            throw new InvalidSettingsException(errors);
        }

        var sdkOptions = new OpenAIClientOptions
        {
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = options.RequestTimeout,
        };
        if (options.Endpoint is { } endpoint)
        {
            sdkOptions.Endpoint = endpoint;
        }

        // Local servers need no key, but the SDK wants one: send a placeholder they ignore.
        var key = new ApiKeyCredential(string.IsNullOrWhiteSpace(options.ApiKey) ? NoKey : options.ApiKey);
        return new OpenAIClient(key, sdkOptions).GetChatClient(options.Model).AsIChatClient();
    }

    /// <summary>The caller's options, with this client's bound on the answer when they set none.</summary>
    private ChatOptions WithDefaults(ChatOptions? options)
    {
        if (options?.MaxOutputTokens is not null)
        {
            return options;
        }

        var bounded = options?.Clone() ?? new ChatOptions();
        bounded.MaxOutputTokens = _options.MaxOutputTokens;
        return bounded;
    }

    /// <summary>The SDK's and the transport's errors as <see cref="ChatServiceException"/>s; <see langword="null"/> for the caller's own cancellation.</summary>
    private ChatServiceException? Translate(Exception exception, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return null;
            case ClientResultException { Status: > 0 } result:
                var response = result.GetRawResponse();
                return new ChatServiceException(
                    ChatServiceException.KindOfStatus(result.Status),
                    $"The OpenAI-compatible service answered {result.Status}{(ChatServiceException.ReadErrorMessage(response?.Content?.ToString()) is { } message ? ": " + message : string.Empty)}.",
                    result.Status,
                    RetryAfter(response),
                    result);
            case ClientResultException or HttpRequestException or IOException:
                return new ChatServiceException(ChatFailureKind.Network, $"The connection to the OpenAI-compatible service failed: {(exception.InnerException ?? exception).Message}", innerException: exception);
            case JsonException or FormatException or InvalidOperationException:
                return new ChatServiceException(ChatFailureKind.InvalidResponse, $"The OpenAI-compatible service's answer could not be read: {exception.Message}", innerException: exception);
            case OperationCanceledException:
                return new ChatServiceException(ChatFailureKind.Timeout, $"No answer within the request time-out of {_options.RequestTimeout.TotalSeconds:0.###} s.", innerException: exception);
            default:
                return null;
        }
    }

    private TimeSpan? RetryAfter(PipelineResponse? response)
    {
        if (response is null)
        {
            return null;
        }

        if (response.Headers.TryGetValue("retry-after-ms", out var ms) && double.TryParse(ms, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        return response.Headers.TryGetValue("Retry-After", out var value) ? ChatServiceException.ParseRetryAfter(value, _time.GetUtcNow()) : null;
    }
}
