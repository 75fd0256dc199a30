namespace AutoDev;

/// <summary>Scores variants (candidates, mutations, workflow variants) from proxy and external signals, and ranks them.</summary>
/// <remarks>Thread-safe. Recording the same delivery twice counts it once. Scores are always in [0, 1].</remarks>
public interface IFitnessService
{
    /// <summary>Computes a score from signals with every registered <see cref="IFitnessFunction"/>, weighted, clamped to [0, 1]. Pure.</summary>
    double Score(IReadOnlyList<FitnessSignal> signals);

    /// <summary>Adds signals to a variant's record and rescores it.</summary>
    ValueTask<FitnessRecord> RecordSignalsAsync(string tenantId, Guid subjectId, FitnessSubjectKind kind, IReadOnlyList<FitnessSignal> signals, CancellationToken cancellationToken = default);

    /// <summary>The variant's record.</summary>
    /// <exception cref="EntityNotFoundException">The variant was never scored in this workspace.</exception>
    ValueTask<FitnessRecord> GetAsync(string tenantId, Guid subjectId, CancellationToken cancellationToken = default);

    /// <summary>The fittest variants of a kind, best first.</summary>
    IAsyncEnumerable<FitnessRecord> GetTopVariantsAsync(string tenantId, FitnessSubjectKind kind, int count, CancellationToken cancellationToken = default);
}

/// <summary>One objective of the fitness score. Register more through <c>AddFitnessFunction</c>; each is weighted by <see cref="FitnessOptions.Weights"/>.</summary>
/// <remarks>Implementations are pure and thread-safe: the same signals give the same value.</remarks>
public interface IFitnessFunction
{
    /// <summary>The objective's name, the key of its weight.</summary>
    string Name { get; }

    /// <summary>The objective's contribution before weighting; may be negative.</summary>
    double Evaluate(IReadOnlyList<FitnessSignal> signals);
}

/// <summary>Options of the default fitness functions and of the weighting.</summary>
public sealed class FitnessOptions
{
    /// <summary>Default of <see cref="BouncePenalty"/>.</summary>
    public const double DefaultBouncePenalty = 0.3;

    /// <summary>Default of <see cref="ErrorPenalty"/>.</summary>
    public const double DefaultErrorPenalty = 0.2;

    /// <summary>What each <see cref="FitnessSignalNames.Bounce"/> takes off.</summary>
    /// <value>Default <see cref="DefaultBouncePenalty"/>.</value>
    public double BouncePenalty { get; set; } = DefaultBouncePenalty;

    /// <summary>What each <see cref="FitnessSignalNames.Error"/> takes off.</summary>
    /// <value>Default <see cref="DefaultErrorPenalty"/>.</value>
    public double ErrorPenalty { get; set; } = DefaultErrorPenalty;

    /// <summary>Weight per fitness function name; a function without an entry weighs 1.</summary>
    public IDictionary<string, double> Weights { get; } = new Dictionary<string, double>(StringComparer.Ordinal);
}
