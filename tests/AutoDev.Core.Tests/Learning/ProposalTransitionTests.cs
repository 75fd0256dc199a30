namespace AutoDev.Tests.Learning;

/// <summary>The proposals' state machines, owned by the domain types; the table is written out here by hand.</summary>
public sealed class ProposalTransitionTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<SkillCandidateStatus, SkillCandidateStatus, bool> CandidateMoves => new()
    {
        { SkillCandidateStatus.Generating, SkillCandidateStatus.Pending, true },
        { SkillCandidateStatus.Generating, SkillCandidateStatus.Failed, true },
        { SkillCandidateStatus.Generating, SkillCandidateStatus.Validated, false },
        { SkillCandidateStatus.Pending, SkillCandidateStatus.Validated, true },
        { SkillCandidateStatus.Pending, SkillCandidateStatus.Failed, true },
        { SkillCandidateStatus.Pending, SkillCandidateStatus.Promoted, false },
        { SkillCandidateStatus.Validated, SkillCandidateStatus.Pending, false },
        { SkillCandidateStatus.Failed, SkillCandidateStatus.Promoted, false },
        { SkillCandidateStatus.Failed, SkillCandidateStatus.Pending, false },
        { SkillCandidateStatus.Promoted, SkillCandidateStatus.Pending, false },
        { SkillCandidateStatus.Promoted, SkillCandidateStatus.Failed, false },
        { SkillCandidateStatus.Rejected, SkillCandidateStatus.Validated, false },
    };

    public static TheoryData<ToolMutationStatus, ToolMutationStatus, bool> MutationMoves => new()
    {
        { ToolMutationStatus.Generating, ToolMutationStatus.Pending, true },
        { ToolMutationStatus.Generating, ToolMutationStatus.Failed, true },
        { ToolMutationStatus.Generating, ToolMutationStatus.Passed, false },
        { ToolMutationStatus.Pending, ToolMutationStatus.Passed, true },
        { ToolMutationStatus.Pending, ToolMutationStatus.Failed, true },
        { ToolMutationStatus.Pending, ToolMutationStatus.Promoted, false },
        { ToolMutationStatus.Passed, ToolMutationStatus.Pending, false },
        { ToolMutationStatus.Failed, ToolMutationStatus.Passed, false },
        { ToolMutationStatus.Promoted, ToolMutationStatus.Failed, false },
        { ToolMutationStatus.Rejected, ToolMutationStatus.Passed, false },
    };

    [Theory]
    [MemberData(nameof(CandidateMoves))]
    public void Candidate_MoveTo_FollowsTheStateMachine(SkillCandidateStatus from, SkillCandidateStatus to, bool allowed)
    {
        var candidate = Candidate(from);

        if (allowed)
        {
            var moved = candidate.MoveTo(to, At);
            Assert.Equal((to, At), (moved.Status, moved.UpdatedAt));
            Assert.Equal(from, candidate.Status);
        }
        else
        {
            var refused = Assert.Throws<InvalidStateTransitionException>(() => candidate.MoveTo(to, At));
            Assert.Contains(to.ToString(), refused.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(MutationMoves))]
    public void Mutation_MoveTo_FollowsTheStateMachine(ToolMutationStatus from, ToolMutationStatus to, bool allowed)
    {
        var mutation = new ToolMutation { TenantId = "t", SkillId = Guid.NewGuid(), ParentVersionId = Guid.NewGuid(), Status = from };

        if (allowed)
        {
            Assert.Equal(to, mutation.MoveTo(to, At).Status);
        }
        else
        {
            Assert.Throws<InvalidStateTransitionException>(() => mutation.MoveTo(to, At));
        }
    }

    [Fact]
    public void Fail_KeepsTheReason_AndAFailedCandidateCanStillBeRejectedButNotPromoted()
    {
        var failed = Candidate(SkillCandidateStatus.Pending).Fail("no tests in the answer", At);
        var review = Review.Create("ana", ReviewDecision.Rejected, "not needed", At);

        Assert.Equal((SkillCandidateStatus.Failed, "no tests in the answer"), (failed.Status, failed.FailureReason));
        Assert.Equal(SkillCandidateStatus.Rejected, failed.Reject(review).Status);
        Assert.Throws<InvalidStateTransitionException>(() => failed.Promote(Guid.NewGuid(), Review.Create("ana", ReviewDecision.Approved, null, At)));
    }

    private static SkillCandidate Candidate(SkillCandidateStatus status) =>
        new() { TenantId = "t", AgentId = "a", Name = "f", EntryPoint = "f", PatternKey = "p", Status = status };
}
