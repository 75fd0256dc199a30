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
}

/// <summary>
/// Keeps the learning loops inside each workspace's daily token budget. Engines ask before every model call; a spent
/// budget is a <see cref="TokenBudgetExceededException"/> and no call.
/// </summary>
/// <remarks>
/// Usage comes from <see cref="IChatCallStore"/>, which <see cref="IChatGateway"/> writes after each call. A call
/// already under way when the budget runs out finishes, so a day may end slightly over; the next call is refused.
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

    /// <summary>Returns today's status when tokens are left.</summary>
    /// <exception cref="TokenBudgetExceededException">The budget is spent.</exception>
    public async ValueTask<TokenBudgetStatus> EnsureAvailableAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        var status = await GetAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return status.IsExhausted ? throw new TokenBudgetExceededException(tenantId, status.Budget, status.Used) : status;
    }
}
