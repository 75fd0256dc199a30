namespace AutoDev;

/// <summary>Skill candidates in memory. Lost when the process ends.</summary>
public sealed class InMemorySkillCandidateStore : ISkillCandidateStore
{
    private readonly Lock _lock = InMemoryStoreHelpers.LearningLock;
    private readonly Dictionary<(string Tenant, Guid Id), SkillCandidate> _candidates = [];
    private readonly Dictionary<(string Tenant, string Pattern), Guid> _open = [];

    /// <inheritdoc/>
    public ValueTask<AddResult<SkillCandidate>> AddAsync(SkillCandidate candidate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        Internal.Guard.Id(candidate.TenantId);
        Internal.Guard.Key(candidate.PatternKey);
        lock (_lock)
        {
            if (candidate.IsOpen && FindOpen(candidate.TenantId, candidate.PatternKey) is { } open)
            {
                return new(new AddResult<SkillCandidate>(open, false));
            }

            var stored = candidate with { ConcurrencyStamp = Guid.NewGuid() };
            if (!_candidates.TryAdd((candidate.TenantId, candidate.Id), stored))
            {
                throw new DuplicateEntityException(nameof(SkillCandidate), candidate.TenantId, candidate.Id.ToString());
            }

            if (stored.IsOpen)
            {
                _open[(stored.TenantId, stored.PatternKey)] = stored.Id;
            }

            return new(new AddResult<SkillCandidate>(stored, true));
        }
    }

    /// <inheritdoc/>
    public ValueTask<SkillCandidate?> FindAsync(string tenantId, Guid candidateId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return new(_candidates.GetValueOrDefault((tenantId, candidateId)));
        }
    }

    /// <inheritdoc/>
    public ValueTask<SkillCandidate?> FindOpenByPatternAsync(string tenantId, string patternKey, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return new(FindOpen(tenantId, patternKey));
        }
    }

    /// <inheritdoc/>
    public ValueTask<SkillCandidate> UpdateAsync(SkillCandidate candidate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        lock (_lock)
        {
            Check(candidate);
            return new(Apply(candidate));
        }
    }

    /// <summary>Throws what an update of <paramref name="candidate"/> would throw; the caller holds the lock.</summary>
    internal void Check(SkillCandidate candidate)
    {
        var stored = _candidates.GetValueOrDefault((candidate.TenantId, candidate.Id)) ?? throw new EntityNotFoundException(nameof(SkillCandidate), candidate.TenantId, candidate.Id);
        StatusTransitions.EnsureUpdate(nameof(SkillCandidate), candidate.Id, stored.ConcurrencyStamp, candidate.ConcurrencyStamp, stored.Status, candidate.Status, StatusTransitions.CanTransitionTo);
    }

    /// <summary>Saves a checked update; the caller holds the lock.</summary>
    internal SkillCandidate Apply(SkillCandidate candidate)
    {
        var key = (candidate.TenantId, candidate.Id);
        var stored = _candidates[key];
        var updated = candidate with { ConcurrencyStamp = Guid.NewGuid() };
        _candidates[key] = updated;
        if (stored.IsOpen && _open.GetValueOrDefault((stored.TenantId, stored.PatternKey)) == stored.Id)
        {
            _open.Remove((stored.TenantId, stored.PatternKey));
        }

        if (updated.IsOpen)
        {
            _open[(updated.TenantId, updated.PatternKey)] = updated.Id;
        }

        return updated;
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<SkillCandidate> ListByStatusAsync(string tenantId, SkillCandidateStatus status, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var list = _candidates.Values.Where(c => c.TenantId == tenantId && c.Status == status).OrderBy(c => c.CreatedAt).ToList();
            return InMemoryStoreHelpers.ToAsync(list, cancellationToken);
        }
    }

    private SkillCandidate? FindOpen(string tenantId, string patternKey) =>
        _open.TryGetValue((tenantId, patternKey), out var id) ? _candidates[(tenantId, id)] : null;
}
