namespace AutoDev.Storage;

/// <summary>Agent profiles in memory. Lost when the process ends.</summary>
public sealed class InMemoryAgentProfileStore : IAgentProfileStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Tenant, string Agent), AgentProfile> _profiles = [];

    /// <inheritdoc/>
    public ValueTask<AgentProfile?> FindAsync(string tenantId, string agentId, CancellationToken cancellationToken) => new(Find(tenantId, agentId));

    /// <summary>The agent's profile, or <see langword="null"/>.</summary>
    internal AgentProfile? Find(string tenantId, string agentId)
    {
        lock (_lock)
        {
            return _profiles.GetValueOrDefault((tenantId, agentId));
        }
    }

    /// <inheritdoc/>
    public ValueTask<AddResult<AgentProfile>> AddAsync(AgentProfile profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        lock (_lock)
        {
            var key = (Internal.Guard.Id(profile.TenantId), Internal.Guard.Id(profile.AgentId));
            if (_profiles.TryGetValue(key, out var existing))
            {
                return new(new AddResult<AgentProfile>(existing, false));
            }

            var stored = profile with { ConcurrencyStamp = Guid.NewGuid() };
            _profiles[key] = stored;
            return new(new AddResult<AgentProfile>(stored, true));
        }
    }

    /// <inheritdoc/>
    public ValueTask<AgentProfile> UpdateAsync(AgentProfile profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        lock (_lock)
        {
            var key = (profile.TenantId, profile.AgentId);
            var stored = _profiles.GetValueOrDefault(key) ?? throw new EntityNotFoundException(nameof(AgentProfile), profile.TenantId, profile.AgentId);
            InMemoryStoreHelpers.EnsureStamp(stored.ConcurrencyStamp, profile.ConcurrencyStamp, nameof(AgentProfile), profile.AgentId);
            var updated = profile with { ConcurrencyStamp = Guid.NewGuid(), CreatedAt = stored.CreatedAt };
            _profiles[key] = updated;
            return new(updated);
        }
    }

    /// <summary>Counts an episode in its agent's profile, creating the profile (a STUDENT) when the agent has none.</summary>
    internal AgentProfile Count(Episode episode)
    {
        lock (_lock)
        {
            var key = (episode.TenantId, episode.AgentId);
            var profile = _profiles.GetValueOrDefault(key)
                ?? new AgentProfile { TenantId = episode.TenantId, AgentId = episode.AgentId, CreatedAt = episode.OccurredAt };
            return _profiles[key] = profile.Counting(episode) with { ConcurrencyStamp = Guid.NewGuid() };
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<AgentProfile> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return InMemoryStoreHelpers.ToAsync(_profiles.Values.Where(p => p.TenantId == tenantId).OrderBy(p => p.AgentId, StringComparer.Ordinal).ToList(), cancellationToken);
        }
    }
}
