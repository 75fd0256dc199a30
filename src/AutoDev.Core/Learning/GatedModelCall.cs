using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>What a learning engine asks the model for, on behalf of which agent and capability.</summary>
/// <param name="TenantId">The workspace whose budget and limits the call counts against.</param>
/// <param name="AgentId">The agent whose maturity the gate checks.</param>
/// <param name="Capability">The capability the call uses, for example <see cref="CapabilityNames.MementoSkills"/>.</param>
/// <param name="Purpose">What the call is for, recorded with it, for example <see cref="PromptNames.MementoGenerate"/>.</param>
/// <param name="Prompt">The user message.</param>
public sealed record GatedModelRequest(string TenantId, string AgentId, string Capability, string Purpose, string Prompt)
{
    /// <summary>The sampling temperature.</summary>
    public float Temperature { get; init; } = 0.2f;
}

/// <summary>
/// The one way a learning engine spends a model call: the workspace's token budget must hold the call's bound, one
/// use of the capability is reserved against its daily limit, the call goes through <see cref="IChatGateway"/>, and
/// the reservation is committed only when an answer came back (even an unusable one). A call that produced no answer
/// (rate limit or 5xx after retries, time-out, dropped connection, 401, an open circuit) gives its reservation back.
/// </summary>
/// <remarks>
/// Thread-safe singleton, registered by <c>AddAutoDev()</c>. A reservation carries a lease
/// (<see cref="AutoDevOptions.ReservationLease"/>): if the process dies during the call, the use stops counting once
/// the lease expires.
/// </remarks>
public sealed class GatedModelCall
{
    private readonly ICapabilityGate _gate;
    private readonly TokenBudget _budget;
    private readonly IChatGateway _chat;
    private readonly ChatResilienceOptions _options;
    private readonly ILogger<GatedModelCall> _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lease;

    /// <summary>Creates the component.</summary>
    public GatedModelCall(
        ICapabilityGate gate,
        TokenBudget budget,
        IChatGateway chat,
        IOptions<ChatResilienceOptions> options,
        IOptions<AutoDevOptions> autoDevOptions,
        TimeProvider time,
        ILogger<GatedModelCall> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(autoDevOptions);
        (_gate, _budget, _chat, _options, _time, _lease, _logger) = (gate, budget, chat, options.Value, time, autoDevOptions.Value.ReservationLease, logger);
    }

    /// <summary>Checks the budget, reserves a use, asks the model, and commits or releases the use.</summary>
    /// <returns>The call's result; a failed call is a result with the reason, not an exception.</returns>
    /// <exception cref="CapabilityDeniedException">A switch or the maturity forbids it; no model call was made.</exception>
    /// <exception cref="LimitExceededException">The daily limit is used up; no model call was made.</exception>
    /// <exception cref="TokenBudgetExceededException">The budget cannot hold the call's bound; no model call was made.</exception>
    public async Task<ChatCallResult> AskAsync(GatedModelRequest request, CancellationToken cancellationToken = default) =>
        (await AskAsync(request, NoClaim, static (_, _) => ValueTask.CompletedTask, cancellationToken).ConfigureAwait(false)).Answer!;

