using Microsoft.Extensions.Logging;

namespace AutoDev.Internal;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Error, "Event handler {Handler} failed on {EventType}; the other handlers still ran.")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string handler, string eventType);

    [LoggerMessage(2, LogLevel.Warning, "The event bus was stopped before it drained; {Count} queued events were dropped.")]
    public static partial void EventsDropped(ILogger logger, int count);

    [LoggerMessage(3, LogLevel.Information, "Agent {AgentId} of workspace {TenantId} graduated from {From} to {To}.")]
    public static partial void AgentGraduated(ILogger logger, string tenantId, string agentId, AgentMaturity from, AgentMaturity to);

    [LoggerMessage(4, LogLevel.Debug, "Gate for {Capability} of agent {AgentId} in workspace {TenantId}: {Decision}.")]
    public static partial void GateDecided(ILogger logger, string tenantId, string agentId, string capability, GateDenial decision);

    [LoggerMessage(5, LogLevel.Warning, "Could not recycle a {Tier} sandbox worker of workspace {TenantId}; the next execution starts a new one.")]
    public static partial void WorkerRecycleFailed(ILogger logger, Exception exception, string tier, string tenantId);

    [LoggerMessage(6, LogLevel.Information, "Sandbox tier selected: {Tier}.")]
    public static partial void TierSelected(ILogger logger, string tier);

    [LoggerMessage(7, LogLevel.Warning, "Sandbox tier {Tier} is not available: {Reason}")]
    public static partial void TierUnavailable(ILogger logger, string tier, string reason);

    [LoggerMessage(8, LogLevel.Warning, "Chat call attempt {Attempt} failed; retrying in {Delay}: {Reason}")]
    public static partial void ChatCallRetrying(ILogger logger, int attempt, TimeSpan delay, string? reason);

    [LoggerMessage(9, LogLevel.Warning, "Chat call for {Purpose} of workspace {TenantId} failed after {Attempts} attempts ({Kind}): {Reason}")]
    public static partial void ChatCallFailed(ILogger logger, string tenantId, string purpose, int attempts, ChatFailureKind kind, string reason);

    [LoggerMessage(10, LogLevel.Information, "Skill candidate {Name} of workspace {TenantId} generated: {Status} {Reason}")]
    public static partial void CandidateGenerated(ILogger logger, string tenantId, string name, SkillCandidateStatus status, string? reason);

    [LoggerMessage(11, LogLevel.Information, "Skill candidate {Name} of workspace {TenantId} validated: {Status} {Reason}")]
    public static partial void CandidateValidated(ILogger logger, string tenantId, string name, SkillCandidateStatus status, string? reason);

    [LoggerMessage(12, LogLevel.Information, "Skill {Name} {Version} of workspace {TenantId} promoted by {PromotedBy}.")]
    public static partial void SkillPromoted(ILogger logger, string tenantId, string name, string version, string promotedBy);

    [LoggerMessage(13, LogLevel.Information, "No skill candidate for agent {AgentId} of workspace {TenantId}: {Reason}")]
    public static partial void CandidateRefused(ILogger logger, string tenantId, string agentId, string reason);

    [LoggerMessage(14, LogLevel.Information, "Picked up {Count} skill candidates of workspace {TenantId} that were waiting for validation.")]
    public static partial void CandidatesRecovered(ILogger logger, string tenantId, int count);

    [LoggerMessage(15, LogLevel.Information, "Mutation of skill {Name} ({Trigger}) in workspace {TenantId} generated: {Status} {Reason}")]
    public static partial void MutationGenerated(ILogger logger, string tenantId, string name, MutationTrigger trigger, ToolMutationStatus status, string? reason);

    [LoggerMessage(16, LogLevel.Information, "Mutation {MutationId} of workspace {TenantId} evaluated: {Status} {Reason}")]
    public static partial void MutationEvaluated(ILogger logger, string tenantId, Guid mutationId, ToolMutationStatus status, string? reason);

    [LoggerMessage(17, LogLevel.Information, "No mutation of skill {Name} in workspace {TenantId}: {Reason}")]
    public static partial void MutationRefused(ILogger logger, string tenantId, string name, string reason);

    [LoggerMessage(18, LogLevel.Information, "Picked up {Count} mutations of workspace {TenantId} that were waiting for the sandbox.")]
    public static partial void MutationsRecovered(ILogger logger, string tenantId, int count);

    [LoggerMessage(19, LogLevel.Information, "Research on skill {Name} of workspace {TenantId}, iteration {Iteration}: {Children} children, new champion: {Improved}.")]
    public static partial void ResearchStep(ILogger logger, string tenantId, string name, int iteration, int children, bool improved);

    [LoggerMessage(20, LogLevel.Information, "Background research in workspace {TenantId} on skill {Name} for agent {AgentId} stopped: {StopReason}.")]
    public static partial void ResearchFinished(ILogger logger, string tenantId, string name, string agentId, ResearchStopReason stopReason);

    [LoggerMessage(21, LogLevel.Error, "Background research in workspace {TenantId} failed; the next round tries again.")]
    public static partial void ResearchFailed(ILogger logger, Exception exception, string tenantId);

    [LoggerMessage(22, LogLevel.Error, "Mutation {MutationId} of workspace {TenantId} could not be evaluated; it stays pending for the next start.")]
    public static partial void MutationEvaluationFailed(ILogger logger, Exception exception, string tenantId, Guid mutationId);

    [LoggerMessage(23, LogLevel.Error, "Skill candidate {CandidateId} of workspace {TenantId} could not be validated; it stays pending for the next start.")]
    public static partial void CandidateRecoveryFailed(ILogger logger, Exception exception, string tenantId, Guid candidateId);

    [LoggerMessage(24, LogLevel.Warning, "Model call {Purpose} for workspace {TenantId} refused: {Used} of the daily token budget of {Budget} used, and the call may cost up to {Bound}.")]
    public static partial void TokenBudgetRefused(ILogger logger, string tenantId, string purpose, long budget, long used, long bound);

    [LoggerMessage(25, LogLevel.Warning, "Model call {Purpose} for workspace {TenantId} outlived its {Capability} reservation's lease; the use was not counted. Raise AutoDevOptions.ReservationLease above the chat call's longest duration.")]
    public static partial void ReservationExpiredDuringCall(ILogger logger, string tenantId, string capability, string purpose);

    [LoggerMessage(26, LogLevel.Warning, "The chat service reported {Reported} tokens for call {Purpose} of workspace {TenantId}, more than the call can cost; {Charged} were charged (input up to one token per prompt character, output up to MaxOutputTokens).")]
    public static partial void ChatUsageOverBound(ILogger logger, string tenantId, string purpose, long reported, long charged);

    /// <summary>A refusal: at Warning when something is spent or broken (token budget, stored maturity), else at Information (policy working as set).</summary>
    public static void GateRefused(ILogger logger, string tenantId, string agentId, string capability, GateDenial denial, string reason)
    {
        if (denial is GateDenial.TokenBudgetSpent or GateDenial.InvalidMaturity)
        {
            GateRefusedWarning(logger, tenantId, agentId, capability, denial, reason);
        }
        else
        {
            GateRefusedInformation(logger, tenantId, agentId, capability, denial, reason);
        }
    }

    [LoggerMessage(27, LogLevel.Warning, "Agent {AgentId} of workspace {TenantId} refused '{Capability}' ({Denial}): {Reason}")]
    private static partial void GateRefusedWarning(ILogger logger, string tenantId, string agentId, string capability, GateDenial denial, string reason);

    [LoggerMessage(28, LogLevel.Information, "Agent {AgentId} of workspace {TenantId} refused '{Capability}' ({Denial}): {Reason}")]
    private static partial void GateRefusedInformation(ILogger logger, string tenantId, string agentId, string capability, GateDenial denial, string reason);

    [LoggerMessage(29, LogLevel.Error, "Picking up the {Work} left waiting failed; they stay waiting for the next start.")]
    public static partial void RecoveryFailed(ILogger logger, Exception exception, string work);

    [LoggerMessage(30, LogLevel.Warning, "The claim of a {Purpose} proposal in workspace {TenantId} could not be closed after its model call failed; it is freed when its lease expires.")]
    public static partial void ClaimNotClosed(ILogger logger, Exception exception, string tenantId, string purpose);

    [LoggerMessage(31, LogLevel.Warning, "A {Kind} of workspace {TenantId} was claimed at {ClaimedAt} by an instance that stopped before the model answered; it is closed and claimed anew.")]
    public static partial void ClaimAbandoned(ILogger logger, string kind, string tenantId, DateTimeOffset claimedAt);

    [LoggerMessage(32, LogLevel.Information, "Failure {EpisodeId} of agent {AgentId} in workspace {TenantId} joined the open candidate {CandidateId} ({Name}) of its pattern; no model call.")]
    public static partial void FailureAttached(ILogger logger, string tenantId, string agentId, Guid episodeId, Guid candidateId, string name);

    [LoggerMessage(33, LogLevel.Information, "Sampling for workspace {TenantId} stopped after {Answers} of {Wanted} answers: {Reason}")]
    public static partial void SamplingStopped(ILogger logger, string tenantId, int answers, int wanted, string reason);

    [LoggerMessage(34, LogLevel.Warning, "The skills of workspace {TenantId} could not be offered to agent {AgentId}; the request goes on without them.")]
    public static partial void SkillToolsUnavailable(ILogger logger, Exception exception, string tenantId, string agentId);

    [LoggerMessage(35, LogLevel.Warning, "A chat request of agent {AgentId} in workspace {TenantId} could not be recorded as an episode; the response is returned all the same.")]
    public static partial void EpisodeNotRecorded(ILogger logger, Exception exception, string tenantId, string agentId);
}
