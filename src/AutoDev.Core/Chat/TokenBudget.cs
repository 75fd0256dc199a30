namespace AutoDev;

/// <summary>A workspace's token budget for the day: <see cref="WorkspaceSettings.DailyTokenBudget"/> against what its model calls used.</summary>
/// <param name="Budget">The budget in force.</param>
/// <param name="Used">Tokens used today (UTC), from the recorded <c>ChatResponse.Usage</c> of every call.</param>
public readonly record struct TokenBudgetStatus(long Budget, long Used)
{
    /// <summary>Tokens left today.</summary>
    public long Remaining => Math.Max(0, Budget - Used);

    /// <summary>Whether no more model calls may be made today.</summary>
    public bool IsExhausted => Used >= Budget;

    /// <summary>Whether a call that may cost up to <paramref name="bound"/> tokens fits in what is left.</summary>
    public bool Holds(long bound) => !IsExhausted && Remaining >= bound;
}

/// <summary>
/// Keeps the learning loops inside each workspace's daily token budget. <see cref="GatedModelCall"/> asks before every model
/// call; a budget that cannot hold the call is a <see cref="TokenBudgetExceededException"/> and no call.
/// </summary>
/// <remarks>
/// Usage comes from <see cref="IChatCallStore"/>, which <see cref="UsageRecordingChatClient"/> writes after each call. Every call
/// has a bound (<see cref="BoundOf"/>: a token is at least one character of the prompt, and the answer is capped by
/// <see cref="ChatResilienceOptions.MaxOutputTokens"/>); a call is made only when the budget holds its bound, and no
/// call is charged more than its bound, whatever usage the service reports. Calls already under way on other threads
/// or instances are not counted until they finish, so a day can end over by at most their bounds.
/// Thread-safe singleton, registered by <c>AddAutoDev()</c>.
/// </remarks>
public sealed class TokenBudget(IWorkspaceStore workspaces, IChatCallStore calls, TimeProvider time)
{
    /// <summary>Where the budget reports what it read, for the gauges; set by <c>AddAutoDev()</c>.</summary>
    internal WorkspaceUsage? Observed { get; init; }

    /// <summary>Today's budget and usage of the workspace.</summary>
    public async ValueTask<TokenBudgetStatus> GetAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        Internal.Guard.Id(tenantId);
        var settings = await workspaces.GetSettingsAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return await GetAsync(tenantId, settings, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Today's budget and usage of the workspace, for a caller that already read its settings.</summary>
    internal async ValueTask<TokenBudgetStatus> GetAsync(string tenantId, WorkspaceSettings settings, CancellationToken cancellationToken)
    {
        var usage = await calls.GetUsageAsync(tenantId, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), cancellationToken).ConfigureAwait(false);
        Observed?.TokensRead(tenantId, usage.TotalTokens, settings.DailyTokenBudget);
        return new TokenBudgetStatus(settings.DailyTokenBudget, usage.TotalTokens);
    }

    /// <summary>The most tokens a call can cost: the prompt's length in characters plus a small allowance for message framing, and the answer's cap.</summary>
    public static long BoundOf(string prompt, int maxOutputTokens)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return InputBound(prompt.Length) + maxOutputTokens;
    }

    /// <summary>The most input tokens a prompt of <paramref name="characters"/> can be: one per character, plus the framing allowance.</summary>
    internal static long InputBound(long characters) => characters + FramingTokens;

    /// <summary>Tokens a chat template adds around the messages (roles, separators); generous for every known template.</summary>
    internal const int FramingTokens = 64;
}
