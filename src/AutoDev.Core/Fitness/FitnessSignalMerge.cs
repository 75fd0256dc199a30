namespace AutoDev;

/// <summary>Merges newly delivered fitness signals into the ones already kept. Store providers use it so that every store deduplicates the same way.</summary>
internal static class FitnessSignalMerge
{
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
