using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;

namespace AutoDev;

/// <summary>
/// The one way AutoDev's engines call the model: every call gets a time-out per attempt, retries with jittered
/// back-off on transient failures (honouring <c>Retry-After</c>), a circuit breaker, and a <see cref="ChatCallRecord"/>
/// with its token usage. A call that still fails comes back as a failed <see cref="ChatCallResult"/> with the reason,
/// never as an exception.
/// </summary>
/// <remarks>A singleton over the registered <see cref="IChatClient"/>. Cancelling the token stops the call at once, waits included, and throws <see cref="OperationCanceledException"/>.</remarks>
public interface IChatGateway
{
    /// <summary>Asks the model, resiliently, and records the call against the workspace.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="InvalidOperationException">No <see cref="IChatClient"/> is registered.</exception>
    Task<ChatCallResult> GetResponseAsync(ChatCallContext context, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>Who a chat call is for and why; recorded with the call.</summary>
/// <param name="TenantId">The workspace whose usage the call counts against.</param>
/// <param name="Purpose">What the call is for, for example <c>memento.generate</c>.</param>
public sealed record ChatCallContext(string TenantId, string Purpose)
{
    /// <summary>The agent the call is made for, if any.</summary>
    public string? AgentId { get; init; }
}

/// <summary>The outcome of a call through <see cref="IChatGateway"/>.</summary>
/// <param name="Response">The model's answer, or <see langword="null"/> when the call failed.</param>
/// <param name="Record">What was recorded: attempts, duration, tokens and the failure reason.</param>
/// <param name="Failure">The last failure, when the call failed.</param>
public sealed record ChatCallResult(ChatResponse? Response, ChatCallRecord Record, ChatServiceException? Failure)
{
    /// <summary>Whether an answer came back.</summary>
    [MemberNotNullWhen(true, nameof(Response))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Response is not null;

    /// <summary>The answer's text, or empty when the call failed. A NUL character in it (which no store keeps) is replaced by U+FFFD.</summary>
    public string Text => Response is null ? string.Empty : Internal.Guard.Storable(Response.Text);
}
