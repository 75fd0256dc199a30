namespace AutoDev;

/// <summary>One chat call made for a workspace, successful or not: what it cost and, when it failed, why.</summary>
/// <remarks>Written by <see cref="UsageRecordingChatClient"/> for every call; token usage feeds the workspace's daily budget.</remarks>
public sealed record ChatCallRecord
{
    /// <summary>The key of <c>ChatResponse.AdditionalProperties</c> under which <see cref="UsageRecordingChatClient"/> puts the record of a successful call: <c>autodev.call_record</c>.</summary>
    public const string ResponseKey = "autodev.call_record";

    /// <summary>The record's id.</summary>
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>The workspace the call was made for.</summary>
    public required string TenantId { get; init; }

    /// <summary>The agent the call was made for, if any.</summary>
    public string? AgentId { get; init; }

    /// <summary>What the call was for, for example <c>memento.generate</c>.</summary>
    public required string Purpose { get; init; }

    /// <summary>The model that answered, or the one asked for when none answered.</summary>
    public string? ModelId { get; init; }

    /// <summary>When the first attempt started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>From the first attempt's start to the end of the last, waits included.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>How many attempts were made (0 when the circuit breaker refused the call).</summary>
    public int Attempts { get; init; }

    /// <summary>Whether an answer came back.</summary>
    public bool Succeeded { get; init; }

    /// <summary>Why the call failed, when it did.</summary>
    public ChatFailureKind? FailureKind { get; init; }

    /// <summary>What went wrong, in words, when the call failed.</summary>
    public string? FailureReason { get; init; }

    /// <summary>Input (prompt) tokens the service reported.</summary>
    public long InputTokens { get; init; }

    /// <summary>Output (completion) tokens the service reported.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Total tokens the service reported, or input plus output when it reported no total.</summary>
    public long TotalTokens { get; init; }
}

/// <summary>A workspace's token usage over a period.</summary>
/// <param name="InputTokens">Input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="TotalTokens">Total tokens.</param>
/// <param name="Calls">Calls made.</param>
/// <param name="FailedCalls">Calls that failed.</param>
public readonly record struct TokenUsage(long InputTokens, long OutputTokens, long TotalTokens, int Calls, int FailedCalls);
