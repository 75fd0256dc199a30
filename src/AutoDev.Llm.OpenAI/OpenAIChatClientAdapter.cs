using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;
using AIFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using SdkChatMessage = OpenAI.Chat.ChatMessage;
using SdkFinishReason = OpenAI.Chat.ChatFinishReason;

namespace AutoDev.Llm.OpenAI;

/// <summary>
/// An <see cref="IChatClient"/> over the OpenAI SDK's chat client (chat completions): system, user and assistant text
/// messages; temperature, top-p, seed, max output tokens, stop sequences and model id; the answer with its usage and
/// finish reason. Errors become <see cref="ChatServiceException"/>s that say whether a retry may help.
/// </summary>
/// <remarks>
/// The SDK's own retries are off: <see cref="IChatGateway"/> retries, once, for every provider. Thread-safe.
/// Tool calls and non-text content are not supported and throw <see cref="NotSupportedException"/>.
/// </remarks>
public sealed class OpenAIChatClientAdapter : IChatClient
{
    private const string NoKey = "no-key";
    private readonly OpenAIClient _client;
    private readonly OpenAIChatClientOptions _options;
    private readonly ChatClientMetadata _metadata;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, ChatClient> _chatClients = new(StringComparer.Ordinal);

    /// <summary>Creates the adapter.</summary>
    /// <exception cref="InvalidSettingsException">The options are invalid (no model, a bad endpoint, no key for OpenAI's own service).</exception>
    public OpenAIChatClientAdapter(OpenAIChatClientOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate(OpenAIChatClientOptions.SectionName, keyRequired: options.Endpoint is null);
        if (errors.Count > 0)
        {
            throw new InvalidSettingsException(errors);
        }

        _options = options;
        _time = timeProvider ?? TimeProvider.System;
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
        _client = new OpenAIClient(new ApiKeyCredential(string.IsNullOrWhiteSpace(options.ApiKey) ? NoKey : options.ApiKey), sdkOptions);
        _metadata = new ChatClientMetadata("openai", options.Endpoint, options.Model);
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (client, sdkMessages, sdkOptions) = Prepare(messages, options);
        ChatCompletion completion;
        try
        {
            completion = (await client.CompleteChatAsync(sdkMessages, sdkOptions, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (Exception ex) when (Translate(ex, cancellationToken) is { } translated)
        {
            throw translated;
        }

        var text = string.Concat(completion.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
        if (text.Length == 0 && completion.Refusal is { Length: > 0 } refusal)
        {
            text = refusal;
        }

        return new ChatResponse(new AIChatMessage(AIChatRole.Assistant, text) { MessageId = completion.Id })
        {
            ResponseId = completion.Id,
            ModelId = completion.Model,
            CreatedAt = completion.CreatedAt,
            FinishReason = Map(completion.FinishReason),
            Usage = Map(completion.Usage),
            RawRepresentation = completion,
        };
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AIChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (client, sdkMessages, sdkOptions) = Prepare(messages, options);
        var updates = client.CompleteChatStreamingAsync(sdkMessages, sdkOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                StreamingChatCompletionUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }

                    update = updates.Current;
                }
                catch (Exception ex) when (Translate(ex, cancellationToken) is { } translated)
                {
                    throw translated;
                }

                var result = new ChatResponseUpdate(AIChatRole.Assistant, string.Concat(update.ContentUpdate.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text)))
                {
                    ResponseId = update.CompletionId,
                    MessageId = update.CompletionId,
                    ModelId = update.Model,
                    CreatedAt = update.CreatedAt,
                    FinishReason = update.FinishReason is { } reason ? Map(reason) : null,
                    RawRepresentation = update,
                };
                if (Map(update.Usage) is { } usage)
                {
                    result.Contents.Add(new UsageContent(usage));
                }

                yield return result;
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(_client) ? _client
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private (ChatClient Client, List<SdkChatMessage> Messages, ChatCompletionOptions Options) Prepare(IEnumerable<AIChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var model = options?.ModelId ?? _options.Model!;
        var client = _chatClients.GetOrAdd(model, static (m, c) => c.GetChatClient(m), _client);
        var sdkMessages = messages.Select(Map).ToList();
        var sdkOptions = new ChatCompletionOptions
        {
            Temperature = options?.Temperature,
            TopP = options?.TopP,
#pragma warning disable OPENAI001 // Seed is marked experimental by the SDK; it is what ChatOptions.Seed means.
            Seed = options?.Seed,
#pragma warning restore OPENAI001
            FrequencyPenalty = options?.FrequencyPenalty,
            PresencePenalty = options?.PresencePenalty,
            MaxOutputTokenCount = options?.MaxOutputTokens ?? _options.MaxOutputTokens,
        };
        foreach (var stop in options?.StopSequences ?? [])
        {
            sdkOptions.StopSequences.Add(stop);
        }

        if (options?.Tools is { Count: > 0 })
        {
            throw new NotSupportedException("The OpenAI adapter sends text messages only; tool calls are not supported.");
        }

        return (client, sdkMessages, sdkOptions);
    }

    private static SdkChatMessage Map(AIChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Contents.Any(c => c is not TextContent))
        {
            throw new NotSupportedException($"The OpenAI adapter sends text content only; a {message.Role} message holds {message.Contents.First(c => c is not TextContent).GetType().Name}.");
        }

        var text = message.Text;
        return message.Role == AIChatRole.System ? new SystemChatMessage(text)
            : message.Role == AIChatRole.User ? new UserChatMessage(text)
            : message.Role == AIChatRole.Assistant ? new AssistantChatMessage(text)
            : throw new NotSupportedException($"The OpenAI adapter does not send {message.Role} messages.");
    }

    private static AIFinishReason Map(SdkFinishReason reason) => reason switch
    {
        SdkFinishReason.Stop => AIFinishReason.Stop,
        SdkFinishReason.Length => AIFinishReason.Length,
        SdkFinishReason.ContentFilter => AIFinishReason.ContentFilter,
        _ => AIFinishReason.ToolCalls,
    };

    private static UsageDetails? Map(ChatTokenUsage? usage) => usage is null ? null : new UsageDetails
    {
        InputTokenCount = usage.InputTokenCount,
        OutputTokenCount = usage.OutputTokenCount,
        TotalTokenCount = usage.TotalTokenCount,
    };

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
