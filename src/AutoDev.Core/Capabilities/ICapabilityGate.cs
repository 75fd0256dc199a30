namespace AutoDev;

/// <summary>
/// Decides whether an agent may use a capability, from the workspace settings, the agent's maturity and the daily
/// limits; counts uses; and graduates agents.
/// </summary>
/// <remarks>Thread-safe. A limit is never exceeded, even under concurrent reservations: reserve first, then commit or release.</remarks>
public interface ICapabilityGate
{
    /// <summary>The decision from the switches and the maturity matrix alone; no store access, no limits.</summary>
    GateDecision CanUse(AgentProfile agent, string capability, WorkspaceSettings settings);

    /// <summary>
    /// The decision including the daily limit and, for the learning capabilities, the token budget, from the stores;
    /// the decision carries the figures it read. An agent that has not recorded an episode yet is a STUDENT. Reserves nothing.
    /// </summary>
    ValueTask<GateDecision> CheckAsync(string tenantId, string agentId, string capability, CancellationToken cancellationToken = default);

    /// <summary>
    /// Checks and reserves one use against the daily limit, atomically. Commit it when the work is done; dispose without
    /// committing to give it back. The reservation expires after <see cref="AutoDevOptions.ReservationLease"/> if neither happens.
    /// </summary>
    /// <exception cref="CapabilityDeniedException">A switch or the maturity forbids it.</exception>
    /// <exception cref="LimitExceededException">The daily limit is used up.</exception>
    ValueTask<CapabilityReservation> ReserveAsync(string tenantId, string agentId, string capability, CancellationToken cancellationToken = default);

    /// <summary>Reserves and commits one use at once.</summary>
    /// <exception cref="CapabilityDeniedException">A switch or the maturity forbids it.</exception>
    /// <exception cref="LimitExceededException">The daily limit is used up.</exception>
    ValueTask RecordUsageAsync(string tenantId, string agentId, string capability, CancellationToken cancellationToken = default);

    /// <summary>
    /// Today's (UTC) uses of a capability against its daily limit, counted the way the limit counts them: skill
    /// candidates per agent, mutations per workspace (<paramref name="agentId"/> is then ignored). Decides nothing and
    /// reserves nothing: for dashboards and reports.
    /// </summary>
    /// <exception cref="ArgumentException">The capability is counted per agent and <paramref name="agentId"/> is <see langword="null"/>.</exception>
    ValueTask<CapabilityUse> GetUseTodayAsync(string tenantId, string? agentId, string capability, CancellationToken cancellationToken = default);

    /// <summary>Moves the agent up as many levels as its counters allow and publishes a <see cref="CapabilityUnlocked"/> for each capability that opens.</summary>
    /// <exception cref="EntityNotFoundException">The agent is unknown in the workspace.</exception>
    ValueTask<GraduationResult> TryGraduateAsync(string tenantId, string agentId, CancellationToken cancellationToken = default);
}

/// <summary>Today's uses of a capability against its daily limit.</summary>
/// <param name="Capability">The capability.</param>
/// <param name="Used">Uses reserved or committed today.</param>
/// <param name="Limit">The daily limit; <see langword="null"/> when the capability has none.</param>
public sealed record CapabilityUse(string Capability, int Used, int? Limit);

/// <summary>One reserved use of a limited capability. Commit when the work happened; dispose to release otherwise.</summary>
/// <remarks>Not thread-safe: one owner. Commit and dispose are idempotent.</remarks>
public sealed class CapabilityReservation : IAsyncDisposable
{
    private readonly ICapabilityUsageStore _store;
    private int _state; // 0 open, 1 done

    internal CapabilityReservation(ICapabilityUsageStore store, CapabilityUsage usage)
    {
        _store = store;
        Usage = usage;
    }

    /// <summary>The reserved usage.</summary>
    public CapabilityUsage Usage { get; }

    /// <summary>Whether it has been committed or released.</summary>
    public bool IsCompleted => Volatile.Read(ref _state) == 1;

    /// <summary>Counts the use for good.</summary>
    public ValueTask CommitAsync(CancellationToken cancellationToken = default) => CompleteAsync(CapabilityUsageStatus.Committed, cancellationToken);

    /// <summary>Gives the use back.</summary>
    public ValueTask ReleaseAsync(CancellationToken cancellationToken = default) => CompleteAsync(CapabilityUsageStatus.Released, cancellationToken);

    /// <summary>Releases the use unless it was committed.</summary>
    public ValueTask DisposeAsync() => ReleaseAsync(CancellationToken.None);

    private ValueTask CompleteAsync(CapabilityUsageStatus status, CancellationToken cancellationToken) =>
        Interlocked.Exchange(ref _state, 1) == 0
            ? _store.CompleteAsync(Usage.TenantId, Usage.Id, status, cancellationToken)
            : ValueTask.CompletedTask;
}
