namespace AutoDev;

/// <summary>
/// What a skill candidate and a tool mutation share: LLM-written code that is validated in the sandbox, then reviewed,
/// and that becomes a skill version when approved.
/// </summary>
/// <remarks>
/// The derived types own their statuses and transitions (<c>Promote</c>, <c>Reject</c>); a store persists a proposal
/// and compares <see cref="ConcurrencyStamp"/>.
/// </remarks>
public abstract record Proposal
{
    /// <summary>The proposal's id.</summary>
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>The workspace.</summary>
    public required string TenantId { get; init; }

    /// <summary>The Python source the model wrote (empty when it gave none).</summary>
    public string Code { get; init; } = string.Empty;

    /// <summary>Why it failed or was rejected.</summary>
    public string? FailureReason { get; init; }

    /// <summary>Its fitness, 0..1, once validated.</summary>
    public double? FitnessScore { get; init; }

    /// <summary>Every review decision, oldest first; the first one decided. A later rejection of a rejected proposal is added, never overwrites.</summary>
    public IReadOnlyList<Review> Reviews { get; init; } = [];

    /// <summary>Who decided: the first reviewer, or <see langword="null"/> before review.</summary>
    public string? ReviewedBy => Review.Decisive(Reviews)?.Reviewer;

    /// <summary>The deciding reviewer's reason.</summary>
    public string? ReviewReason => Review.Decisive(Reviews)?.Reason;

    /// <summary>The skill version it became, once promoted.</summary>
    public Guid? PromotedVersionId { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the span that generated it (<c>candidate.generate</c> or <c>mutation.generate</c>),
    /// when one was being recorded: a later review's span links to that trace, so a tracing tool connects the failure
    /// to the decision days later.
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Changes on every save; a save with a stale stamp fails with <see cref="ConcurrencyConflictException"/>.</summary>
    public Guid ConcurrencyStamp { get; init; }

    /// <summary>Whether it still blocks another proposal for the same failure pattern or parent and trigger.</summary>
    public abstract bool IsOpen { get; }
}
