namespace AutoDev;

/// <summary>Merges newly delivered fitness signals into the ones already kept. Store providers use it so that every store deduplicates the same way.</summary>
internal static class FitnessSignalMerge
{
    /// <summary>
    /// The record after appending <paramref name="incoming"/> to <paramref name="stored"/> (or to nothing): the merged
    /// signals, rescored with <paramref name="score"/>, the kind it was first stored with. What every
    /// <see cref="Storage.IFitnessStore.AppendSignalsAsync"/> saves.
    /// </summary>
    public static FitnessRecord Append(
        FitnessRecord? stored,
        string tenantId,
        Guid subjectId,
        FitnessSubjectKind kind,
        IReadOnlyList<FitnessSignal> incoming,
        Func<IReadOnlyList<FitnessSignal>, double> score,
        DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(score);
        var all = Merge(stored?.Signals ?? [], incoming);
        return new FitnessRecord { TenantId = tenantId, SubjectId = subjectId, SubjectKind = stored?.SubjectKind ?? kind, Signals = all, Score = score(all), UpdatedAt = at };
    }

    /// <summary>
    /// Returns <paramref name="existing"/> followed by each signal of <paramref name="incoming"/> whose
    /// <see cref="FitnessSignal.DeliveryId"/> is <see langword="null"/> or not seen before (in either list).
    /// </summary>
    public static IReadOnlyList<FitnessSignal> Merge(IReadOnlyList<FitnessSignal> existing, IReadOnlyList<FitnessSignal> incoming)
    {
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentNullException.ThrowIfNull(incoming);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var signal in existing)
        {
            if (signal.DeliveryId is { } id)
            {
                seen.Add(id);
            }
        }

        var merged = new List<FitnessSignal>(existing.Count + incoming.Count);
        merged.AddRange(existing);
        foreach (var signal in incoming)
        {
            if (signal.DeliveryId is null || seen.Add(signal.DeliveryId))
            {
                merged.Add(signal);
            }
        }

        return merged;
    }
}
