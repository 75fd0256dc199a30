namespace AutoDev.Storage;

/// <summary>Tool mutations in memory. Lost when the process ends.</summary>
public sealed class InMemoryToolMutationStore : IToolMutationStore
{
    private readonly Lock _lock = InMemoryStoreHelpers.LearningLock;
    private readonly ProposalTable<ToolMutation> _mutations = new(nameof(ToolMutation), m => m.OpenKey);

    /// <inheritdoc/>
    public ValueTask<AddResult<ToolMutation>> AddAsync(ToolMutation mutation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mutation);
        Internal.Guard.Id(mutation.TenantId);
        lock (_lock)
        {
            if (mutation.ParentMutationId is { } parent && !_mutations.Contains(mutation.TenantId, parent))
            {
                throw new EntityNotFoundException(nameof(ToolMutation), mutation.TenantId, parent);
            }

            return new(_mutations.Add(mutation));
        }
    }

    /// <inheritdoc/>
    public ValueTask<ToolMutation?> FindAsync(string tenantId, Guid mutationId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return new(_mutations.Find(tenantId, mutationId));
        }
    }

    /// <inheritdoc/>
    public ValueTask<ToolMutation?> FindOpenAsync(string tenantId, Guid parentVersionId, MutationTrigger trigger, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return new(_mutations.FindOpen(tenantId, ToolMutation.OpenKeyOf(parentVersionId, trigger)));
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
    internal void Check(ToolMutation mutation) => _mutations.Check(mutation);

    /// <summary>Saves a checked update; the caller holds the lock.</summary>
    internal ToolMutation Apply(ToolMutation mutation) => _mutations.Apply(mutation);

    /// <inheritdoc/>
    public IAsyncEnumerable<ToolMutation> ListByStatusAsync(string tenantId, ToolMutationStatus status, int limit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var list = _mutations.All.Where(m => m.TenantId == tenantId && m.Status == status).OrderBy(m => m.CreatedAt).Take(limit).ToList();
            return InMemoryStoreHelpers.ToAsync(list, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ToolMutation> ListChildrenAsync(string tenantId, Guid parentVersionId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var list = _mutations.All.Where(m => m.TenantId == tenantId && m.ParentVersionId == parentVersionId).OrderBy(m => m.CreatedAt).ToList();
            return InMemoryStoreHelpers.ToAsync(list, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ToolMutation> ListRecentAsync(string tenantId, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_lock)
        {
            var list = _mutations.All.Where(m => m.TenantId == tenantId).OrderByDescending(m => m.CreatedAt).Take(count).ToList();
            return InMemoryStoreHelpers.ToAsync(list, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public ValueTask<Lineage<ToolMutation>> GetLineageAsync(string tenantId, Guid mutationId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var self = _mutations.Find(tenantId, mutationId) ?? throw new EntityNotFoundException(nameof(ToolMutation), tenantId, mutationId);
            var all = _mutations.All.Where(m => m.TenantId == tenantId).ToList();
            return new(InMemoryStoreHelpers.BuildLineage(self, m => m.Id, m => m.ParentMutationId, all));
        }
    }
}
