namespace AutoDev.EntityFrameworkCore;

// The table rows behind the stores. They are public so that a host can keep AutoDev's tables in its own DbContext
// (modelBuilder.AddAutoDev()); use the store interfaces to read and write them, never the rows directly.
// Times are UTC DateTime (SQLite cannot order DateTimeOffset); lists and nested records are JSON text.

/// <summary>A row of <c>workspace_settings</c>.</summary>
public sealed class WorkspaceSettingsRow
{
    /// <summary>The workspace.</summary>
    public string TenantId { get; set; } = string.Empty;

    /// <summary>The settings in their <c>auto_dev</c> JSON shape.</summary>
    public string SettingsJson { get; set; } = "{}";

    /// <summary>When they were saved (UTC).</summary>
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A row of <c>agent_profiles</c>.</summary>
public sealed class AgentProfileRow
{
    /// <summary>The workspace.</summary>
    public string TenantId { get; set; } = string.Empty;

    /// <summary>The agent.</summary>
    public string AgentId { get; set; } = string.Empty;

    /// <summary>See <see cref="AgentProfile.Maturity"/>.</summary>
    public AgentMaturity Maturity { get; set; }

    /// <summary>See <see cref="AgentProfile.EpisodeCount"/>.</summary>
    public int EpisodeCount { get; set; }

    /// <summary>See <see cref="AgentProfile.InterventionCount"/>.</summary>
    public int InterventionCount { get; set; }

    /// <summary>See <see cref="AgentProfile.ConstitutionalScoreSum"/>.</summary>
    public double ConstitutionalScoreSum { get; set; }

    /// <summary>See <see cref="AgentProfile.ConstitutionalScoreCount"/>.</summary>
    public int ConstitutionalScoreCount { get; set; }

    /// <summary>When the profile was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>The optimistic concurrency token.</summary>
    public Guid ConcurrencyStamp { get; set; }
}

/// <summary>A row of <c>episodes</c>.</summary>
public sealed class EpisodeRow
{
    /// <summary>The episode's id.</summary>
    public Guid Id { get; set; }

    /// <summary>The workspace.</summary>
    public string TenantId { get; set; } = string.Empty;

    /// <summary>The agent.</summary>
    public string AgentId { get; set; } = string.Empty;

    /// <summary>See <see cref="Episode.TaskDescription"/>.</summary>
    public string TaskDescription { get; set; } = string.Empty;

    /// <summary>See <see cref="Episode.Success"/>.</summary>
    public bool Success { get; set; }

    /// <summary>See <see cref="Episode.ErrorTrace"/>.</summary>
    public string? ErrorTrace { get; set; }

    /// <summary>See <see cref="Episode.ToolsAttempted"/>, as a JSON array.</summary>
    public string ToolsAttemptedJson { get; set; } = "[]";

    /// <summary>See <see cref="Episode.ContextJson"/>.</summary>
    public string? ContextJson { get; set; }

    /// <summary>See <see cref="Episode.HumanIntervention"/>.</summary>
    public bool HumanIntervention { get; set; }

    /// <summary>See <see cref="Episode.ConstitutionalScore"/>.</summary>
    public double? ConstitutionalScore { get; set; }

    /// <summary>See <see cref="Episode.Feedback"/>.</summary>
    public string? Feedback { get; set; }

    /// <summary>When it happened (UTC).</summary>
    public DateTime OccurredAt { get; set; }

    /// <summary>The episode's segments.</summary>
    public List<EpisodeSegmentRow> Segments { get; set; } = [];
}

/// <summary>A row of <c>episode_segments</c>.</summary>
public sealed class EpisodeSegmentRow
{
    /// <summary>The episode.</summary>
    public Guid EpisodeId { get; set; }

    /// <summary>The position in the episode.</summary>
    public int Sequence { get; set; }

    /// <summary>The workspace.</summary>
    public string TenantId { get; set; } = string.Empty;

    /// <summary>See <see cref="EpisodeSegment.Kind"/>.</summary>
    public string Kind { get; set; } = string.Empty;

    /// <summary>See <see cref="EpisodeSegment.Content"/>.</summary>
    public string Content { get; set; } = string.Empty;

    /// <summary>See <see cref="EpisodeSegment.ToolName"/>.</summary>
    public string? ToolName { get; set; }

