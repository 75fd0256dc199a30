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

    /// <summary>Creates the component.</summary>
    public GatedModelCall(ICapabilityGate gate, TokenBudget budget, IChatGateway chat, IOptions<ChatResilienceOptions> options, ILogger<GatedModelCall> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_gate, _budget, _chat, _options, _logger) = (gate, budget, chat, options.Value, logger);
    }

    /// <summary>Checks the budget, reserves a use, asks the model, and commits or releases the use.</summary>
    /// <returns>The call's result; a failed call is a result with the reason, not an exception.</returns>
    /// <exception cref="CapabilityDeniedException">A switch or the maturity forbids it; no model call was made.</exception>
    /// <exception cref="LimitExceededException">The daily limit is used up; no model call was made.</exception>
    /// <exception cref="TokenBudgetExceededException">The budget cannot hold the call's bound; no model call was made.</exception>
    public async Task<ChatCallResult> AskAsync(GatedModelRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
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
            var answer = await _chat.GetResponseAsync(
                new ChatCallContext(request.TenantId, request.Purpose) { AgentId = request.AgentId },
                [new ChatMessage(ChatRole.User, request.Prompt)],
                new ChatOptions { Temperature = request.Temperature, MaxOutputTokens = _options.MaxOutputTokens },
                cancellationToken).ConfigureAwait(false);
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
            return answer;
        }
    }
}
