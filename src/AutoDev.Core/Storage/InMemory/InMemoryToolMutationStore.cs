namespace AutoDev;

/// <summary>Tool mutations in memory. Lost when the process ends.</summary>
public sealed class InMemoryToolMutationStore : IToolMutationStore
{
    private readonly Lock _lock = InMemoryStoreHelpers.LearningLock;
    private readonly Dictionary<(string Tenant, Guid Id), ToolMutation> _mutations = [];
    private readonly Dictionary<(string Tenant, string Key), Guid> _open = [];

    /// <inheritdoc/>
    public ValueTask<AddResult<ToolMutation>> AddAsync(ToolMutation mutation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mutation);
        Internal.Guard.Id(mutation.TenantId);
        lock (_lock)
        {
            if (mutation.ParentMutationId is { } parent && !_mutations.ContainsKey((mutation.TenantId, parent)))
            {
                throw new EntityNotFoundException(nameof(ToolMutation), mutation.TenantId, parent);
            }

            if (mutation.OpenKey is { } key && _open.TryGetValue((mutation.TenantId, key), out var openId))
            {
                return new(new AddResult<ToolMutation>(_mutations[(mutation.TenantId, openId)], false));
            }

            var stored = mutation with { ConcurrencyStamp = Guid.NewGuid() };
            if (!_mutations.TryAdd((mutation.TenantId, mutation.Id), stored))
            {
                throw new DuplicateEntityException(nameof(ToolMutation), mutation.TenantId, mutation.Id.ToString());
            }

            Index(null, stored);
            return new(new AddResult<ToolMutation>(stored, true));
        }
    }

    /// <inheritdoc/>
    public ValueTask<ToolMutation?> FindAsync(string tenantId, Guid mutationId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return new(_mutations.GetValueOrDefault((tenantId, mutationId)));
        }
    }

    /// <inheritdoc/>
    public ValueTask<ToolMutation?> FindOpenAsync(string tenantId, Guid parentVersionId, MutationTrigger trigger, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return new(_open.TryGetValue((tenantId, ToolMutation.OpenKeyOf(parentVersionId, trigger)), out var id) ? _mutations[(tenantId, id)] : null);
        }
    }

    /// <inheritdoc/>
    public ValueTask<ToolMutation> UpdateAsync(ToolMutation mutation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mutation);
        lock (_lock)
        {
            Check(mutation);
            return new(Apply(mutation));
        }
    }

    /// <summary>Throws what an update of <paramref name="mutation"/> would throw; the caller holds the lock.</summary>
    internal void Check(ToolMutation mutation)
    {
        var stored = _mutations.GetValueOrDefault((mutation.TenantId, mutation.Id)) ?? throw new EntityNotFoundException(nameof(ToolMutation), mutation.TenantId, mutation.Id);
        StatusTransitions.EnsureUpdate(nameof(ToolMutation), mutation.Id, stored.ConcurrencyStamp, mutation.ConcurrencyStamp, stored.Status, mutation.Status, StatusTransitions.CanTransitionTo);
    }

    /// <summary>Saves a checked update; the caller holds the lock.</summary>
    internal ToolMutation Apply(ToolMutation mutation)
    {
        var key = (mutation.TenantId, mutation.Id);
        var stored = _mutations[key];
        var updated = mutation with { ConcurrencyStamp = Guid.NewGuid() };
        _mutations[key] = updated;
        Index(stored, updated);
        return updated;
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ToolMutation> ListByStatusAsync(string tenantId, ToolMutationStatus status, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var list = _mutations.Values.Where(m => m.TenantId == tenantId && m.Status == status).OrderBy(m => m.CreatedAt).ToList();
            return InMemoryStoreHelpers.ToAsync(list, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ToolMutation> ListChildrenAsync(string tenantId, Guid parentVersionId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var list = _mutations.Values.Where(m => m.TenantId == tenantId && m.ParentVersionId == parentVersionId).OrderBy(m => m.CreatedAt).ToList();
            return InMemoryStoreHelpers.ToAsync(list, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ToolMutation> ListRecentAsync(string tenantId, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_lock)
        {
            var list = _mutations.Values.Where(m => m.TenantId == tenantId).OrderByDescending(m => m.CreatedAt).Take(count).ToList();
            return InMemoryStoreHelpers.ToAsync(list, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public ValueTask<Lineage<ToolMutation>> GetLineageAsync(string tenantId, Guid mutationId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var self = _mutations.GetValueOrDefault((tenantId, mutationId)) ?? throw new EntityNotFoundException(nameof(ToolMutation), tenantId, mutationId);
            var all = _mutations.Values.Where(m => m.TenantId == tenantId).ToList();
            return new(InMemoryStoreHelpers.BuildLineage(self, m => m.Id, m => m.ParentMutationId, all));
        }
    }

    private void Index(ToolMutation? before, ToolMutation after)
    {
        if (before?.OpenKey is { } old)
        {
            _open.Remove((before.TenantId, old));
        }

        if (after.OpenKey is { } key)
        {
            _open[(after.TenantId, key)] = after.Id;
        }
    }
}