    /// <summary>
    /// Like <see cref="AskAsync(GatedModelRequest, CancellationToken)"/>, but claims the proposal the answer is for once
    /// the use is reserved and before the model is called: <paramref name="claim"/> adds it in a "being written" state
    /// that a rival instance's add finds instead of adding its own. When the rival's claim came first, the use is given
    /// back and no call is made.
    /// </summary>
    /// <typeparam name="T">The proposal: a skill candidate or a tool mutation.</typeparam>
    /// <param name="request">The call.</param>
    /// <param name="claim">Adds the claim, or finds the rival's (<see cref="AddResult{T}.Created"/> is then false).</param>
    /// <param name="abandon">
    /// Closes this call's claim with the reason when the call ends in an exception (the host stopping cancels it), so
    /// the pattern is free again at once; a claim left by a crash is freed once it is older than <see cref="AutoDevOptions.ReservationLease"/>.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The claim and the answer, or the rival's proposal with no answer.</returns>
    /// <exception cref="CapabilityDeniedException">A switch or the maturity forbids it; no model call was made.</exception>
    /// <exception cref="LimitExceededException">The daily limit is used up; no model call was made.</exception>
    /// <exception cref="TokenBudgetExceededException">The budget cannot hold the call's bound; no model call was made.</exception>
    public async Task<ClaimedAnswer<T>> AskAsync<T>(
        GatedModelRequest request,
        Func<CancellationToken, ValueTask<AddResult<T>>> claim,
        Func<T, string, ValueTask> abandon,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(abandon);
        var bound = TokenBudget.BoundOf(request.Prompt, _options.MaxOutputTokens);
        var budget = await _budget.GetAsync(request.TenantId, cancellationToken).ConfigureAwait(false);
        if (!budget.Holds(bound))
        {
            Log.TokenBudgetRefused(_logger, request.TenantId, request.Purpose, budget.Budget, budget.Used, bound);
            throw new TokenBudgetExceededException(request.TenantId, budget.Budget, budget.Used, bound);
        }

        var reservation = await _gate.ReserveAsync(request.TenantId, request.AgentId, request.Capability, cancellationToken).ConfigureAwait(false);
        await using (reservation.ConfigureAwait(false))
        {
            var claimed = await claim(cancellationToken).ConfigureAwait(false);
            if (!claimed.Created)
            {
                // Another instance claimed it first and is asking the model: disposing gives the use back.
                return new(claimed.Entity, null);
            }

            ChatCallResult answer;
            try
            {
                answer = await _chat.GetResponseAsync(
                    new ChatCallContext(request.TenantId, request.Purpose) { AgentId = request.AgentId },
                    [new ChatMessage(ChatRole.User, request.Prompt)],
                    new ChatOptions { Temperature = request.Temperature, MaxOutputTokens = _options.MaxOutputTokens },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                await AbandonAsync(request, claimed.Entity, abandon, ex).ConfigureAwait(false);
                throw;
            }

            if (answer.Succeeded)
            {
                try
                {
                    await reservation.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (InvalidStateTransitionException)
                {
                    // The call outlived the reservation's lease, which a later reservation released: not counted.
                    Log.ReservationExpiredDuringCall(_logger, request.TenantId, request.Capability, request.Purpose);
                }
            }

            // Without an answer, disposing the reservation gives the use back.
            return new(claimed.Entity, answer);
        }
    }

    /// <summary>
    /// The open proposal <paramref name="find"/> reads, unless it is a claim left by a stopped instance (one older than
    /// <see cref="AutoDevOptions.ReservationLease"/>): that one is closed with <paramref name="abandon"/>, and the open proposal is read again.
    /// </summary>
    /// <typeparam name="T">The proposal type.</typeparam>
    /// <param name="tenantId">The workspace, for the log.</param>
    /// <param name="find">Reads the open proposal, if any.</param>
    /// <param name="claimedAt">When a proposal that is still a claim was claimed; <see langword="null"/> for one that is not a claim.</param>
    /// <param name="abandon">Closes an abandoned claim with the reason; a concurrency conflict means its owner finished after all.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async Task<T?> FindOpenAsync<T>(
        string tenantId,
        Func<CancellationToken, ValueTask<T?>> find,
        Func<T, DateTimeOffset?> claimedAt,
        Func<T, string, ValueTask> abandon,
        CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(find);
        ArgumentNullException.ThrowIfNull(claimedAt);
        ArgumentNullException.ThrowIfNull(abandon);
        var open = await find(cancellationToken).ConfigureAwait(false);
        if (open is null || claimedAt(open) is not { } claimed || !IsAbandoned(claimed))
        {
            return open;
        }

        Log.ClaimAbandoned(_logger, typeof(T).Name, tenantId, claimed);
        try
        {
            await abandon(open, "The instance writing it stopped before the model answered.").ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            // Its owner finished after all, or another instance closed it: read what stands now.
        }

        var current = await find(cancellationToken).ConfigureAwait(false);
        return current is not null && claimedAt(current) is { } again && IsAbandoned(again) ? null : current;
    }

    private bool IsAbandoned(DateTimeOffset claimedAt) => claimedAt + _lease < _time.GetUtcNow();

    private async Task AbandonAsync<T>(GatedModelRequest request, T claim, Func<T, string, ValueTask> abandon, Exception failure)
    {
        var reason = failure is OperationCanceledException
            ? "The model call was cancelled (the host stopping) before it answered."
            : $"The model call failed before it answered: {failure.GetType().Name}.";
        try
        {
            await abandon(claim, reason).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The store is unreachable too: the claim is freed once its lease expires.
            Log.ClaimNotClosed(_logger, ex, request.TenantId, request.Purpose);
        }
    }

    private static ValueTask<AddResult<object?>> NoClaim(CancellationToken cancellationToken) => new(new AddResult<object?>(null, true));
}

/// <summary>What <see cref="GatedModelCall.AskAsync{T}"/> gives back.</summary>
/// <typeparam name="T">The proposal type.</typeparam>
/// <param name="Proposal">This call's claim when <paramref name="Answer"/> is set; otherwise the rival's proposal, which stands.</param>
/// <param name="Answer">The model's answer, or <see langword="null"/> when a rival had claimed the proposal and no call was made.</param>
public sealed record ClaimedAnswer<T>(T Proposal, ChatCallResult? Answer);
