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
public sealed record ToolMutation : Proposal
{
    /// <summary>The skill being improved.</summary>
    public required Guid SkillId { get; init; }

    /// <summary>The skill version it mutates (the parent tool): a <see cref="SkillVersion.Id"/>.</summary>
    public required Guid ParentVersionId { get; init; }

    /// <summary>The mutation it was derived from in research mode, if any.</summary>
    public Guid? ParentMutationId { get; init; }

    /// <summary>What the mutation aims at.</summary>
    public MutationTrigger Trigger { get; init; }

    /// <summary>The agent whose execution (or research experiment) started it, if any.</summary>
    public string? AgentId { get; init; }

    /// <summary>
    /// The inputs (JSON objects of keyword arguments) parent and child both run on: inputs recorded from real
    /// executions where the host allowed it. The skill's tests are always run as well.
    /// </summary>
    public IReadOnlyList<string> EvaluationInputs { get; init; } = [];

    /// <summary>Tokens the model call that wrote the child cost.</summary>
    public long GenerationTokens { get; init; }

    /// <summary>The current status.</summary>
    public ToolMutationStatus Status { get; init; } = ToolMutationStatus.Pending;

    /// <summary>The parent's fitness measured in the same run.</summary>
    public double? ParentFitnessScore { get; init; }

    /// <summary>Parent and child side by side, once they ran in the sandbox.</summary>
    public MutationEvaluation? Evaluation { get; init; }

    /// <summary>
    /// Whether it blocks another mutation of the same parent version for the same trigger: it is pending, passed or
    /// being written, and was not made by a research experiment (which makes several children of one parent on purpose).
    /// </summary>
    public override bool IsOpen => Trigger != MutationTrigger.Research && Status is ToolMutationStatus.Generating or ToolMutationStatus.Pending or ToolMutationStatus.Passed;

    /// <summary>The key that is unique among open mutations: parent version and trigger; <see langword="null"/> when not <see cref="IsOpen"/>.</summary>
    public string? OpenKey => IsOpen ? OpenKeyOf(ParentVersionId, Trigger) : null;

    /// <summary>The <see cref="OpenKey"/> of a parent version and trigger.</summary>
    public static string OpenKeyOf(Guid parentVersionId, MutationTrigger trigger) => $"{parentVersionId:N}:{trigger}";

    /// <summary>
    /// This mutation with its status moved to <paramref name="status"/> at <paramref name="at"/>: how generation and
    /// evaluation change it (a review uses <see cref="Promote"/> or <see cref="Reject"/>). Stores only persist the result.
    /// </summary>
    /// <exception cref="InvalidStateTransitionException">Its status may not go there.</exception>
    public ToolMutation MoveTo(ToolMutationStatus status, DateTimeOffset at)
    {
        Ensure(status);
        return this with { Status = status, UpdatedAt = at };
    }

    /// <summary>This mutation failed for <paramref name="reason"/>; see <see cref="MoveTo"/>.</summary>
    /// <exception cref="InvalidStateTransitionException">It may not fail from its status.</exception>
    public ToolMutation Fail(string reason, DateTimeOffset at) => MoveTo(ToolMutationStatus.Failed, at) with { FailureReason = reason };

    /// <summary>This mutation approved and promoted to <paramref name="versionId"/>; save it with the version in one <see cref="ISkillStore.PromoteAsync"/>.</summary>
    /// <exception cref="InvalidStateTransitionException">It has not passed.</exception>
    public ToolMutation Promote(Guid versionId, Review review)
    {
        ArgumentNullException.ThrowIfNull(review);
        Ensure(ToolMutationStatus.Promoted);
        return this with { Status = ToolMutationStatus.Promoted, PromotedVersionId = versionId, Reviews = [.. Reviews, review], UpdatedAt = review.At };
    }

    /// <summary>This mutation rejected; a rejected one keeps its status and first reviewer, and adds the review to its history.</summary>
    /// <exception cref="InvalidStateTransitionException">It has not passed, or was promoted.</exception>
    public ToolMutation Reject(Review review)
    {
        ArgumentNullException.ThrowIfNull(review);
        if (Status != ToolMutationStatus.Rejected)
        {
            Ensure(ToolMutationStatus.Rejected);
        }

        return this with { Status = ToolMutationStatus.Rejected, Reviews = [.. Reviews, review], UpdatedAt = review.At };
    }

