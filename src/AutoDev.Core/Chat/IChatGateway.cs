using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;

namespace AutoDev;

/// <summary>
/// The one way AutoDev's engines call the model: a façade over AutoDev's chat pipeline, whose middleware gives every
/// call a <see cref="ChatCallRecord"/> with its token usage (<see cref="UsageRecordingChatClient"/>), a time-out per
/// attempt, retries with jittered back-off on transient failures and a circuit breaker (<see cref="ResilientChatClient"/>),
/// gen_ai spans and metrics (Microsoft.Extensions.AI's <c>OpenTelemetryChatClient</c>) and logging, then the host's own
/// middleware (<c>AddAutoDev().ConfigureChatPipeline(...)</c>) around the registered <see cref="IChatClient"/>.
/// A call that still fails comes back as a failed <see cref="ChatCallResult"/> with the reason, never as an exception.
/// </summary>
/// <remarks>A singleton. Cancelling the token stops the call at once, waits included, and throws <see cref="OperationCanceledException"/>.</remarks>
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
    /// <summary>
    /// The key of <c>ChatOptions.AdditionalProperties</c> under which a call carries its context to
    /// <see cref="UsageRecordingChatClient"/>, which takes it out before the call goes on: <c>autodev.call_context</c>.
    /// </summary>
    public const string OptionsKey = "autodev.call_context";

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
