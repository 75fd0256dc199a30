namespace AutoDev;

/// <summary>A candidate waiting for a reviewer, with what a reviewer needs to decide.</summary>
/// <param name="Candidate">The candidate: code, tests, validation result, fitness.</param>
/// <param name="SourceEpisodes">The failures it was learned from.</param>
public sealed record ReviewItem(SkillCandidate Candidate, IReadOnlyList<Episode> SourceEpisodes);

/// <summary>Human review of skill candidates and tool mutations: list, try, approve (which promotes) or reject.</summary>
public interface IReviewService
{
    /// <summary>The workspace's validated candidates waiting for review, oldest first.</summary>
    IAsyncEnumerable<ReviewItem> ListPendingAsync(string tenantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Approves a validated candidate and promotes it, in one atomic write, to version 1.0.0 of a new skill or the next
    /// major version of the skill of its name. If the write fails, nothing changed and the candidate can be decided again.
    /// </summary>
    /// <exception cref="EntityNotFoundException">No such candidate in the workspace (another tenant's included).</exception>
    /// <exception cref="InvalidStateTransitionException">It is not validated: failed, pending, rejected or promoted already.</exception>
    /// <exception cref="ConcurrencyConflictException">Another reviewer decided first.</exception>
    Task<SkillVersion> ApproveAsync(string tenantId, Guid candidateId, string reviewer, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Rejects a candidate. Rejecting a rejected candidate adds the review to its history; the first decision stands.</summary>
    /// <exception cref="EntityNotFoundException">No such candidate in the workspace.</exception>
    /// <exception cref="InvalidStateTransitionException">It was promoted.</exception>
    /// <exception cref="ConcurrencyConflictException">Someone decided meanwhile.</exception>
    Task<SkillCandidate> RejectAsync(string tenantId, Guid candidateId, string reviewer, string reason, CancellationToken cancellationToken = default);

    /// <summary>Runs the candidate's function on sample inputs in the sandbox, for a reviewer to see what it does.</summary>
    /// <exception cref="EntityNotFoundException">No such candidate in the workspace.</exception>
    Task<SandboxResult> TestInSandboxAsync(string tenantId, Guid candidateId, string inputsJson, CancellationToken cancellationToken = default);

    /// <summary>
    /// Promotes a validated candidate without a reviewer when that is allowed: its agent is AUTONOMOUS, the workspace
    /// opted in (<see cref="WorkspaceSettings.AutoPromoteSkills"/>) and its fitness reaches
    /// <see cref="WorkspaceSettings.AutoPromoteMinFitness"/>. Returns the new version, or null when a person must review.
    /// </summary>
    Task<SkillVersion?> TryAutoPromoteAsync(SkillCandidate candidate, CancellationToken cancellationToken = default);

    /// <summary>The workspace's mutations that beat their parents and wait for review, oldest first, each with its side-by-side <see cref="ToolMutation.Evaluation"/>.</summary>
    IAsyncEnumerable<ToolMutation> ListPendingMutationsAsync(string tenantId, CancellationToken cancellationToken = default);

    /// <summary>Approves a passed mutation and promotes it, in one atomic write, to the next minor version of its parent's major version, made active.</summary>
    /// <exception cref="EntityNotFoundException">No such mutation in the workspace.</exception>
    /// <exception cref="InvalidStateTransitionException">It has not passed, or was decided already.</exception>
    /// <exception cref="ConcurrencyConflictException">Another reviewer decided first.</exception>
    Task<SkillVersion> ApproveMutationAsync(string tenantId, Guid mutationId, string reviewer, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Rejects a passed mutation. Rejecting a rejected mutation adds the review to its history; the first decision stands.</summary>
    /// <exception cref="EntityNotFoundException">No such mutation in the workspace.</exception>
    /// <exception cref="InvalidStateTransitionException">It has not passed, or was promoted.</exception>
    Task<ToolMutation> RejectMutationAsync(string tenantId, Guid mutationId, string reviewer, string reason, CancellationToken cancellationToken = default);
}

/// <summary>The default <see cref="IReviewService"/>: decisions are the proposals' own transitions; promotion is one write through the skill promoter.</summary>
internal sealed class ReviewService(
    ISkillCandidateStore candidates,
    IEpisodeStore episodes,
    IAgentProfileStore agents,
    IWorkspaceStore workspaces,
    IToolMutationStore mutations,
    SkillPromoter promoter,
    ISandbox sandbox,
    TimeProvider time) : IReviewService
{
    /// <inheritdoc/>
    public async IAsyncEnumerable<ReviewItem> ListPendingAsync(string tenantId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var candidate in candidates.ListByStatusAsync(tenantId, SkillCandidateStatus.Validated, cancellationToken).ConfigureAwait(false))
        {
            var sources = new List<Episode>();
            foreach (var id in candidate.SourceEpisodeIds)
            {
                if (await episodes.FindAsync(tenantId, id, cancellationToken).ConfigureAwait(false) is { } episode)
                {
                    sources.Add(episode);
                }
            }

            yield return new ReviewItem(candidate, sources);
        }
    }

    /// <inheritdoc/>
    public async Task<SkillVersion> ApproveAsync(string tenantId, Guid candidateId, string reviewer, string? reason = null, CancellationToken cancellationToken = default)
    {
        using var activity = AutoDevTelemetry.StartReview(tenantId, "candidate", candidateId, ReviewDecision.Approved);
        var review = Review.Create(reviewer, ReviewDecision.Approved, reason, time.GetUtcNow());
        var candidate = await FindAsync(tenantId, candidateId, cancellationToken).ConfigureAwait(false);
        AutoDevTelemetry.LinkToGeneration(activity, candidate);
        return await promoter.PromoteAsync(candidate, review, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<SkillCandidate> RejectAsync(string tenantId, Guid candidateId, string reviewer, string reason, CancellationToken cancellationToken = default)
    {
        using var activity = AutoDevTelemetry.StartReview(tenantId, "candidate", candidateId, ReviewDecision.Rejected);
        var review = Review.Create(reviewer, ReviewDecision.Rejected, reason, time.GetUtcNow());
        var candidate = await FindAsync(tenantId, candidateId, cancellationToken).ConfigureAwait(false);
        AutoDevTelemetry.LinkToGeneration(activity, candidate);
        return await candidates.UpdateAsync(candidate.Reject(review), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<SandboxResult> TestInSandboxAsync(string tenantId, Guid candidateId, string inputsJson, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputsJson);
        var candidate = await FindAsync(tenantId, candidateId, cancellationToken).ConfigureAwait(false);
        return await sandbox.ExecuteAsync(new SandboxRequest
        {
            TenantId = tenantId,
            Code = candidate.Code,
            EntryPoint = candidate.EntryPoint,
            InputsJson = inputsJson,
            SafetyLevel = SafetyLevel.High,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<SkillVersion?> TryAutoPromoteAsync(SkillCandidate candidate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (candidate.Status != SkillCandidateStatus.Validated)
        {
            return null;
        }

        var settings = await workspaces.GetSettingsAsync(candidate.TenantId, cancellationToken).ConfigureAwait(false);
        var agent = await agents.FindAsync(candidate.TenantId, candidate.AgentId, cancellationToken).ConfigureAwait(false);
        if (!settings.AutoPromoteSkills || agent?.Maturity != AgentMaturity.Autonomous || (candidate.FitnessScore ?? 0) < settings.AutoPromoteMinFitness)
        {
            return null;
        }

        try
        {
            return await ApproveAsync(candidate.TenantId, candidate.Id, Review.AutoPromoter, $"auto-promoted: fitness {candidate.FitnessScore:0.00} ≥ {settings.AutoPromoteMinFitness:0.00}", cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            return null; // A person decided first.
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ToolMutation> ListPendingMutationsAsync(string tenantId, CancellationToken cancellationToken = default) =>
        mutations.ListByStatusAsync(tenantId, ToolMutationStatus.Passed, cancellationToken);

    /// <inheritdoc/>
    public async Task<SkillVersion> ApproveMutationAsync(string tenantId, Guid mutationId, string reviewer, string? reason = null, CancellationToken cancellationToken = default)
    {
        using var activity = AutoDevTelemetry.StartReview(tenantId, "mutation", mutationId, ReviewDecision.Approved);
        var review = Review.Create(reviewer, ReviewDecision.Approved, reason, time.GetUtcNow());
        var mutation = await FindMutationAsync(tenantId, mutationId, cancellationToken).ConfigureAwait(false);
        AutoDevTelemetry.LinkToGeneration(activity, mutation);
        return await promoter.PromoteAsync(mutation, review, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<ToolMutation> RejectMutationAsync(string tenantId, Guid mutationId, string reviewer, string reason, CancellationToken cancellationToken = default)
    {
        using var activity = AutoDevTelemetry.StartReview(tenantId, "mutation", mutationId, ReviewDecision.Rejected);
        var review = Review.Create(reviewer, ReviewDecision.Rejected, reason, time.GetUtcNow());
        var mutation = await FindMutationAsync(tenantId, mutationId, cancellationToken).ConfigureAwait(false);
        AutoDevTelemetry.LinkToGeneration(activity, mutation);
        return await mutations.UpdateAsync(mutation.Reject(review), cancellationToken).ConfigureAwait(false);
    }

    private async Task<ToolMutation> FindMutationAsync(string tenantId, Guid mutationId, CancellationToken cancellationToken) =>
        await mutations.FindAsync(tenantId, mutationId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(ToolMutation), tenantId, mutationId);

    private async Task<SkillCandidate> FindAsync(string tenantId, Guid candidateId, CancellationToken cancellationToken) =>
        await candidates.FindAsync(tenantId, candidateId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(SkillCandidate), tenantId, candidateId);
}