    /// <summary>See <see cref="EpisodeSegment.Success"/>.</summary>
    public bool Success { get; set; }
}

/// <summary>A row of <c>skill_candidates</c>.</summary>
public sealed class SkillCandidateRow
{
    /// <summary>The candidate's id.</summary>
    public Guid Id { get; set; }

    /// <summary>The workspace.</summary>
    public string TenantId { get; set; } = string.Empty;

    /// <summary>The agent whose failures it came from.</summary>
    public string AgentId { get; set; } = string.Empty;

    /// <summary>See <see cref="SkillCandidate.Name"/>.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>See <see cref="SkillCandidate.Description"/>.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>See <see cref="Proposal.Code"/>.</summary>
    public string Code { get; set; } = string.Empty;

    /// <summary>See <see cref="SkillCandidate.EntryPoint"/>.</summary>
    public string EntryPoint { get; set; } = string.Empty;

    /// <summary>See <see cref="SkillCandidate.TestCasesJson"/>.</summary>
    public string TestCode { get; set; } = string.Empty;

    /// <summary>See <see cref="SkillCandidate.PatternKey"/>.</summary>
    public string PatternKey { get; set; } = string.Empty;

    /// <summary>The pattern key while the candidate is open, else null: a unique index on it keeps one open candidate per pattern.</summary>
    public string? OpenPatternKey { get; set; }

    /// <summary>The first source episode, indexed.</summary>
    public Guid? SourceEpisodeId { get; set; }

    /// <summary>Every source episode, as a JSON array.</summary>
    public string SourceEpisodeIdsJson { get; set; } = "[]";

    /// <summary>See <see cref="SkillCandidate.Status"/>.</summary>
    public SkillCandidateStatus Status { get; set; }

    /// <summary>See <see cref="Proposal.FailureReason"/>.</summary>
    public string? FailureReason { get; set; }

    /// <summary>See <see cref="SkillCandidate.Validation"/>, as JSON.</summary>
    public string? ValidationJson { get; set; }

    /// <summary>See <see cref="Proposal.FitnessScore"/>.</summary>
    public double? FitnessScore { get; set; }

    /// <summary>See <see cref="Proposal.ReviewedBy"/>.</summary>
    public string? ReviewedBy { get; set; }

    /// <summary>See <see cref="Proposal.ReviewReason"/>.</summary>
    public string? ReviewReason { get; set; }

    /// <summary>See <see cref="Proposal.Reviews"/>, as JSON.</summary>
    public string ReviewsJson { get; set; } = "[]";

    /// <summary>See <see cref="Proposal.PromotedVersionId"/>.</summary>
    public Guid? PromotedVersionId { get; set; }

    /// <summary>See <see cref="SkillCandidate.ImportedVersion"/>, as <c>1.2.0</c>.</summary>
    public string? ImportedVersion { get; set; }

    /// <summary>When it was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When it last changed (UTC).</summary>
    public DateTime UpdatedAt { get; set; }

    /// <summary>The optimistic concurrency token.</summary>
    public Guid ConcurrencyStamp { get; set; }
}

/// <summary>A row of <c>skills</c>.</summary>
public sealed class SkillRow
{
    /// <summary>The skill's id.</summary>
    public Guid Id { get; set; }

    /// <summary>The workspace.</summary>
    public string TenantId { get; set; } = string.Empty;

    /// <summary>The name, unique in the workspace.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>See <see cref="Skill.Description"/>.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>The active version.</summary>
    public Guid? ActiveVersionId { get; set; }

    /// <summary>When it was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>The optimistic concurrency token.</summary>
    public Guid ConcurrencyStamp { get; set; }
}

/// <summary>A row of <c>skill_versions</c>.</summary>
public sealed class SkillVersionRow
{
    /// <summary>The version's id.</summary>
    public Guid Id { get; set; }

    /// <summary>The workspace.</summary>
    public string TenantId { get; set; } = string.Empty;

    /// <summary>The skill.</summary>
    public Guid SkillId { get; set; }

    /// <summary>The semantic version as text, for people reading the table.</summary>
    public string Version { get; set; } = string.Empty;

    /// <summary>The major number, for ordering and uniqueness.</summary>
    public int Major { get; set; }

    /// <summary>The minor number.</summary>
    public int Minor { get; set; }

    /// <summary>The patch number.</summary>
    public int Patch { get; set; }

    /// <summary>See <see cref="SkillVersion.Code"/>.</summary>
    public string Code { get; set; } = string.Empty;

    /// <summary>See <see cref="SkillVersion.EntryPoint"/>.</summary>
    public string EntryPoint { get; set; } = string.Empty;

