namespace AutoDev;

/// <summary>One observation that moves a variant's fitness: a proxy signal from validation, or an external one from a webhook.</summary>
/// <param name="Name">The signal, for example <see cref="FitnessSignalNames.InvoiceCreated"/>.</param>
/// <param name="Value">Its magnitude: 1 for a plain event, the amount for <see cref="FitnessSignalNames.ConversionValue"/>.</param>
/// <param name="DeliveryId">The sender's id of the delivery; a signal with a delivery id already seen is ignored.</param>
/// <param name="ReceivedAt">When it was received.</param>
public sealed record FitnessSignal(string Name, double Value = 1, string? DeliveryId = null, DateTimeOffset ReceivedAt = default);

/// <summary>The signal names the default fitness functions understand.</summary>
public static class FitnessSignalNames
{
    /// <summary>Stage 1: the code compiles (+0.2).</summary>
    public const string Compiles = "compiles";

    /// <summary>Stage 1: the code executed successfully (+0.3).</summary>
    public const string Executed = "executed";

    /// <summary>The share of a candidate's tests that passed in the sandbox (value 0 to 1).</summary>
    public const string TestsPassed = "tests_passed";

    /// <summary>Stage 1: a user or reviewer approved it (+0.5).</summary>
    public const string Approved = "approved";

    /// <summary>Objective: a variant's typical run time in milliseconds (lower is fitter; see <see cref="LatencyFitnessFunction"/>).</summary>
    public const string LatencyMilliseconds = "latency_ms";

    /// <summary>Objective: tokens of what a run hands back to the agent (lower is fitter; see <see cref="TokenFitnessFunction"/>).</summary>
    public const string OutputTokens = "output_tokens";

    /// <summary>Objective: the share of calls that returned without an error, 0 to 1 (see <see cref="ReliabilityFitnessFunction"/>).</summary>
    public const string SuccessRate = "success_rate";

    /// <summary>Stage 2: an invoice was created (+0.4).</summary>
    public const string InvoiceCreated = "invoice_created";

    /// <summary>Stage 2: a CRM conversion happened (+0.5).</summary>
    public const string CrmConversion = "crm_conversion";

    /// <summary>Stage 2: the value of a conversion; adds min(0.5, value / 1000).</summary>
    public const string ConversionValue = "conversion_value";

    /// <summary>Stage 2, negative: a bounce (−0.3 by default).</summary>
    public const string Bounce = "bounce";

    /// <summary>Stage 2, negative: an error downstream (−0.2 by default).</summary>
    public const string Error = "error";
}

/// <summary>What kind of thing a fitness record scores.</summary>
public enum FitnessSubjectKind
{
    /// <summary>A <see cref="SkillCandidate"/>.</summary>
    SkillCandidate = 0,

    /// <summary>A <see cref="ToolMutation"/>.</summary>
    ToolMutation = 1,

    /// <summary>A <see cref="WorkflowVariant"/>.</summary>
    WorkflowVariant = 2,

    /// <summary>A <see cref="SkillVersion"/>.</summary>
    SkillVersion = 3,
}

/// <summary>The fitness of one variant: its score and the signals it was computed from.</summary>
public sealed record FitnessRecord
{
    /// <summary>The workspace.</summary>
    public required string TenantId { get; init; }

    /// <summary>The scored variant's id.</summary>
    public required Guid SubjectId { get; init; }

    /// <summary>The scored variant's kind.</summary>
    public required FitnessSubjectKind SubjectKind { get; init; }

    /// <summary>The score, clamped to [0, 1].</summary>
    public double Score { get; init; }

    /// <summary>Every signal received, in arrival order, each delivery once.</summary>
    public IReadOnlyList<FitnessSignal> Signals { get; init; } = [];

    /// <summary>When the score last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}
