namespace AutoDev;

/// <summary>Where a skill candidate is on its way from a failure pattern to a promoted skill.</summary>
public enum SkillCandidateStatus
{
    /// <summary>Generated, waiting for sandbox validation.</summary>
    Pending = 0,

    /// <summary>Passed validation; waiting for review.</summary>
    Validated = 1,

    /// <summary>Broken LLM output or failed validation; never promoted. The reason is kept.</summary>
    Failed = 2,

    /// <summary>A reviewer rejected it.</summary>
    Rejected = 4,

    /// <summary>A reviewer approved it and it became a skill version, in one step. Final.</summary>
    Promoted = 5,

    /// <summary>
    /// Claimed for its pattern before the model call; the model is writing it. It blocks a second candidate for the
    /// pattern, so a second instance makes no call. A claim older than <see cref="AutoDevOptions.ReservationLease"/> was
    /// left by a stopped instance: the next attempt for the pattern fails it and claims anew.
    /// </summary>
    Generating = 6,
}

/// <summary>Where a tool mutation is between generation and promotion.</summary>
public enum ToolMutationStatus
{
    /// <summary>Generated, waiting for the sandbox to run parent and child.</summary>
    Pending = 0,

    /// <summary>Ran in the sandbox, kept behaviour and was at least as fit as its parent; waiting for review.</summary>
    Passed = 1,

    /// <summary>Broken output, a behaviour change or lower fitness. The reason is kept.</summary>
    Failed = 2,

    /// <summary>A reviewer rejected it.</summary>
    Rejected = 4,

    /// <summary>A reviewer approved it and it became a new version of its skill, in one step. Final.</summary>
    Promoted = 5,

    /// <summary>
    /// Claimed for its parent version and trigger before the model call; the model is writing it. A claim older than
    /// <see cref="AutoDevOptions.ReservationLease"/> was left by a stopped instance: the next attempt fails it and claims anew.
    /// </summary>
    Generating = 6,
}

/// <summary>Where a workflow variant is in its evaluation.</summary>
public enum WorkflowEvaluationStatus
{
    /// <summary>Waiting to be evaluated.</summary>
    Pending = 0,

    /// <summary>Scored.</summary>
    Evaluated = 1,

    /// <summary>Could not be evaluated. The reason is kept.</summary>
    Failed = 2,

    /// <summary>Became the agent's workflow. Final.</summary>
    Promoted = 3,

    /// <summary>Discarded. Final.</summary>
    Rejected = 4,
}

/// <summary>Where a daily-limit reservation is.</summary>
public enum CapabilityUsageStatus
{
    /// <summary>Counts against the limit until committed or released.</summary>
    Reserved = 0,

    /// <summary>Used. Counts against the limit.</summary>
    Committed = 1,

    /// <summary>Given back. Does not count.</summary>
    Released = 2,
}

/// <summary>
/// The allowed status transitions of every AutoDev state machine. The domain types' transition methods check them
/// (<see cref="SkillCandidate.MoveTo"/>, <see cref="ToolMutation.MoveTo"/>, <c>Promote</c>, <c>Reject</c>); stores
/// compare concurrency stamps only.
/// </summary>
internal static class StatusTransitions
{
    /// <summary>Whether a skill candidate may go from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool CanTransitionTo(this SkillCandidateStatus from, SkillCandidateStatus to) => (from, to) switch
    {
        (SkillCandidateStatus.Generating, SkillCandidateStatus.Pending or SkillCandidateStatus.Failed) => true,
        (SkillCandidateStatus.Pending, SkillCandidateStatus.Validated or SkillCandidateStatus.Failed or SkillCandidateStatus.Rejected) => true,
        (SkillCandidateStatus.Validated, SkillCandidateStatus.Rejected or SkillCandidateStatus.Promoted) => true,
        (SkillCandidateStatus.Failed, SkillCandidateStatus.Rejected) => true,
        _ => false,
    };

    /// <summary>Whether a tool mutation may go from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool CanTransitionTo(this ToolMutationStatus from, ToolMutationStatus to) => (from, to) switch
    {
        (ToolMutationStatus.Generating, ToolMutationStatus.Pending or ToolMutationStatus.Failed) => true,
        (ToolMutationStatus.Pending, ToolMutationStatus.Passed or ToolMutationStatus.Failed) => true,
        (ToolMutationStatus.Passed, ToolMutationStatus.Rejected or ToolMutationStatus.Promoted) => true,
        _ => false,
    };

    /// <summary>Whether a workflow variant may go from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool CanTransitionTo(this WorkflowEvaluationStatus from, WorkflowEvaluationStatus to) => (from, to) switch
    {
        (WorkflowEvaluationStatus.Pending, WorkflowEvaluationStatus.Evaluated or WorkflowEvaluationStatus.Failed) => true,
        (WorkflowEvaluationStatus.Evaluated, WorkflowEvaluationStatus.Evaluated or WorkflowEvaluationStatus.Promoted or WorkflowEvaluationStatus.Rejected) => true,
        _ => false,
    };

    /// <summary>Throws unless <paramref name="from"/> may go to <paramref name="to"/>: the check of a domain transition.</summary>
    internal static void Ensure<TStatus>(string entityType, Guid id, TStatus from, TStatus to, Func<TStatus, TStatus, bool> allowed)
        where TStatus : struct, Enum
    {
        if (!allowed(from, to))
        {
            throw new InvalidStateTransitionException(entityType, id, from.ToString(), to.ToString());
        }
    }

    /// <summary>Whether a reservation may go from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool CanTransitionTo(this CapabilityUsageStatus from, CapabilityUsageStatus to) =>
        from == CapabilityUsageStatus.Reserved && to is CapabilityUsageStatus.Committed or CapabilityUsageStatus.Released;
}
