namespace AutoDev;

/// <summary>Why a skill was chosen for mutation, and so what the mutation aims at.</summary>
public enum MutationTrigger
{
    /// <summary>Too slow: reduce execution time.</summary>
    Latency = 0,

    /// <summary>Too many tokens: use fewer.</summary>
    Tokens = 1,

    /// <summary>Failed: fix the failure.</summary>
    Failure = 2,

    /// <summary>Needed retries: fix intermittent failures.</summary>
    Retries = 3,

    /// <summary>A research-mode iteration.</summary>
    Research = 4,
}

/// <summary>An LLM-written variant of a skill version, tested against its parent in the sandbox.</summary>
public sealed record ToolMutation
{
    /// <summary>The mutation's id.</summary>
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>The workspace.</summary>
    public required string TenantId { get; init; }

    /// <summary>The skill being improved.</summary>
    public required Guid SkillId { get; init; }

    /// <summary>The skill version it mutates (the parent tool).</summary>
    public required Guid ParentToolId { get; init; }

    /// <summary>The mutation it was derived from in research mode, if any.</summary>
    public Guid? ParentMutationId { get; init; }

    /// <summary>What the mutation aims at.</summary>
    public MutationTrigger Trigger { get; init; }

    /// <summary>The child's Python source.</summary>
    public string Code { get; init; } = string.Empty;

    /// <summary>The current status.</summary>
    public ToolMutationStatus Status { get; init; } = ToolMutationStatus.Pending;

    /// <summary>The child's fitness.</summary>
    public double? FitnessScore { get; init; }

    /// <summary>The parent's fitness measured in the same run.</summary>
    public double? ParentFitnessScore { get; init; }

    /// <summary>Why it failed or was rejected.</summary>
    public string? FailureReason { get; init; }

    /// <summary>The skill version it became, once promoted.</summary>
    public Guid? PromotedVersionId { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Changes on every save; a save with a stale stamp fails with <see cref="ConcurrencyConflictException"/>.</summary>
    public Guid ConcurrencyStamp { get; init; }
}

/// <summary>A variant of an agent's workflow definition (JSON), evolved and scored like a tool mutation.</summary>
public sealed record WorkflowVariant
{
    /// <summary>The variant's id.</summary>
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>The workspace.</summary>
    public required string TenantId { get; init; }

    /// <summary>The agent whose workflow it is.</summary>
    public required string AgentId { get; init; }

    /// <summary>The variant it was derived from; <see langword="null"/> for the original.</summary>
    public Guid? ParentVariantId { get; init; }

    /// <summary>The workflow definition as JSON.</summary>
    public required string WorkflowDefinitionJson { get; init; }

    /// <summary>The fitness, 0..1, once evaluated.</summary>
    public double? FitnessScore { get; init; }

    /// <summary>The signals the score was computed from.</summary>
    public IReadOnlyList<FitnessSignal> FitnessSignals { get; init; } = [];

    /// <summary>The evaluation status.</summary>
    public WorkflowEvaluationStatus EvaluationStatus { get; init; } = WorkflowEvaluationStatus.Pending;

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Changes on every save; a save with a stale stamp fails with <see cref="ConcurrencyConflictException"/>.</summary>
    public Guid ConcurrencyStamp { get; init; }
}
