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

    /// <summary>Approves a validated candidate and promotes it to a skill version.</summary>
    /// <exception cref="EntityNotFoundException">No such candidate in the workspace (another tenant's included).</exception>
    /// <exception cref="InvalidStateTransitionException">It is not validated: failed, pending, approved or promoted already.</exception>
    /// <exception cref="ConcurrencyConflictException">Another reviewer decided first.</exception>
    Task<SkillVersion> ApproveAsync(string tenantId, Guid candidateId, string reviewer, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Rejects a candidate.</summary>
    /// <exception cref="EntityNotFoundException">No such candidate in the workspace.</exception>
    /// <exception cref="InvalidStateTransitionException">It was promoted or rejected already.</exception>
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

    /// <summary>Approves a passed mutation and promotes it to the skill's next minor version.</summary>
    /// <exception cref="EntityNotFoundException">No such mutation in the workspace.</exception>
    /// <exception cref="InvalidStateTransitionException">It has not passed, or was decided already.</exception>
    /// <exception cref="ConcurrencyConflictException">Another reviewer decided first.</exception>
    Task<SkillVersion> ApproveMutationAsync(string tenantId, Guid mutationId, string reviewer, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Rejects a passed mutation.</summary>
    /// <exception cref="EntityNotFoundException">No such mutation in the workspace.</exception>
    /// <exception cref="InvalidStateTransitionException">It has not passed, or was decided already.</exception>
    Task<ToolMutation> RejectMutationAsync(string tenantId, Guid mutationId, string reviewer, string reason, CancellationToken cancellationToken = default);
}

/// <summary>The default <see cref="IReviewService"/>.</summary>
public sealed class ReviewService(
    ISkillCandidateStore candidates,
    IEpisodeStore episodes,
    IAgentProfileStore agents,
    IWorkspaceStore workspaces,
    MementoEngine memento,
    AlphaEvolverEngine alpha,
    IToolMutationStore mutations,
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
        ArgumentException.ThrowIfNullOrWhiteSpace(reviewer);
        var candidate = await FindAsync(tenantId, candidateId, cancellationToken).ConfigureAwait(false);
        if (candidate.Status != SkillCandidateStatus.Validated)
        {
            throw new InvalidStateTransitionException(nameof(SkillCandidate), candidateId, candidate.Status.ToString(), nameof(SkillCandidateStatus.Approved));
        }

        await candidates.UpdateAsync(candidate with
        {
            Status = SkillCandidateStatus.Approved,
            ReviewedBy = reviewer,
            ReviewReason = reason,
            UpdatedAt = time.GetUtcNow(),
        }, cancellationToken).ConfigureAwait(false);
        return await memento.PromoteSkillAsync(tenantId, candidateId, reviewer, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<SkillCandidate> RejectAsync(string tenantId, Guid candidateId, string reviewer, string reason, CancellationToken cancellationToken = default) =>
        memento.RejectCandidateAsync(tenantId, candidateId, reviewer, reason, cancellationToken);

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
            return await ApproveAsync(candidate.TenantId, candidate.Id, MementoEngine.AutoPromoter, $"auto-promoted: fitness {candidate.FitnessScore:0.00} ≥ {settings.AutoPromoteMinFitness:0.00}", cancellationToken).ConfigureAwait(false);
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
        await alpha.ApproveMutationAsync(tenantId, mutationId, reviewer, reason, cancellationToken).ConfigureAwait(false);
        return await alpha.PromoteMutationAsync(tenantId, mutationId, reviewer, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<ToolMutation> RejectMutationAsync(string tenantId, Guid mutationId, string reviewer, string reason, CancellationToken cancellationToken = default) =>
        alpha.RejectMutationAsync(tenantId, mutationId, reviewer, reason, cancellationToken);

    private async Task<SkillCandidate> FindAsync(string tenantId, Guid candidateId, CancellationToken cancellationToken) =>
        await candidates.FindAsync(tenantId, candidateId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(SkillCandidate), tenantId, candidateId);
}