    private void Ensure(ToolMutationStatus to)
    {
        StatusTransitions.Ensure(nameof(ToolMutation), Id, Status, to, StatusTransitions.CanTransitionTo);
        AutoDevTelemetry.ProposalMoved(nameof(ToolMutation), Status, to);
    }
}

/// <summary>Parent and child measured in the same run, on the same inputs: what decided the winner.</summary>
public sealed record MutationEvaluation
{
    /// <summary>How many times each variant ran over all inputs; parent and child runs alternate.</summary>
    public int Runs { get; init; }

    /// <summary>How many inputs each run covered.</summary>
    public int InputCount { get; init; }

    /// <summary>The parent (the skill version, or the research champion).</summary>
    public required VariantMeasurement Parent { get; init; }

    /// <summary>The child.</summary>
    public required VariantMeasurement Child { get; init; }

    /// <summary>Whether the child returned what the parent returned on every input the parent handled.</summary>
    public bool BehaviourPreserved { get; init; }

    /// <summary>The first input on which they differ, with both answers; <see langword="null"/> when they agree.</summary>
    public string? BehaviourDifference { get; init; }

    /// <summary>Every input on which the child answered differently from the parent, in input order.</summary>
    public IReadOnlyList<BehaviourMismatch> Mismatches { get; init; } = [];

    /// <summary>How the child did on the skill's held-out cases (<see cref="AcceptanceCases"/>); it must pass every one to win.</summary>
    public IReadOnlyList<CaseResult> HeldOutResults { get; init; } = [];

    /// <summary>
    /// The one-sided Mann–Whitney p-value that the child's run times are lower than the parent's. Latency counts in
    /// fitness only when it is below <see cref="EvolutionOptions.LatencySignificance"/>: noise never picks the winner.
    /// </summary>
    public double LatencyPValue { get; init; } = 1;

    /// <summary>Whether the latency difference counted (significant and large enough).</summary>
    public bool LatencyCounted { get; init; }

    /// <summary>Whether the child won: kept behaviour, passed the tests the parent passed, and is strictly fitter.</summary>
    public bool ChildWins { get; init; }
}

/// <summary>An input on which a mutation's child answered differently from its parent.</summary>
/// <param name="InputsJson">The keyword arguments, as JSON.</param>
/// <param name="ParentAnswer">What the parent returned, as JSON.</param>
/// <param name="ChildAnswer">What the child returned (JSON), or <c>raised …</c>, or why its run failed.</param>
public sealed record BehaviourMismatch(string InputsJson, string ParentAnswer, string ChildAnswer);

/// <summary>One variant's side of a <see cref="MutationEvaluation"/>.</summary>
public sealed record VariantMeasurement
{
    /// <summary>Each run's time over all inputs, in milliseconds, measured inside the sandbox around the function calls.</summary>
    public IReadOnlyList<double> RunMilliseconds { get; init; } = [];

    /// <summary>The median of <see cref="RunMilliseconds"/>.</summary>
    public double MedianMilliseconds { get; init; }

    /// <summary>The share of calls (inputs × runs) that returned without an error.</summary>
    public double SuccessRate { get; init; }

    /// <summary>Estimated tokens of what one run hands back to the agent (return values and printed output), at four characters a token.</summary>
    public double OutputTokens { get; init; }

    /// <summary>Tests passed.</summary>
    public int TestsPassed { get; init; }

    /// <summary>Tests run.</summary>
    public int TestsTotal { get; init; }

    /// <summary>The fitness from <see cref="IFitnessService"/>.</summary>
    public double Fitness { get; init; }

    /// <summary>Why the variant failed to run at all, if it did.</summary>
    public string? Failure { get; init; }
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

    /// <summary>Why it could not be evaluated, or why it was rejected.</summary>
    public string? FailureReason { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Changes on every save; a save with a stale stamp fails with <see cref="ConcurrencyConflictException"/>.</summary>
    public Guid ConcurrencyStamp { get; init; }
}
