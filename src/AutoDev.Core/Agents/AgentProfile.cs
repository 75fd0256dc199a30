namespace AutoDev;

/// <summary>An agent of a workspace: its maturity and the counters graduation is computed from.</summary>
/// <remarks>Immutable; stores replace it as a whole and check <see cref="ConcurrencyStamp"/>.</remarks>
public sealed record AgentProfile
{
    /// <summary>The workspace the agent belongs to.</summary>
    public required string TenantId { get; init; }

    /// <summary>The host's id of the agent, unique within the workspace.</summary>
    public required string AgentId { get; init; }

    /// <summary>The agent's current maturity.</summary>
    public AgentMaturity Maturity { get; init; } = AgentMaturity.Student;

    /// <summary>How many episodes the agent has recorded.</summary>
    public int EpisodeCount { get; init; }

    /// <summary>How many of those episodes needed a human to intervene.</summary>
    public int InterventionCount { get; init; }

    /// <summary>The sum of the constitutional scores (0..1) of the episodes that carried one.</summary>
    public double ConstitutionalScoreSum { get; init; }

    /// <summary>How many episodes carried a constitutional score.</summary>
    public int ConstitutionalScoreCount { get; init; }

    /// <summary>When the profile was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Changes on every save; a save with a stale stamp fails with <see cref="ConcurrencyConflictException"/>.</summary>
    public Guid ConcurrencyStamp { get; init; }

    /// <summary>Interventions per episode, 0 when there are none.</summary>
    public double InterventionRate => EpisodeCount == 0 ? 0 : (double)InterventionCount / EpisodeCount;

    /// <summary>The mean constitutional score; <see langword="null"/> when no episode carried one (unmeasured, which graduation does not count as failed).</summary>
    public double? ConstitutionalCompliance => ConstitutionalScoreCount == 0 ? null : ConstitutionalScoreSum / ConstitutionalScoreCount;

    /// <summary>This profile with <paramref name="episode"/> counted: what a store adds atomically.</summary>
    internal AgentProfile Counting(Episode episode) => this with
    {
        EpisodeCount = EpisodeCount + 1,
        InterventionCount = InterventionCount + (episode.HumanIntervention ? 1 : 0),
        ConstitutionalScoreSum = ConstitutionalScoreSum + (episode.ConstitutionalScore ?? 0),
        ConstitutionalScoreCount = ConstitutionalScoreCount + (episode.ConstitutionalScore is null ? 0 : 1),
    };
}
