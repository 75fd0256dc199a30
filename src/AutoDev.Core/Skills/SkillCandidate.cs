namespace AutoDev;

/// <summary>A proposed new skill, generated from a failure pattern and waiting for validation and review.</summary>
public sealed record SkillCandidate : Proposal
{
    /// <summary>The agent whose failures led to it.</summary>
    public required string AgentId { get; init; }

    /// <summary>The Python function name, for example <c>extract_invoice_id</c>.</summary>
    public required string Name { get; init; }

    /// <summary>What the skill does.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>The function to call, normally <see cref="Name"/>.</summary>
    public required string EntryPoint { get; init; }

    /// <summary>The test cases drawn from the failing episodes, as JSON (see <see cref="SkillTests"/>).</summary>
    public string TestCasesJson { get; init; } = string.Empty;

    /// <summary>The normalized failure pattern this candidate answers; one open candidate per pattern.</summary>
    public required string PatternKey { get; init; }

    /// <summary>The episodes whose failures led to it.</summary>
    public IReadOnlyList<Guid> SourceEpisodeIds { get; init; } = [];

    /// <summary>The current status.</summary>
    public SkillCandidateStatus Status { get; init; } = SkillCandidateStatus.Pending;

    /// <summary>The sandbox outcome of the last validation, if any.</summary>
    public SandboxResult? Validation { get; init; }

    /// <summary>How each of its own tests (<see cref="TestCasesJson"/>) went at validation.</summary>
    public IReadOnlyList<CaseResult> TestResults { get; init; } = [];

    /// <summary>
    /// How each held-out case went at validation: the resolutions of its source episodes and the workspace's
    /// <see cref="AcceptanceCase"/>s for its name, none of them shown to the model. A candidate is validated only when
    /// it passes its own tests and every one of these.
    /// </summary>
    public IReadOnlyList<CaseResult> HeldOutResults { get; init; } = [];

    /// <summary>
    /// The model's other answers when the workspace asks for several per pattern (<see cref="AutoDevOptions.CandidatesPerPattern"/>):
    /// each validated beside this one and not chosen, with the reason.
    /// </summary>
    public IReadOnlyList<CandidateSample> OtherSamples { get; init; } = [];

    /// <summary>
    /// For a candidate imported from a skill package (<see cref="ISkillRegistry.ImportAsync"/>): the package's version,
    /// which promotion keeps instead of numbering the version itself. <see langword="null"/> for a learned candidate.
    /// </summary>
    public SemanticVersion? ImportedVersion { get; init; }

    /// <summary>Whether the candidate still blocks a new one for the same pattern: it is being written, pending or validated.</summary>
    public override bool IsOpen => Status is SkillCandidateStatus.Generating or SkillCandidateStatus.Pending or SkillCandidateStatus.Validated;

    /// <summary>
    /// This candidate with its status moved to <paramref name="status"/> at <paramref name="at"/>: how generation and
    /// validation change it (a review uses <see cref="Promote"/> or <see cref="Reject"/>). Stores only persist the result.
    /// </summary>
    /// <exception cref="InvalidStateTransitionException">Its status may not go there.</exception>
    public SkillCandidate MoveTo(SkillCandidateStatus status, DateTimeOffset at)
    {
        Ensure(status);
        return this with { Status = status, UpdatedAt = at };
    }

    /// <summary>This candidate failed for <paramref name="reason"/>; see <see cref="MoveTo"/>.</summary>
    /// <exception cref="InvalidStateTransitionException">It may not fail from its status.</exception>
    public SkillCandidate Fail(string reason, DateTimeOffset at) => MoveTo(SkillCandidateStatus.Failed, at) with { FailureReason = reason };

    /// <summary>This candidate approved and promoted to <paramref name="versionId"/>; save it with the version in one <see cref="ISkillStore.PromoteAsync"/>.</summary>
    /// <exception cref="InvalidStateTransitionException">It is not validated.</exception>
    public SkillCandidate Promote(Guid versionId, Review review)
    {
        ArgumentNullException.ThrowIfNull(review);
        Ensure(SkillCandidateStatus.Promoted);
        return this with { Status = SkillCandidateStatus.Promoted, PromotedVersionId = versionId, Reviews = [.. Reviews, review], UpdatedAt = review.At };
    }

    /// <summary>This candidate rejected; a rejected one keeps its status and first reviewer, and adds the review to its history.</summary>
    /// <exception cref="InvalidStateTransitionException">It was promoted.</exception>
    public SkillCandidate Reject(Review review)
    {
        ArgumentNullException.ThrowIfNull(review);
        if (Status != SkillCandidateStatus.Rejected)
        {
            Ensure(SkillCandidateStatus.Rejected);
        }

        return this with { Status = SkillCandidateStatus.Rejected, Reviews = [.. Reviews, review], UpdatedAt = review.At };
    }

    private void Ensure(SkillCandidateStatus to)
    {
        StatusTransitions.Ensure(nameof(SkillCandidate), Id, Status, to, StatusTransitions.CanTransitionTo);
        AutoDevTelemetry.ProposalMoved(nameof(SkillCandidate), Status, to);
    }
}

/// <summary>One of several answers the model gave for a pattern, and why it was not the one kept.</summary>
public sealed record CandidateSample
{
    /// <summary>The function it wrote (empty when the answer had none).</summary>
    public string Code { get; init; } = string.Empty;

    /// <summary>Its own test cases, as JSON.</summary>
    public string TestCasesJson { get; init; } = string.Empty;

    /// <summary>How its own tests went, once validated.</summary>
    public IReadOnlyList<CaseResult> TestResults { get; init; } = [];

    /// <summary>How the held-out cases went, once validated.</summary>
    public IReadOnlyList<CaseResult> HeldOutResults { get; init; } = [];

    /// <summary>Why it is not the candidate: unusable, failed, or ranked below the one kept.</summary>
    public string? Reason { get; init; }
}
