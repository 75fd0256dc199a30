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
/// Keeps the learning loops inside each workspace's daily token budget. Engines ask before every model call; a spent
/// budget is a <see cref="TokenBudgetExceededException"/> and no call.
/// </summary>
/// <remarks>
/// Usage comes from <see cref="IChatCallStore"/>, which <see cref="IChatGateway"/> writes after each call. Every call
/// has a bound (<see cref="BoundOf"/>: a token is at least one character of the prompt, and the answer is capped by
/// <see cref="ChatResilienceOptions.MaxOutputTokens"/>); a call is made only when the budget holds its bound, and no
/// call is charged more than its bound, whatever usage the service reports. Calls already under way on other threads
/// or instances are not counted until they finish, so a day can end over by at most their bounds.
/// Thread-safe singleton, registered by <c>AddAutoDev()</c>.
/// </remarks>
public sealed class TokenBudget(IWorkspaceStore workspaces, IChatCallStore calls, TimeProvider time)
{
    /// <summary>Today's budget and usage of the workspace.</summary>
    public async ValueTask<TokenBudgetStatus> GetAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        Internal.Guard.Id(tenantId);
        var settings = await workspaces.GetSettingsAsync(tenantId, cancellationToken).ConfigureAwait(false);
        var usage = await calls.GetUsageAsync(tenantId, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), cancellationToken).ConfigureAwait(false);
        return new TokenBudgetStatus(settings.DailyTokenBudget, usage.TotalTokens);
    }

    /// <summary>Returns today's status when what is left holds a call of <paramref name="bound"/> tokens.</summary>
    /// <exception cref="TokenBudgetExceededException">The budget is spent, or too little is left for the call.</exception>
    public async ValueTask<TokenBudgetStatus> EnsureAvailableAsync(string tenantId, long bound = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bound);
        var status = await GetAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return status.Holds(bound) ? status : throw new TokenBudgetExceededException(tenantId, status.Budget, status.Used, bound);
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
