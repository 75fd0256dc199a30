using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AutoDev.Testing;

/// <summary>An <see cref="IChatClient"/> that answers from a script: fixed answers in order, or a callback.</summary>
/// <remarks>Thread-safe. Records every call in <see cref="Calls"/>. Reports token usage so budgets can be tested.</remarks>
public sealed class ScriptedChatClient : IChatClient
{
    private readonly Func<IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>> _respond;
    private readonly ConcurrentQueue<ScriptedChatCall> _calls = new();

    /// <summary>Creates a client that answers with <paramref name="respond"/>.</summary>
    public ScriptedChatClient(Func<IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>> respond)
    {
        ArgumentNullException.ThrowIfNull(respond);
        _respond = respond;
    }

    /// <summary>Creates a client that answers with <paramref name="answers"/> in order, then throws <see cref="InvalidOperationException"/> when they run out.</summary>
    public ScriptedChatClient(params string[] answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var queue = new ConcurrentQueue<string>(answers);
        _respond = (_, _, _) => queue.TryDequeue(out var answer)
            ? Task.FromResult(Text(answer))
            : throw new InvalidOperationException("The ScriptedChatClient has no answers left.");
    }

    /// <summary>Every call made, in order.</summary>
    public IReadOnlyList<ScriptedChatCall> Calls => [.. _calls];

    /// <summary>A text answer with usage counted as one token per four characters (at least one).</summary>
    public static ChatResponse Text(string text, string modelId = "scripted")
    {
        ArgumentNullException.ThrowIfNull(text);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = modelId,
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = Math.Max(1, text.Length / 4), TotalTokenCount = 10 + Math.Max(1, text.Length / 4) },
        };
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        var list = messages.ToList();
        _calls.Enqueue(new ScriptedChatCall(list, options));
        return await _respond(list, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}

/// <summary>One call a <see cref="ScriptedChatClient"/> received.</summary>
/// <param name="Messages">The messages sent.</param>
/// <param name="Options">The options sent.</param>
public sealed record ScriptedChatCall(IReadOnlyList<ChatMessage> Messages, ChatOptions? Options);
