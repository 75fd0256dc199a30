using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>The default <see cref="IFitnessService"/>: the weighted sum of every registered <see cref="IFitnessFunction"/>, clamped to [0, 1].</summary>
internal sealed class FitnessService : IFitnessService
{
    private readonly IFitnessStore _store;
    private readonly (IFitnessFunction Function, double Weight)[] _functions;

    /// <summary>Creates the service.</summary>
    public FitnessService(IFitnessStore store, IEnumerable<IFitnessFunction> functions, IOptions<FitnessOptions> options)
    {
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        var weights = options.Value.Weights;
        _functions = [.. functions.Select(f => (f, weights.TryGetValue(f.Name, out var w) ? w : 1.0))];
    }

    /// <inheritdoc/>
    public double Score(IReadOnlyList<FitnessSignal> signals)
    {
        ArgumentNullException.ThrowIfNull(signals);
        double total = 0;
        foreach (var (function, weight) in _functions)
        {
            total += weight * function.Evaluate(signals);
        }

        return double.IsNaN(total) ? 0 : Math.Clamp(total, 0, 1);
    }

    /// <inheritdoc/>
    public ValueTask<FitnessRecord> RecordSignalsAsync(string tenantId, Guid subjectId, FitnessSubjectKind kind, IReadOnlyList<FitnessSignal> signals, CancellationToken cancellationToken = default)
    {
        Internal.Guard.Id(tenantId);
        ArgumentNullException.ThrowIfNull(signals);
        return _store.AppendSignalsAsync(tenantId, subjectId, kind, signals, Score, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<FitnessRecord> GetAsync(string tenantId, Guid subjectId, CancellationToken cancellationToken = default) =>
        await _store.FindAsync(tenantId, subjectId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(FitnessRecord), tenantId, subjectId);

    /// <inheritdoc/>
    public IAsyncEnumerable<FitnessRecord> GetTopVariantsAsync(string tenantId, FitnessSubjectKind kind, int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return _store.ListTopAsync(tenantId, kind, count, cancellationToken);
    }
}
