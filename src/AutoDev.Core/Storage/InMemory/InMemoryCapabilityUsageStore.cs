using System.Runtime.InteropServices;

namespace AutoDev.Storage;

/// <summary>Capability usage in memory: reservations are atomic under one lock. Lost when the process ends.</summary>
public sealed class InMemoryCapabilityUsageStore : ICapabilityUsageStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Tenant, Guid Id), CapabilityUsage> _usages = [];
    private readonly Dictionary<(string Tenant, string Capability, string? Agent, DateOnly Day), int> _counts = [];
    private readonly Dictionary<(string Tenant, string Capability, string? Agent, DateOnly Day), PriorityQueue<Guid, DateTimeOffset>> _expiries = [];

    /// <inheritdoc/>
    public ValueTask<bool> TryReserveAsync(CapabilityUsage usage, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(usage);
        Internal.Guard.Id(usage.TenantId);
        lock (_lock)
        {
            var key = (usage.TenantId, usage.Capability, usage.AgentId, usage.Day);
            var count = _counts.GetValueOrDefault(key);
            if (count >= limit)
            {
                // At the limit: expired reservations stop counting (the same rule as the EF store).
                ReleaseExpired(key, usage.CreatedAt);
                count = _counts.GetValueOrDefault(key);
                if (count >= limit)
                {
                    return new(false);
                }
            }

            if (!_usages.TryAdd((usage.TenantId, usage.Id), usage with { Status = CapabilityUsageStatus.Reserved }))
            {
                throw new DuplicateEntityException(nameof(CapabilityUsage), usage.TenantId, usage.Id.ToString());
            }

            _counts[key] = count + 1;
            if (usage.ExpiresAt is { } expires)
            {
                (CollectionsMarshal.GetValueRefOrAddDefault(_expiries, key, out _) ??= new()).Enqueue(usage.Id, expires);
            }

            return new(true);
        }
    }

    /// <inheritdoc/>
    public ValueTask CompleteAsync(string tenantId, Guid usageId, CapabilityUsageStatus status, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var usage = _usages.GetValueOrDefault((tenantId, usageId)) ?? throw new EntityNotFoundException(nameof(CapabilityUsage), tenantId, usageId);
            if (!usage.Status.CanTransitionTo(status))
            {
                throw new InvalidStateTransitionException(nameof(CapabilityUsage), usageId, usage.Status.ToString(), status.ToString());
            }

            _usages[(tenantId, usageId)] = usage with { Status = status };
            if (status == CapabilityUsageStatus.Released)
            {
                _counts[(usage.TenantId, usage.Capability, usage.AgentId, usage.Day)]--;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Releases the scope's reservations that expired before <paramref name="now"/>, earliest first; completed ones leave the queue unseen.</summary>
    private void ReleaseExpired((string Tenant, string Capability, string? Agent, DateOnly Day) key, DateTimeOffset now)
    {
        if (!_expiries.TryGetValue(key, out var queue))
        {
            return;
        }

        while (queue.TryPeek(out var id, out var expires) && expires < now)
        {
            queue.Dequeue();
            if (_usages[(key.Tenant, id)] is { Status: CapabilityUsageStatus.Reserved } expired)
            {
                _usages[(key.Tenant, id)] = expired with { Status = CapabilityUsageStatus.Released };
                _counts[key]--;
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask<int> CountAsync(string tenantId, string capability, string? agentId, DateOnly day, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return new(_counts.GetValueOrDefault((tenantId, capability, agentId, day)));
        }
    }
}
