namespace AutoDev;

/// <summary>The base of every AutoDev event. Events are immutable and carry their workspace.</summary>
public abstract record AutoDevEvent
{
    /// <summary>The workspace the event belongs to.</summary>
    public required string TenantId { get; init; }

    /// <summary>When it happened.</summary>
    public DateTimeOffset OccurredAt { get; init; }
}

/// <summary>An agent failed a task. Published after the episode is stored.</summary>
public sealed record TaskFailed : AutoDevEvent
{
    /// <summary>The agent.</summary>
    public required string AgentId { get; init; }

    /// <summary>The stored episode.</summary>
    public required Guid EpisodeId { get; init; }

    /// <summary>The task.</summary>
    public required string TaskDescription { get; init; }

    /// <summary>The error, if known.</summary>
    public string? ErrorTrace { get; init; }
}

/// <summary>An agent succeeded at a task. Published after the episode is stored.</summary>
public sealed record TaskSucceeded : AutoDevEvent
{
    /// <summary>The agent.</summary>
    public required string AgentId { get; init; }

    /// <summary>The stored episode.</summary>
    public required Guid EpisodeId { get; init; }

    /// <summary>The task.</summary>
    public required string TaskDescription { get; init; }
}

/// <summary>A skill ran. AlphaEvolver listens to this to find slow, costly or flaky skills.</summary>
public sealed record SkillExecuted : AutoDevEvent
{
    /// <summary>The skill.</summary>
    public required Guid SkillId { get; init; }

    /// <summary>The version that ran.</summary>
    public required Guid SkillVersionId { get; init; }

    /// <summary>The skill's name.</summary>
    public required string SkillName { get; init; }

    /// <summary>The agent that ran it, if any.</summary>
    public string? AgentId { get; init; }

    /// <summary>How long it took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Whether it succeeded.</summary>
    public bool Success { get; init; }

    /// <summary>The type of the exception it raised (<c>ValueError</c>), or the sandbox's failure kind; <see langword="null"/> when it succeeded.</summary>
    public string? ErrorType { get; init; }

    /// <summary>
    /// Whether it raised an exception type its version's tests expect for some inputs: the skill refusing as
    /// documented (<c>ValueError</c> for an email with no invoice id), not failing. AlphaEvolver does not try to "fix" such a run.
    /// </summary>
    public bool RefusedAsTested { get; init; }

    /// <summary>How many retries it needed.</summary>
    public int Retries { get; init; }

    /// <summary>Tokens the host reports the call cost.</summary>
    public long TokensUsed { get; init; }

    /// <summary>The inputs, as JSON, when the host allows recording them.</summary>
    public string? InputsJson { get; init; }
}

/// <summary>
/// An agent graduated to a maturity that opens a capability. Hosts forward it to people as a notification of type
/// <see cref="NotificationType"/>.
/// </summary>
public sealed record CapabilityUnlocked : AutoDevEvent
{
    /// <summary>The notification type hosts use: <c>auto_dev_capability_unlocked</c>.</summary>
    public const string NotificationType = "auto_dev_capability_unlocked";

    /// <summary>Always <see cref="NotificationType"/>.</summary>
    public string Type { get; init; } = NotificationType;

    /// <summary>The agent.</summary>
    public required string AgentId { get; init; }

    /// <summary>The capability that opened, for example <c>alpha_evolver</c>.</summary>
    public required string Capability { get; init; }

    /// <summary>The maturity the agent reached.</summary>
    public required AgentMaturity Maturity { get; init; }

    /// <summary>A sentence for a person.</summary>
    public required string Message { get; init; }

    /// <summary>Whether a person must act (switch the capability on in the workspace settings) before it is used.</summary>
    public bool ActionRequired { get; init; }
}

/// <summary>A skill candidate was generated from a failure pattern (it may have failed already, with its reason).</summary>
public sealed record SkillCandidateGenerated : AutoDevEvent
{
    /// <summary>The candidate.</summary>
    public required SkillCandidate Candidate { get; init; }
}

/// <summary>A skill candidate ran in the sandbox: validated, or failed with its reason.</summary>
public sealed record SkillCandidateValidated : AutoDevEvent
{
    /// <summary>The candidate after validation.</summary>
    public required SkillCandidate Candidate { get; init; }
}

/// <summary>A reviewer (or auto-promotion) turned a candidate into a skill version.</summary>
public sealed record SkillPromoted : AutoDevEvent
{
    /// <summary>The skill.</summary>
    public required Skill Skill { get; init; }

    /// <summary>The new, active version.</summary>
    public required SkillVersion Version { get; init; }

    /// <summary>Who promoted it: a reviewer, or <c>autodev</c> for auto-promotion.</summary>
    public required string PromotedBy { get; init; }
}


/// <summary>A host registered a hand-written tool as a skill (<see cref="ISkillRegistry.RegisterAsync"/>): version 1.0.0, active.</summary>
public sealed record SkillRegistered : AutoDevEvent
{
    /// <summary>The skill.</summary>
    public required Skill Skill { get; init; }

    /// <summary>Its first version.</summary>
    public required SkillVersion Version { get; init; }
}

/// <summary>A skill's active version was set back to an earlier one (<see cref="ISkillRegistry.RollbackAsync"/>).</summary>
public sealed record SkillRolledBack : AutoDevEvent
{
    /// <summary>The skill, with its new active version.</summary>
    public required Skill Skill { get; init; }

    /// <summary>The version now active.</summary>
    public required SkillVersion Version { get; init; }
}

/// <summary>AlphaEvolver wrote a mutation of a skill (pending its sandbox run, or failed when the model's answer was unusable).</summary>
public sealed record ToolMutationGenerated : AutoDevEvent
{
    /// <summary>The stored mutation.</summary>
    public required ToolMutation Mutation { get; init; }
}

/// <summary>A mutation ran against its parent in the sandbox: passed (the child is fitter and waits for review) or failed.</summary>
public sealed record ToolMutationEvaluated : AutoDevEvent
{
    /// <summary>The mutation, with its <see cref="ToolMutation.Evaluation"/>.</summary>
    public required ToolMutation Mutation { get; init; }
}
