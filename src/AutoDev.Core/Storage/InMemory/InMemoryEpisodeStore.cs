namespace AutoDev;

/// <summary>Episodes in memory, indexed per agent. Lost when the process ends.</summary>
public sealed class InMemoryEpisodeStore : IEpisodeStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Tenant, Guid Id), Episode> _episodes = [];
    private readonly Dictionary<(string Tenant, string Agent), List<Episode>> _byAgent = [];

    /// <inheritdoc/>
    public ValueTask AddAsync(Episode episode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(episode);
        lock (_lock)
        {
            var key = (Internal.Guard.Id(episode.TenantId), episode.Id);
            if (!_episodes.TryAdd(key, episode))
            {
                throw new DuplicateEntityException(nameof(Episode), episode.TenantId, episode.Id.ToString());
            }

            var agentKey = (episode.TenantId, Internal.Guard.Id(episode.AgentId));
            if (!_byAgent.TryGetValue(agentKey, out var list))
            {
                _byAgent[agentKey] = list = [];
            }

            list.Add(episode);
        }

        return ValueTask.CompletedTask;
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