    /// <summary>See <see cref="SkillVersion.TestCasesJson"/>.</summary>
    public string TestCode { get; set; } = string.Empty;

    /// <summary>The version it was derived from.</summary>
    public Guid? ParentVersionId { get; set; }

    /// <summary>The candidate it was promoted from.</summary>
    public Guid? SourceCandidateId { get; set; }

    /// <summary>The mutation it was promoted from.</summary>
    public Guid? SourceMutationId { get; set; }

    /// <summary>See <see cref="SkillVersion.FitnessScore"/>.</summary>
    public double? FitnessScore { get; set; }

    /// <summary>Whether it is the skill's active version.</summary>
    public bool IsActive { get; set; }

    /// <summary>When it was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }
}

/// <summary>A row of <c>tool_mutations</c>.</summary>
public sealed class ToolMutationRow
{
    /// <summary>The mutation's id.</summary>
    public Guid Id { get; set; }

    /// <summary>The workspace.</summary>
    public string TenantId { get; set; } = string.Empty;

    /// <summary>The skill.</summary>
    public Guid SkillId { get; set; }

    /// <summary>The skill version it mutates.</summary>
    public Guid ParentToolId { get; set; }

    /// <summary>The mutation it was derived from in research mode.</summary>
    public Guid? ParentMutationId { get; set; }

    /// <summary>See <see cref="ToolMutation.Trigger"/>.</summary>
    public MutationTrigger Trigger { get; set; }

    /// <summary>See <see cref="ToolMutation.AgentId"/>.</summary>
    public string? AgentId { get; set; }

    /// <summary>See <see cref="ToolMutation.EvaluationInputs"/>, as a JSON array of JSON texts.</summary>
    public string EvaluationInputsJson { get; set; } = "[]";

    /// <summary>See <see cref="ToolMutation.GenerationTokens"/>.</summary>
    public long GenerationTokens { get; set; }

    /// <summary>See <see cref="ToolMutation.Evaluation"/>, as JSON.</summary>
    public string? EvaluationJson { get; set; }

    /// <summary>See <see cref="Proposal.ReviewedBy"/>.</summary>
    public string? ReviewedBy { get; set; }

    /// <summary>See <see cref="Proposal.ReviewReason"/>.</summary>
    public string? ReviewReason { get; set; }

    /// <summary>See <see cref="Proposal.Reviews"/>, as JSON.</summary>
    public string ReviewsJson { get; set; } = "[]";

    /// <summary>See <see cref="ToolMutation.OpenKey"/>: set while the mutation is open; a unique index on it keeps one open mutation per parent version and trigger.</summary>
    public string? OpenKey { get; set; }

    /// <summary>When it last changed (UTC).</summary>
    public DateTime UpdatedAt { get; set; }

    /// <summary>See <see cref="Proposal.Code"/>.</summary>
    public string Code { get; set; } = string.Empty;

    /// <summary>See <see cref="ToolMutation.Status"/>.</summary>
    public ToolMutationStatus SandboxStatus { get; set; }

    /// <summary>See <see cref="Proposal.FitnessScore"/>.</summary>
    public double? FitnessScore { get; set; }

    /// <summary>See <see cref="ToolMutation.ParentFitnessScore"/>.</summary>
    public double? ParentFitnessScore { get; set; }

    /// <summary>See <see cref="Proposal.FailureReason"/>.</summary>
    public string? FailureReason { get; set; }

    /// <summary>See <see cref="Proposal.PromotedVersionId"/>.</summary>
    public Guid? PromotedVersionId { get; set; }

    /// <summary>When it was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>The optimistic concurrency token.</summary>
    public Guid ConcurrencyStamp { get; set; }
}

/// <summary>A row of <c>workflow_variants</c>.</summary>
public sealed class WorkflowVariantRow
{
    /// <summary>The variant's id.</summary>
    public Guid Id { get; set; }

    /// <summary>The workspace.</summary>
    public string TenantId { get; set; } = string.Empty;

    /// <summary>The agent.</summary>
    public string AgentId { get; set; } = string.Empty;

    /// <summary>The variant it was derived from.</summary>
    public Guid? ParentVariantId { get; set; }

    /// <summary>The workflow definition (JSON).</summary>
    public string WorkflowDefinition { get; set; } = "{}";

    /// <summary>See <see cref="WorkflowVariant.FitnessScore"/>.</summary>
    public double? FitnessScore { get; set; }

