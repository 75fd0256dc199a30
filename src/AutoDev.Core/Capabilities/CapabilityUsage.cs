namespace AutoDev;

/// <summary>One use (or reservation of a use) of a limited capability on a UTC day.</summary>
public sealed record CapabilityUsage
{
    /// <summary>The usage's id, also the reservation handle.</summary>
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>The workspace.</summary>
    public required string TenantId { get; init; }

    /// <summary>The agent, for per-agent limits; <see langword="null"/> for per-workspace limits.</summary>
    public string? AgentId { get; init; }

    /// <summary>The capability name, for example <c>memento_skills</c>.</summary>
    public required string Capability { get; init; }

    /// <summary>The UTC day it counts against.</summary>
    public required DateOnly Day { get; init; }

    /// <summary>Reserved, committed or released.</summary>
    public CapabilityUsageStatus Status { get; init; } = CapabilityUsageStatus.Reserved;

    /// <summary>When it was reserved.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// When a reservation that was neither committed nor released stops counting (its owner crashed or hung); a store
    /// releases it when the next reservation of the same capability, day and scope is made after this time.
    /// <see langword="null"/> never expires.
    /// </summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}
