namespace AutoDev;

/// <summary>The names of AutoDev's built-in capabilities, as used in workspace settings and gate checks.</summary>
public static class CapabilityNames
{
    /// <summary>New skills from repeated failures. INTERN and up; daily limit per agent.</summary>
    public const string MementoSkills = "memento_skills";

    /// <summary>Mutating skills into better versions. SUPERVISED and up; daily limit per workspace.</summary>
    public const string AlphaEvolver = "alpha_evolver";

    /// <summary>Research experiments in the background. AUTONOMOUS only.</summary>
    public const string BackgroundEvolution = "background_evolution";

    /// <summary>The lowest maturity allowed to use a built-in capability, or <see langword="null"/> for an unknown name.</summary>
    public static AgentMaturity? BuiltInMinimumMaturity(string capability) => capability switch
    {
        MementoSkills => AgentMaturity.Intern,
        AlphaEvolver => AgentMaturity.Supervised,
        BackgroundEvolution => AgentMaturity.Autonomous,
        _ => null,
    };
}

/// <summary>Why the gate refused, or <see cref="None"/>.</summary>
public enum GateDenial
{
    /// <summary>Allowed.</summary>
    None = 0,

    /// <summary>The workspace's master switch (<c>enabled</c>) is off.</summary>
    WorkspaceDisabled = 1,

    /// <summary>The workspace switched this capability off.</summary>
    CapabilityDisabled = 2,

    /// <summary>The agent's maturity is below the capability's minimum.</summary>
    MaturityTooLow = 3,

    /// <summary>The daily limit is used up.</summary>
    DailyLimitReached = 4,

    /// <summary>No built-in or custom capability has this name.</summary>
    UnknownCapability = 5,
}

/// <summary>The gate's answer: allowed, or why not.</summary>
/// <remarks>A value type: checking allocates nothing when the answer is yes.</remarks>
public readonly record struct GateDecision
{
    /// <summary>Creates a decision.</summary>
    public GateDecision(string capability, GateDenial denial, AgentMaturity? requiredMaturity = null, int? limit = null)
    {
        Capability = capability;
        Denial = denial;
        RequiredMaturity = requiredMaturity;
        Limit = limit;
    }

    /// <summary>The capability asked about.</summary>
    public string Capability { get; }

    /// <summary>Why it was refused, or <see cref="GateDenial.None"/>.</summary>
    public GateDenial Denial { get; }

    /// <summary>The minimum maturity, when known.</summary>
    public AgentMaturity? RequiredMaturity { get; }

    /// <summary>The daily limit in force, when one applies.</summary>
    public int? Limit { get; }

    /// <summary>Whether the capability may be used.</summary>
    public bool IsAllowed => Denial == GateDenial.None;

    /// <summary>A sentence that says why, and what to change.</summary>
    public string Reason => Denial switch
    {
        GateDenial.None => $"'{Capability}' is allowed.",
        GateDenial.WorkspaceDisabled => $"'{Capability}' is refused: the workspace's master switch 'enabled' is off.",
        GateDenial.CapabilityDisabled => $"'{Capability}' is refused: the workspace switched it off; set '{Capability}' to true.",
        GateDenial.MaturityTooLow => $"'{Capability}' is refused: it needs maturity {RequiredMaturity?.ToString().ToUpperInvariant()} or higher.",
        GateDenial.DailyLimitReached => $"'{Capability}' is refused: the daily limit of {Limit} is used up; it resets at 00:00 UTC.",
        GateDenial.UnknownCapability => $"'{Capability}' is refused: no such capability; register it in AutoDevOptions.CustomCapabilities.",
        _ => $"'{Capability}' is refused.",
    };
}
