namespace AutoDev.Storage;

/// <summary>Episodes in memory, indexed per agent, counted in an <see cref="InMemoryAgentProfileStore"/>. Lost when the process ends.</summary>
public sealed class InMemoryEpisodeStore : IEpisodeStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Tenant, Guid Id), Episode> _episodes = [];
    private readonly Dictionary<(string Tenant, string Agent), List<Episode>> _byAgent = [];
    private readonly InMemoryAgentProfileStore _agents;

    /// <summary>Creates a store that counts episodes in <paramref name="agents"/> (as <c>AddAutoDev()</c> does).</summary>
    public InMemoryEpisodeStore(InMemoryAgentProfileStore agents)
    {
        ArgumentNullException.ThrowIfNull(agents);
        _agents = agents;
    }

    /// <inheritdoc/>
    public ValueTask<EpisodeAdded> AddAsync(Episode episode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(episode);
        episode.EnsureValid();
        lock (_lock)
        {
            if (_episodes.TryGetValue((episode.TenantId, episode.Id), out var existing))
            {
                // A retry: the episode was counted when it was added, so its agent's profile exists.
                return new(new EpisodeAdded(_agents.Find(existing.TenantId, existing.AgentId)!, false));
            }

            _episodes.Add((episode.TenantId, episode.Id), episode);
            var agentKey = (episode.TenantId, episode.AgentId);
            if (!_byAgent.TryGetValue(agentKey, out var list))
            {
                _byAgent[agentKey] = list = [];
            }

            list.Add(episode);
            return new(new EpisodeAdded(_agents.Count(episode), true));
        }
    }

    /// <inheritdoc/>
    public ValueTask<Episode?> FindAsync(string tenantId, Guid episodeId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return new(_episodes.GetValueOrDefault((tenantId, episodeId)));
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<Episode> ListRecentAsync(string tenantId, string agentId, bool? success, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_lock)
        {
            var list = _byAgent.GetValueOrDefault((tenantId, agentId)) ?? [];
            var recent = list.Where(e => success is null || e.Success == success)
                .OrderByDescending(e => e.OccurredAt)
                .Take(count)
                .ToList();
            return InMemoryStoreHelpers.ToAsync(recent, cancellationToken);
        }
    }
}
