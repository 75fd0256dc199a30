namespace AutoDev.AspNetCore;

/// <summary>A candidate in the review queue, without its code.</summary>
/// <param name="Id">The candidate.</param>
/// <param name="Name">The skill it would become.</param>
/// <param name="AgentId">The agent whose failures it came from.</param>
/// <param name="Description">What it does.</param>
/// <param name="CreatedAt">When it was generated.</param>
/// <param name="TestsPassed">Its own tests that passed, of <paramref name="Tests"/>.</param>
/// <param name="Tests">Its own tests.</param>
/// <param name="HeldOutPassed">Held-out cases (answers the model never saw) that passed, of <paramref name="HeldOut"/>.</param>
/// <param name="HeldOut">Held-out cases.</param>
/// <param name="SourceEpisodes">How many failed episodes it came from.</param>
public sealed record CandidateSummary(Guid Id, string Name, string AgentId, string Description, DateTimeOffset CreatedAt, int TestsPassed, int Tests, int HeldOutPassed, int HeldOut, int SourceEpisodes);

/// <summary>A mutation in the review queue, without its code.</summary>
/// <param name="Id">The mutation.</param>
/// <param name="SkillId">The skill it improves.</param>
/// <param name="ParentVersionId">The version it mutates.</param>
/// <param name="Trigger">Why it was made.</param>
/// <param name="CreatedAt">When it was generated.</param>
/// <param name="ParentMedianMilliseconds">The parent's median run time in the side-by-side evaluation.</param>
/// <param name="ChildMedianMilliseconds">The child's median run time.</param>
/// <param name="ChildWins">Whether the child was fitter.</param>
public sealed record MutationSummary(Guid Id, Guid SkillId, Guid ParentVersionId, MutationTrigger Trigger, DateTimeOffset CreatedAt, double? ParentMedianMilliseconds, double? ChildMedianMilliseconds, bool ChildWins);

/// <summary>A mutation as a reviewer weighs it: the child, the skill, and the parent version it was made from.</summary>
/// <param name="Mutation">The mutation, with the child's code and the evaluation.</param>
/// <param name="SkillName">The skill's name.</param>
/// <param name="Parent">The parent version, with its code; <see langword="null"/> if it is gone.</param>
public sealed record MutationReview(ToolMutation Mutation, string SkillName, SkillVersion? Parent);

/// <summary>What waits for a person: validated candidates and evaluated mutations, oldest first.</summary>
/// <param name="Candidates">Candidates waiting for approval.</param>
/// <param name="Mutations">Mutations waiting for approval.</param>
public sealed record PendingReviews(IReadOnlyList<CandidateSummary> Candidates, IReadOnlyList<MutationSummary> Mutations);

/// <summary>A reviewer's decision. Who decides is the signed-in user, never a field of the request.</summary>
/// <param name="Reason">Why: optional to approve, required to reject.</param>
public sealed record ReviewRequest(string? Reason);

/// <summary>A rollback's target.</summary>
/// <param name="Version">The version to make active again, for example <c>1.0.0</c>.</param>
public sealed record RollbackRequest(string Version);

/// <summary>A skill in the workspace's list.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Description">What it does.</param>
/// <param name="ActiveVersion">The version agents run.</param>
public sealed record SkillSummary(string Name, string Description, string ActiveVersion);

/// <summary>An agent with its maturity, how close it is to the next level, and today's skill candidates.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="Maturity">Its maturity now.</param>
/// <param name="Episodes">Episodes recorded.</param>
/// <param name="InterventionRate">Interventions per episode.</param>
/// <param name="Readiness">Progress towards the next level.</param>
/// <param name="SkillCandidatesToday">Skill candidates generated for it today (UTC), against the workspace's per-agent daily limit.</param>
public sealed record AgentSummary(string AgentId, AgentMaturity Maturity, int Episodes, double InterventionRate, GraduationReadiness Readiness, int SkillCandidatesToday);

/// <summary>Today's (UTC) use of the workspace's budgets and limits.</summary>
/// <param name="TokensUsed">Model tokens charged today.</param>
/// <param name="TokenBudget">The daily token budget.</param>
/// <param name="MutationsToday">Mutations generated today, in the whole workspace.</param>
/// <param name="MaxMutationsPerDay">The workspace's daily limit of mutations.</param>
/// <param name="MaxSkillCandidatesPerDay">The daily limit of skill candidates, per agent (each agent's count is in its <see cref="AgentSummary"/>).</param>
public sealed record WorkspaceUsage(long TokensUsed, long TokenBudget, int MutationsToday, int MaxMutationsPerDay, int MaxSkillCandidatesPerDay);

/// <summary>What a state-changing request must carry against cross-site request forgery: <paramref name="Token"/> in the header <paramref name="HeaderName"/>, with the cookie this response set.</summary>
/// <param name="HeaderName">The header's name.</param>
/// <param name="Token">The request token.</param>
public sealed record AntiforgeryToken(string HeaderName, string Token);

