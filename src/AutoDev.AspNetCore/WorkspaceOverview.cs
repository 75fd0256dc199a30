using AutoDev.Storage;

namespace AutoDev.AspNetCore;

/// <summary>
/// What the people who operate a workspace read about it, in the shapes AutoDev's API returns: the review queue, a
/// candidate or mutation under review, skills, agents and today's usage. The API's endpoints and the <c>autodev</c>
/// tool (on a store connection) both read through it, so both show the same thing. Read-only.
/// </summary>
public sealed class WorkspaceOverview(
    ISkillCandidateStore candidates,
    IToolMutationStore mutations,
    IEpisodeStore episodes,
    ISkillRegistry registry,
    ISkillStore skills,
    IAgentProfileStore agents,
    IWorkspaceStore workspaces,
    ICapabilityGate gate,
    TokenBudget budget)
{
    /// <summary>Reads of one item each that run at once, for a list (agents' counts).</summary>
    private const int Parallelism = 8;

    /// <summary>Validated candidates and evaluated mutations waiting for a person, oldest first, at most <paramref name="limit"/> of each.</summary>
    public async Task<PendingReviews> PendingAsync(string tenantId, int limit, CancellationToken cancellationToken = default)
    {
        // One page of each, read with its limit: the queue may hold 100,000 candidates.
        var waiting = await candidates.ListByStatusAsync(tenantId, SkillCandidateStatus.Validated, limit, cancellationToken)
            .Select(c => new CandidateSummary(c.Id, c.Name, c.AgentId, c.Description, c.CreatedAt, c.TestResults.Count(r => r.Passed), c.TestResults.Count, c.HeldOutResults.Count(r => r.Passed), c.HeldOutResults.Count, c.SourceEpisodeIds.Count))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var evaluated = await mutations.ListByStatusAsync(tenantId, ToolMutationStatus.Passed, limit, cancellationToken)
            .Select(m => new MutationSummary(m.Id, m.SkillId, m.ParentVersionId, m.Trigger, m.CreatedAt, m.Evaluation?.Parent.MedianMilliseconds, m.Evaluation?.Child.MedianMilliseconds, m.Evaluation?.ChildWins ?? false))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new PendingReviews(waiting, evaluated);
    }

    /// <summary>A candidate with the failed episodes it came from (those still stored).</summary>
    /// <exception cref="EntityNotFoundException">No such candidate in the workspace.</exception>
    public async Task<ReviewItem> CandidateAsync(string tenantId, Guid candidateId, CancellationToken cancellationToken = default)
    {
        var candidate = await candidates.FindAsync(tenantId, candidateId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(SkillCandidate), tenantId, candidateId);
        var sources = new List<Episode>();
        foreach (var episodeId in candidate.SourceEpisodeIds)
        {
            if (await episodes.FindAsync(tenantId, episodeId, cancellationToken).ConfigureAwait(false) is { } episode)
            {
                sources.Add(episode);
            }
        }

        return new ReviewItem(candidate, sources);
    }

    /// <summary>A mutation with its skill's name and the parent version it was made from.</summary>
    /// <exception cref="EntityNotFoundException">No such mutation in the workspace.</exception>
    public async Task<MutationReview> MutationAsync(string tenantId, Guid mutationId, CancellationToken cancellationToken = default)
    {
        var mutation = await mutations.FindAsync(tenantId, mutationId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(ToolMutation), tenantId, mutationId);
        var skill = await skills.FindAsync(tenantId, mutation.SkillId, cancellationToken).ConfigureAwait(false);
        var parent = await skills.FindVersionAsync(tenantId, mutation.ParentVersionId, cancellationToken).ConfigureAwait(false);
        return new MutationReview(mutation, skill?.Name ?? string.Empty, parent);
    }

    /// <summary>A skill with its active version and every version.</summary>
    /// <exception cref="EntityNotFoundException">No skill of that name in the workspace.</exception>
    public async Task<SkillDetails> SkillAsync(string tenantId, string name, CancellationToken cancellationToken = default) =>
        await registry.FindAsync(tenantId, name, cancellationToken).ConfigureAwait(false) ?? throw new EntityNotFoundException(nameof(Skill), tenantId, name);

    /// <summary>The workspace's skills with their active versions, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<SkillSummary>> SkillsAsync(string tenantId, int limit, CancellationToken cancellationToken = default)
    {
        // The page's skills, then their active versions in one read (not every version of every skill).
        var page = await registry.ListAsync(tenantId, cancellationToken).Take(limit).ToListAsync(cancellationToken).ConfigureAwait(false);
        var activeIds = page.Select(s => s.ActiveVersionId).OfType<Guid>().ToList();
        var active = await skills.FindVersionsAsync(tenantId, activeIds, cancellationToken).ToDictionaryAsync(v => v.Id, cancellationToken: cancellationToken).ConfigureAwait(false);
        return [.. page.Select(s => new SkillSummary(s.Name, s.Description, s.ActiveVersionId is { } id && active.TryGetValue(id, out var v) ? v.Version.ToString() : string.Empty))];
    }

    /// <summary>The workspace's agents with their maturity, readiness and today's skill candidates, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<AgentSummary>> AgentsAsync(string tenantId, int limit, CancellationToken cancellationToken = default)
    {
        var page = await agents.ListAsync(tenantId, cancellationToken).Take(limit).ToListAsync(cancellationToken).ConfigureAwait(false);
        var summaries = new AgentSummary[page.Count];
        await Parallel.ForAsync(0, page.Count, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (i, token) =>
            summaries[i] = await SummaryAsync(page[i], token).ConfigureAwait(false)).ConfigureAwait(false);
        return summaries;
    }

    /// <summary>An agent with its maturity, readiness and today's skill candidates.</summary>
    /// <exception cref="EntityNotFoundException">No such agent in the workspace.</exception>
    public async Task<AgentSummary> AgentAsync(string tenantId, string agentId, CancellationToken cancellationToken = default) =>
        await SummaryAsync(
            await agents.FindAsync(tenantId, agentId, cancellationToken).ConfigureAwait(false) ?? throw new EntityNotFoundException(nameof(AgentProfile), tenantId, agentId),
            cancellationToken).ConfigureAwait(false);

    /// <summary>Today's tokens against the budget, today's mutations against the limit, and the per-agent candidate limit.</summary>
    public async Task<WorkspaceUsage> UsageAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        var settings = await workspaces.GetSettingsAsync(tenantId, cancellationToken).ConfigureAwait(false);
        var tokens = await budget.GetAsync(tenantId, cancellationToken).ConfigureAwait(false);
        var mutationsToday = await gate.GetUseTodayAsync(tenantId, null, CapabilityNames.AlphaEvolver, cancellationToken).ConfigureAwait(false);
        return new WorkspaceUsage(tokens.Used, tokens.Budget, mutationsToday.Used, settings.MaxMutationsPerDay, settings.MaxSkillCandidatesPerDay);
    }

    private async Task<AgentSummary> SummaryAsync(AgentProfile agent, CancellationToken cancellationToken)
    {
        var candidatesToday = await gate.GetUseTodayAsync(agent.TenantId, agent.AgentId, CapabilityNames.MementoSkills, cancellationToken).ConfigureAwait(false);
        return new(agent.AgentId, agent.Maturity, agent.EpisodeCount, agent.InterventionRate, GraduationReadiness.Evaluate(agent), candidatesToday.Used);
    }
}
