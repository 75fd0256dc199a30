namespace AutoDev.Storage;

/// <summary>Fitness records in memory. Lost when the process ends.</summary>
public sealed class InMemoryFitnessStore(TimeProvider timeProvider) : IFitnessStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Tenant, Guid Subject), FitnessRecord> _records = [];

    /// <inheritdoc/>
    public ValueTask<FitnessRecord?> FindAsync(string tenantId, Guid subjectId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return new(_records.GetValueOrDefault((tenantId, subjectId)));
        }
    }

    /// <inheritdoc/>
    public ValueTask<FitnessRecord> AppendSignalsAsync(
        string tenantId,
        Guid subjectId,
        FitnessSubjectKind kind,
        IReadOnlyList<FitnessSignal> signals,
        Func<IReadOnlyList<FitnessSignal>, double> score,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(score);
        Internal.Guard.Id(tenantId);
        lock (_lock)
        {
            var record = FitnessSignalMerge.Append(_records.GetValueOrDefault((tenantId, subjectId)), tenantId, subjectId, kind, signals, score, timeProvider.GetUtcNow());
            _records[(tenantId, subjectId)] = record;
            return new(record);
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<FitnessRecord> ListTopAsync(string tenantId, FitnessSubjectKind kind, int count, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var list = _records.Values.Where(r => r.TenantId == tenantId && r.SubjectKind == kind)
                .OrderByDescending(r => r.Score).ThenBy(r => r.UpdatedAt).Take(count).ToList();
            return InMemoryStoreHelpers.ToAsync(list, cancellationToken);
        }
    }
}
