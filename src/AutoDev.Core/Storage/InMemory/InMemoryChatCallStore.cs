namespace AutoDev.Storage;

/// <summary>Chat call records in memory, per workspace. Lost when the process ends.</summary>
public sealed class InMemoryChatCallStore : IChatCallStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<ChatCallRecord>> _byTenant = new(StringComparer.Ordinal);
    private readonly HashSet<(string Tenant, Guid Id)> _ids = [];

    /// <inheritdoc/>
    public ValueTask AddAsync(ChatCallRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_lock)
        {
            if (!_byTenant.TryGetValue(Internal.Guard.Id(record.TenantId), out var list))
            {
                _byTenant[record.TenantId] = list = [];
            }

            if (!_ids.Add((record.TenantId, record.Id)))
            {
                throw new DuplicateEntityException(nameof(ChatCallRecord), record.TenantId, record.Id.ToString());
            }

            list.Add(record);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<TokenUsage> GetUsageAsync(string tenantId, DateOnly day, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var usage = default(TokenUsage);
            if (_byTenant.TryGetValue(tenantId, out var records))
            {
                foreach (var r in records)
                {
                    if (DateOnly.FromDateTime(r.StartedAt.UtcDateTime) == day)
                    {
                        usage = Add(usage, r);
                    }
                }
            }

            return new(usage);
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ChatCallRecord> ListRecentAsync(string tenantId, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_lock)
        {
            var recent = (_byTenant.GetValueOrDefault(tenantId) ?? []).OrderByDescending(r => r.StartedAt).Take(count).ToList();
            return InMemoryStoreHelpers.ToAsync(recent, cancellationToken);
        }
    }

    internal static TokenUsage Add(TokenUsage usage, ChatCallRecord r) => new(
        usage.InputTokens + r.InputTokens,
        usage.OutputTokens + r.OutputTokens,
        usage.TotalTokens + r.TotalTokens,
        usage.Calls + 1,
        usage.FailedCalls + (r.Succeeded ? 0 : 1));
}
