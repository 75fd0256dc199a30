namespace AutoDev.Storage;

/// <summary>Workflow variants in memory. Lost when the process ends.</summary>
public sealed class InMemoryWorkflowVariantStore : IWorkflowVariantStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Tenant, Guid Id), WorkflowVariant> _variants = [];

    /// <inheritdoc/>
    public ValueTask<WorkflowVariant> AddAsync(WorkflowVariant variant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(variant);
        Internal.Guard.Id(variant.TenantId);
        lock (_lock)
        {
            if (variant.ParentVariantId is { } parent && !_variants.ContainsKey((variant.TenantId, parent)))
            {
                throw new EntityNotFoundException(nameof(WorkflowVariant), variant.TenantId, parent);
            }

            var stored = variant with { ConcurrencyStamp = Guid.NewGuid() };
            if (!_variants.TryAdd((variant.TenantId, variant.Id), stored))
            {
                throw new DuplicateEntityException(nameof(WorkflowVariant), variant.TenantId, variant.Id.ToString());
            }

            return new(stored);
        }
    }

    /// <inheritdoc/>
    public ValueTask<WorkflowVariant?> FindAsync(string tenantId, Guid variantId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return new(_variants.GetValueOrDefault((tenantId, variantId)));
        }
    }

    /// <inheritdoc/>
    public ValueTask<WorkflowVariant> UpdateAsync(WorkflowVariant variant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(variant);
        lock (_lock)
        {
            var key = (variant.TenantId, variant.Id);
            var stored = _variants.GetValueOrDefault(key) ?? throw new EntityNotFoundException(nameof(WorkflowVariant), variant.TenantId, variant.Id);
            InMemoryStoreHelpers.EnsureStamp(stored.ConcurrencyStamp, variant.ConcurrencyStamp, nameof(WorkflowVariant), variant.Id);
            if (stored.EvaluationStatus != variant.EvaluationStatus && !stored.EvaluationStatus.CanTransitionTo(variant.EvaluationStatus))
            {
                throw new InvalidStateTransitionException(nameof(WorkflowVariant), variant.Id, stored.EvaluationStatus.ToString(), variant.EvaluationStatus.ToString());
            }

            var updated = variant with { ConcurrencyStamp = Guid.NewGuid() };
            _variants[key] = updated;
            return new(updated);
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<WorkflowVariant> ListTopAsync(string tenantId, string agentId, int count, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var list = _variants.Values
                .Where(v => v.TenantId == tenantId && v.AgentId == agentId && v.FitnessScore is not null)
                .OrderByDescending(v => v.FitnessScore)
                .ThenBy(v => v.CreatedAt)
                .Take(count)
                .ToList();
            return InMemoryStoreHelpers.ToAsync(list, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public ValueTask<Lineage<WorkflowVariant>> GetLineageAsync(string tenantId, Guid variantId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var self = _variants.GetValueOrDefault((tenantId, variantId)) ?? throw new EntityNotFoundException(nameof(WorkflowVariant), tenantId, variantId);
            var all = _variants.Values.Where(v => v.TenantId == tenantId).ToList();
            return new(InMemoryStoreHelpers.BuildLineage(self, v => v.Id, v => v.ParentVariantId, all));
        }
    }
}
