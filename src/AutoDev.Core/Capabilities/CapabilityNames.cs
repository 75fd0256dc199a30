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

    /// <summary>The workspace's daily token budget cannot hold another model call.</summary>
    TokenBudgetSpent = 6,

    /// <summary>The agent's stored maturity is not one of the four levels.</summary>
    InvalidMaturity = 7,
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
    public int? Limit { get; init; }

    /// <summary>Uses counted against <see cref="Limit"/> today, when the decision read them.</summary>
    public int? Used { get; init; }

    /// <summary>The agent's maturity, when the decision read the agent (an agent with no profile yet is a STUDENT).</summary>
    public AgentMaturity? CurrentMaturity { get; init; }

    /// <summary>The agent's readiness for its next level, when the maturity is too low: <see cref="GraduationReadiness.Shortfalls"/> says what is missing.</summary>
    public GraduationReadiness? Readiness { get; init; }

    /// <summary>The workspace's token budget today, for capabilities that call the model.</summary>
    public TokenBudgetStatus? TokenBudget { get; init; }

    /// <summary>Whether the capability may be used.</summary>
    public bool IsAllowed => Denial == GateDenial.None;

    /// <summary>A sentence that says why, and what to change.</summary>
    public string Reason => Denial switch
    {
        GateDenial.None => $"'{Capability}' is allowed{Counts()}.",
        GateDenial.WorkspaceDisabled => $"'{Capability}' is refused: the workspace's master switch 'enabled' is off; set 'enabled' to true.",
        GateDenial.CapabilityDisabled => $"'{Capability}' is refused: the workspace switched it off; set '{Capability}' to true.",
        GateDenial.MaturityTooLow => $"'{Capability}' is refused: it needs maturity {Upper(RequiredMaturity)} or higher{Current()}{Missing()}.",
        GateDenial.DailyLimitReached => $"'{Capability}' is refused: the daily limit of {Limit} is used up; raise the workspace's limit or wait until 00:00 UTC.",
        GateDenial.UnknownCapability => $"'{Capability}' is refused: no such capability; register it in AutoDevOptions.CustomCapabilities.",
        GateDenial.TokenBudgetSpent => $"'{Capability}' is refused: the workspace used {TokenBudget?.Used:N0} of its daily token budget of {TokenBudget?.Budget:N0}; raise 'daily_token_budget' or wait until 00:00 UTC.",
        GateDenial.InvalidMaturity => $"'{Capability}' is refused: the agent's stored maturity {(int?)CurrentMaturity} is not a level; set it to Student, Intern, Supervised or Autonomous.",
        _ => $"'{Capability}' is refused.",
    };

    private static string? Upper(AgentMaturity? maturity) => maturity?.ToString().ToUpperInvariant();

    private string Current() => CurrentMaturity is { } current ? $"; the agent is {Upper(current)}" : string.Empty;

    private string Missing() => Readiness is { Next: { } next, Shortfalls.Count: > 0 } readiness
        ? $" (for {Upper(next)} it still needs {string.Join("; ", readiness.Shortfalls)})"
        : string.Empty;

    private string Counts()
    {
        var parts = new List<string>(2);
        if (Limit is { } limit && Used is { } used)
        {
            parts.Add($"{used} of {limit} used today");
        }

        if (TokenBudget is { } budget)
        {
            parts.Add($"{budget.Remaining:N0} of {budget.Budget:N0} tokens left today");
        }

        return parts.Count == 0 ? string.Empty : $" ({string.Join(", ", parts)})";
    }
}
