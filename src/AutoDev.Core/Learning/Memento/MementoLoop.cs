using Microsoft.Extensions.Logging;

namespace AutoDev;

/// <summary>
/// Runs Memento-Skills in the host: every <see cref="TaskFailed"/> goes through <see cref="FailurePatternDetector"/>; a
/// pattern that reaches the threshold gets a candidate from <see cref="MementoEngine"/>, which is validated in the
/// sandbox and then waits for review (or is auto-promoted when that is allowed). At start it picks up candidates that
/// were waiting for validation when the host stopped.
/// </summary>
/// <remarks>
/// Refusals (an agent below INTERN, the workspace switched off, the daily limit used up) are logged, not thrown; so
/// are other failures, which the event bus isolates. Registered by <c>AddAutoDev()</c>; off with
/// <see cref="AutoDevOptions.RunMementoLoop"/> = false.
/// </remarks>
public sealed class MementoLoop(
    IEventBus events,
    FailurePatternDetector reflection,
    MementoEngine memento,
    IReviewService review,
    IEpisodeStore episodes,
    IWorkspaceStore workspaces,
    ISkillCandidateStore candidates,
    Microsoft.Extensions.Options.IOptions<AutoDevOptions> options,
    ILogger<MementoLoop> logger) : LearningLoop<TaskFailed>(events)
{
    /// <inheritdoc/>
    protected override bool IsEnabled => options.Value.RunMementoLoop;

    /// <summary>Handles one failure: reflect, and when a pattern is due, generate, validate and maybe auto-promote.</summary>
    public override async ValueTask HandleAsync(TaskFailed failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var episode = await episodes.FindAsync(failure.TenantId, failure.EpisodeId, cancellationToken).ConfigureAwait(false);
        if (episode is null || episode.Success)
        {
            return;
        }

        var decision = await reflection.ObserveFailureAsync(episode, cancellationToken).ConfigureAwait(false);
        if (decision.Action != ReflectionAction.Trigger)
        {
            return;
        }

        SkillCandidate candidate;
        try
        {
            candidate = await memento.GenerateSkillCandidateAsync(
                new MementoRequest(failure.TenantId, failure.AgentId, failure.EpisodeId) { PatternKey = decision.PatternKey, SourceEpisodeIds = decision.EpisodeIds },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is CapabilityDeniedException or LimitExceededException or TokenBudgetExceededException)
        {
            Log.CandidateRefused(logger, failure.TenantId, failure.AgentId, ex.Message);
            return;
        }

        await ValidateAndReviewAsync(candidate, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Validates every candidate of every workspace that waits for validation. Idempotent.</summary>
    public override async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await foreach (var (tenant, pending) in PendingWork.ByWorkspaceAsync(workspaces, (t, ct) => candidates.ListByStatusAsync(t, SkillCandidateStatus.Pending, ct), cancellationToken).ConfigureAwait(false))
        {
            Log.CandidatesRecovered(logger, tenant, pending.Count);
            await RecoverEachAsync(pending, ValidateAndReviewAsync, (candidate, ex) => Log.CandidateRecoveryFailed(logger, ex, candidate.TenantId, candidate.Id), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ValidateAndReviewAsync(SkillCandidate candidate, CancellationToken cancellationToken)
    {
        if (candidate.Status == SkillCandidateStatus.Pending)
        {
            candidate = await memento.ValidateCandidateAsync(candidate.TenantId, candidate.Id, cancellationToken).ConfigureAwait(false);
        }

        await review.TryAutoPromoteAsync(candidate, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override void OnRecoveryFailed(Exception exception) => Log.RecoveryFailed(logger, exception, "candidates");
}