    /// <summary>See <see cref="WorkflowVariant.FitnessSignals"/>, as a JSON array.</summary>
    public string FitnessSignals { get; set; } = "[]";

    /// <summary>See <see cref="WorkflowVariant.EvaluationStatus"/>.</summary>
    public WorkflowEvaluationStatus EvaluationStatus { get; set; }

    /// <summary>See <see cref="WorkflowVariant.FailureReason"/>.</summary>
    public string? FailureReason { get; set; }

    /// <summary>When it was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>The optimistic concurrency token.</summary>
    public Guid ConcurrencyStamp { get; set; }
}

/// <summary>A row of <c>capability_usage</c>: one reservation.</summary>
public sealed class CapabilityUsageRow
{
    /// <summary>The reservation's id.</summary>
    public Guid Id { get; set; }

    /// <summary>The workspace.</summary>
    public string TenantId { get; set; } = string.Empty;

    /// <summary>The agent, for per-agent limits.</summary>
    public string? AgentId { get; set; }

    /// <summary>The capability.</summary>
    public string Capability { get; set; } = string.Empty;

    /// <summary>The UTC day it counts against.</summary>
    public DateOnly Day { get; set; }

    /// <summary>Reserved, committed or released.</summary>
    public CapabilityUsageStatus Status { get; set; }

    /// <summary>When it was made (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When it stops counting unless completed (UTC); null never.</summary>
    public DateTime? ExpiresAt { get; set; }
}

/// <summary>A row of <c>capability_counters</c>: how many reservations count against one limit; updated only under a condition so the limit holds across processes.</summary>
public sealed class CapabilityCounterRow
{
    /// <summary>The workspace.</summary>
    public string TenantId { get; set; } = string.Empty;

    /// <summary>The capability.</summary>
    public string Capability { get; set; } = string.Empty;

    /// <summary>The UTC day.</summary>
    public DateOnly Day { get; set; }

    /// <summary>The agent, or empty for a workspace-wide limit.</summary>
    public string AgentKey { get; set; } = string.Empty;

    /// <summary>Reserved plus committed.</summary>
    public int Count { get; set; }
}

/// <summary>A row of <c>fitness_records</c>.</summary>
public sealed class FitnessRecordRow
{
    /// <summary>The workspace.</summary>
    public string TenantId { get; set; } = string.Empty;

    /// <summary>The scored subject.</summary>
    public Guid SubjectId { get; set; }

    /// <summary>What kind of subject it is.</summary>
    public FitnessSubjectKind SubjectKind { get; set; }

    /// <summary>The score.</summary>
    public double Score { get; set; }

    /// <summary>Every signal, as a JSON array.</summary>
    public string Signals { get; set; } = "[]";

    /// <summary>When it was last scored (UTC).</summary>
    public DateTime UpdatedAt { get; set; }

    /// <summary>The optimistic concurrency token.</summary>
    public Guid ConcurrencyStamp { get; set; }
}

/// <summary>A row of <c>chat_calls</c>.</summary>
public sealed class ChatCallRow
{
    /// <summary>The record's id.</summary>
    public Guid Id { get; set; }

    /// <summary>The workspace.</summary>
    public string TenantId { get; set; } = string.Empty;

    /// <summary>The agent.</summary>
    public string? AgentId { get; set; }

    /// <summary>What the call was for.</summary>
    public string Purpose { get; set; } = string.Empty;

    /// <summary>The model.</summary>
    public string? ModelId { get; set; }

    /// <summary>When it started (UTC).</summary>
    public DateTime StartedAt { get; set; }

    /// <summary>The UTC day it started, for the daily budget.</summary>
    public DateOnly Day { get; set; }

    /// <summary>How long it took, in milliseconds.</summary>
    public double DurationMs { get; set; }

    /// <summary>How many attempts were made.</summary>
    public int Attempts { get; set; }

    /// <summary>Whether an answer came back.</summary>
    public bool Succeeded { get; set; }

    /// <summary>Why it failed.</summary>
    public ChatFailureKind? FailureKind { get; set; }

    /// <summary>What went wrong.</summary>
    public string? FailureReason { get; set; }

    /// <summary>Input tokens.</summary>
    public long InputTokens { get; set; }

    /// <summary>Output tokens.</summary>
    public long OutputTokens { get; set; }

    /// <summary>Total tokens.</summary>
    public long TotalTokens { get; set; }
}
