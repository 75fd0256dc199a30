namespace AutoDev.Storage;

/// <summary>Skill candidates in memory. Lost when the process ends.</summary>
public sealed class InMemorySkillCandidateStore : ISkillCandidateStore
{
    private readonly Lock _lock = InMemoryStoreHelpers.LearningLock;
    private readonly ProposalTable<SkillCandidate> _candidates = new(nameof(SkillCandidate), c => c.IsOpen ? c.PatternKey : null);

    /// <inheritdoc/>
    public ValueTask<AddResult<SkillCandidate>> AddAsync(SkillCandidate candidate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        Internal.Guard.Id(candidate.TenantId);
        Internal.Guard.Key(candidate.PatternKey);
        lock (_lock)
        {
            return new(_candidates.Add(candidate));
        }
    }

    /// <inheritdoc/>
    public ValueTask<SkillCandidate?> FindAsync(string tenantId, Guid candidateId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return new(_candidates.Find(tenantId, candidateId));
        }
    }

    /// <inheritdoc/>
    public ValueTask<SkillCandidate?> FindOpenByPatternAsync(string tenantId, string patternKey, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return new(_candidates.FindOpen(tenantId, patternKey));
        }
    }

    /// <inheritdoc/>
    public ValueTask<SkillCandidate> UpdateAsync(SkillCandidate candidate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        lock (_lock)
        {
            _candidates.Check(candidate);
            return new(_candidates.Apply(candidate));
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<SkillCandidate> ListByStatusAsync(string tenantId, SkillCandidateStatus status, int limit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var list = _candidates.All.Where(c => c.TenantId == tenantId && c.Status == status).OrderBy(c => c.CreatedAt).Take(limit).ToList();
            return InMemoryStoreHelpers.ToAsync(list, cancellationToken);
        }
    }

    /// <summary>Throws what an update of <paramref name="candidate"/> would throw; the caller holds the lock.</summary>
    internal void Check(SkillCandidate candidate) => _candidates.Check(candidate);

    /// <summary>Saves a checked update; the caller holds the lock.</summary>
    internal SkillCandidate Apply(SkillCandidate candidate) => _candidates.Apply(candidate);
}
