using System.Text.Json;
using System.Text.Json.Serialization;

namespace AutoDev.EntityFrameworkCore.Internal;

/// <summary>Domain records to rows and back. Times are stored as UTC <see cref="DateTime"/>s.</summary>
internal static class RowMapping
{
    public static DateTime Utc(DateTimeOffset value) => value.UtcDateTime;

    public static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static EpisodeRow ToRow(Episode e) => new()
    {
        Id = e.Id,
        TenantId = e.TenantId,
        AgentId = e.AgentId,
        TaskDescription = e.TaskDescription,
        Success = e.Success,
        ErrorTrace = e.ErrorTrace,
        ToolsAttemptedJson = JsonSerializer.Serialize(e.ToolsAttempted, StoreJson.Default.IReadOnlyListString),
        ContextJson = e.ContextJson,
        HumanIntervention = e.HumanIntervention,
        ConstitutionalScore = e.ConstitutionalScore,
        Feedback = e.Feedback,
        OccurredAt = Utc(e.OccurredAt),
        Segments = [.. e.Segments.Select(s => new EpisodeSegmentRow
        {
            EpisodeId = e.Id,
            Sequence = s.Sequence,
            TenantId = e.TenantId,
            Kind = s.Kind,
            Content = s.Content,
            ToolName = s.ToolName,
            Success = s.Success,
        })],
    };

    public static Episode ToEpisode(EpisodeRow r) => new()
    {
        Id = r.Id,
        TenantId = r.TenantId,
        AgentId = r.AgentId,
        TaskDescription = r.TaskDescription,
        Success = r.Success,
        ErrorTrace = r.ErrorTrace,
        ToolsAttempted = JsonSerializer.Deserialize(r.ToolsAttemptedJson, StoreJson.Default.IReadOnlyListString) ?? [],
        ContextJson = r.ContextJson,
        HumanIntervention = r.HumanIntervention,
        ConstitutionalScore = r.ConstitutionalScore,
        Feedback = r.Feedback,
        OccurredAt = Utc(r.OccurredAt),
        Segments = [.. r.Segments.OrderBy(s => s.Sequence).Select(s => new EpisodeSegment
        {
            Sequence = s.Sequence,
            Kind = s.Kind,
            Content = s.Content,
            ToolName = s.ToolName,
            Success = s.Success,
        })],
    };

    public static AgentProfile ToProfile(AgentProfileRow r) => new()
    {
        TenantId = r.TenantId,
        AgentId = r.AgentId,
        Maturity = r.Maturity,
        EpisodeCount = r.EpisodeCount,
        InterventionCount = r.InterventionCount,
        ConstitutionalScoreSum = r.ConstitutionalScoreSum,
        ConstitutionalScoreCount = r.ConstitutionalScoreCount,
        CreatedAt = Utc(r.CreatedAt),
        ConcurrencyStamp = r.ConcurrencyStamp,
    };

    public static void CopyTo(AgentProfile p, AgentProfileRow r)
    {
        r.TenantId = p.TenantId;
        r.AgentId = p.AgentId;
        r.Maturity = p.Maturity;
        r.EpisodeCount = p.EpisodeCount;
        r.InterventionCount = p.InterventionCount;
        r.ConstitutionalScoreSum = p.ConstitutionalScoreSum;
        r.ConstitutionalScoreCount = p.ConstitutionalScoreCount;
    }

    public static SkillCandidate ToCandidate(SkillCandidateRow r) => new()
    {
        Id = r.Id,
        TenantId = r.TenantId,
        AgentId = r.AgentId,
        Name = r.Name,
        Description = r.Description,
        Code = r.Code,
        EntryPoint = r.EntryPoint,
        TestCasesJson = r.TestCode,
        PatternKey = r.PatternKey,
        SourceEpisodeIds = JsonSerializer.Deserialize(r.SourceEpisodeIdsJson, StoreJson.Default.IReadOnlyListGuid) ?? [],
        Status = r.Status,
        FailureReason = r.FailureReason,
        Validation = r.ValidationJson is null ? null : JsonSerializer.Deserialize(r.ValidationJson, StoreJson.Default.SandboxResult),
        FitnessScore = r.FitnessScore,
        Reviews = Reviews(r.ReviewsJson),
        PromotedVersionId = r.PromotedVersionId,
        ImportedVersion = r.ImportedVersion is null ? null : SemanticVersion.Parse(r.ImportedVersion),
        CreatedAt = Utc(r.CreatedAt),
        UpdatedAt = Utc(r.UpdatedAt),
        ConcurrencyStamp = r.ConcurrencyStamp,
    };

    public static void CopyTo(SkillCandidate c, SkillCandidateRow r)
    {
        r.Id = c.Id;
        r.TenantId = c.TenantId;
        r.AgentId = c.AgentId;
        r.Name = c.Name;
        r.Description = c.Description;
        r.Code = c.Code;
        r.EntryPoint = c.EntryPoint;
        r.TestCode = c.TestCasesJson;
        r.PatternKey = c.PatternKey;
        r.OpenPatternKey = c.IsOpen ? c.PatternKey : null;
        r.SourceEpisodeId = c.SourceEpisodeIds.Count > 0 ? c.SourceEpisodeIds[0] : null;
        r.SourceEpisodeIdsJson = JsonSerializer.Serialize(c.SourceEpisodeIds, StoreJson.Default.IReadOnlyListGuid);
        r.Status = c.Status;
        r.FailureReason = c.FailureReason;
        r.ValidationJson = c.Validation is null ? null : JsonSerializer.Serialize(c.Validation, StoreJson.Default.SandboxResult);
        r.FitnessScore = c.FitnessScore;
        r.ReviewedBy = c.ReviewedBy;
        r.ReviewReason = c.ReviewReason;
        r.ReviewsJson = Reviews(c.Reviews);
        r.PromotedVersionId = c.PromotedVersionId;
        r.ImportedVersion = c.ImportedVersion?.ToString();
        r.CreatedAt = Utc(c.CreatedAt);
        r.UpdatedAt = Utc(c.UpdatedAt);
    }

    public static Skill ToSkill(SkillRow r) => new()
    {
        Id = r.Id,
        TenantId = r.TenantId,
        Name = r.Name,
        Description = r.Description,
        ActiveVersionId = r.ActiveVersionId,
        CreatedAt = Utc(r.CreatedAt),
        ConcurrencyStamp = r.ConcurrencyStamp,
    };

    public static SkillVersionRow ToRow(SkillVersion v, bool active) => new()
    {
        Id = v.Id,
        TenantId = v.TenantId,
        SkillId = v.SkillId,
        Version = v.Version.ToString(),
        Major = v.Version.Major,
        Minor = v.Version.Minor,
        Patch = v.Version.Patch,
        Code = v.Code,
        EntryPoint = v.EntryPoint,
        TestCode = v.TestCasesJson,
        ParentVersionId = v.ParentVersionId,
        SourceCandidateId = v.SourceCandidateId,
        SourceMutationId = v.SourceMutationId,
        FitnessScore = v.FitnessScore,
        IsActive = active,
        CreatedAt = Utc(v.CreatedAt),
    };

    public static SkillVersion ToVersion(SkillVersionRow r) => new()
    {
        Id = r.Id,
        TenantId = r.TenantId,
        SkillId = r.SkillId,
        Version = new SemanticVersion(r.Major, r.Minor, r.Patch),
        Code = r.Code,
        EntryPoint = r.EntryPoint,
        TestCasesJson = r.TestCode,
        ParentVersionId = r.ParentVersionId,
        SourceCandidateId = r.SourceCandidateId,
        SourceMutationId = r.SourceMutationId,
        FitnessScore = r.FitnessScore,
        CreatedAt = Utc(r.CreatedAt),
    };

    public static ToolMutation ToMutation(ToolMutationRow r) => new()
    {
        Id = r.Id,
        TenantId = r.TenantId,
        SkillId = r.SkillId,
        ParentVersionId = r.ParentToolId,
        ParentMutationId = r.ParentMutationId,
        Trigger = r.Trigger,
        AgentId = r.AgentId,
        EvaluationInputs = JsonSerializer.Deserialize(r.EvaluationInputsJson, StoreJson.Default.IReadOnlyListString) ?? [],
        GenerationTokens = r.GenerationTokens,
        Code = r.Code,
        Status = r.SandboxStatus,
        FitnessScore = r.FitnessScore,
        ParentFitnessScore = r.ParentFitnessScore,
        FailureReason = r.FailureReason,
        Evaluation = r.EvaluationJson is null ? null : JsonSerializer.Deserialize(r.EvaluationJson, StoreJson.Default.MutationEvaluation),
        Reviews = Reviews(r.ReviewsJson),
        PromotedVersionId = r.PromotedVersionId,
        CreatedAt = Utc(r.CreatedAt),
        UpdatedAt = Utc(r.UpdatedAt),
        ConcurrencyStamp = r.ConcurrencyStamp,
    };

    public static void CopyTo(ToolMutation m, ToolMutationRow r)
    {
        r.Id = m.Id;
        r.TenantId = m.TenantId;
        r.SkillId = m.SkillId;
        r.ParentToolId = m.ParentVersionId;
        r.ParentMutationId = m.ParentMutationId;
        r.Trigger = m.Trigger;
        r.AgentId = m.AgentId;
        r.EvaluationInputsJson = JsonSerializer.Serialize(m.EvaluationInputs, StoreJson.Default.IReadOnlyListString);
        r.GenerationTokens = m.GenerationTokens;
        r.Code = m.Code;
        r.SandboxStatus = m.Status;
        r.FitnessScore = m.FitnessScore;
        r.ParentFitnessScore = m.ParentFitnessScore;
        r.FailureReason = m.FailureReason;
        r.EvaluationJson = m.Evaluation is null ? null : JsonSerializer.Serialize(m.Evaluation, StoreJson.Default.MutationEvaluation);
        r.ReviewedBy = m.ReviewedBy;
        r.ReviewReason = m.ReviewReason;
        r.ReviewsJson = Reviews(m.Reviews);
        r.OpenKey = m.OpenKey;
        r.PromotedVersionId = m.PromotedVersionId;
        r.CreatedAt = Utc(m.CreatedAt);
        r.UpdatedAt = Utc(m.UpdatedAt);
    }

    public static WorkflowVariant ToVariant(WorkflowVariantRow r) => new()
    {
        Id = r.Id,
        TenantId = r.TenantId,
        AgentId = r.AgentId,
        ParentVariantId = r.ParentVariantId,
        WorkflowDefinitionJson = r.WorkflowDefinition,
        FitnessScore = r.FitnessScore,
        FitnessSignals = JsonSerializer.Deserialize(r.FitnessSignals, StoreJson.Default.IReadOnlyListFitnessSignal) ?? [],
        EvaluationStatus = r.EvaluationStatus,
        FailureReason = r.FailureReason,
        CreatedAt = Utc(r.CreatedAt),
        ConcurrencyStamp = r.ConcurrencyStamp,
    };

    public static void CopyTo(WorkflowVariant v, WorkflowVariantRow r)
    {
        r.Id = v.Id;
        r.TenantId = v.TenantId;
        r.AgentId = v.AgentId;
        r.ParentVariantId = v.ParentVariantId;
        r.WorkflowDefinition = v.WorkflowDefinitionJson;
        r.FitnessScore = v.FitnessScore;
        r.FitnessSignals = JsonSerializer.Serialize(v.FitnessSignals, StoreJson.Default.IReadOnlyListFitnessSignal);
        r.EvaluationStatus = v.EvaluationStatus;
        r.FailureReason = v.FailureReason;
        r.CreatedAt = Utc(v.CreatedAt);
    }

    public static FitnessRecord ToRecord(FitnessRecordRow r) => new()
    {
        TenantId = r.TenantId,
        SubjectId = r.SubjectId,
        SubjectKind = r.SubjectKind,
        Score = r.Score,
        Signals = Signals(r.Signals),
        UpdatedAt = Utc(r.UpdatedAt),
    };

    public static IReadOnlyList<Review> Reviews(string json) => JsonSerializer.Deserialize(json, StoreJson.Default.IReadOnlyListReview) ?? [];

    public static string Reviews(IReadOnlyList<Review> reviews) => JsonSerializer.Serialize(reviews, StoreJson.Default.IReadOnlyListReview);

    public static IReadOnlyList<FitnessSignal> Signals(string json) => JsonSerializer.Deserialize(json, StoreJson.Default.IReadOnlyListFitnessSignal) ?? [];

    public static string Signals(IReadOnlyList<FitnessSignal> signals) => JsonSerializer.Serialize(signals, StoreJson.Default.IReadOnlyListFitnessSignal);

    public static ChatCallRow ToRow(ChatCallRecord c) => new()
    {
        Id = c.Id,
        TenantId = c.TenantId,
        AgentId = c.AgentId,
        Purpose = c.Purpose,
        ModelId = c.ModelId,
        StartedAt = Utc(c.StartedAt),
        Day = DateOnly.FromDateTime(c.StartedAt.UtcDateTime),
        DurationMs = c.Duration.TotalMilliseconds,
        Attempts = c.Attempts,
        Succeeded = c.Succeeded,
        FailureKind = c.FailureKind,
        FailureReason = c.FailureReason,
        InputTokens = c.InputTokens,
        OutputTokens = c.OutputTokens,
        TotalTokens = c.TotalTokens,
    };

    public static ChatCallRecord ToRecord(ChatCallRow r) => new()
    {
        Id = r.Id,
        TenantId = r.TenantId,
        AgentId = r.AgentId,
        Purpose = r.Purpose,
        ModelId = r.ModelId,
        StartedAt = Utc(r.StartedAt),
        Duration = TimeSpan.FromMilliseconds(r.DurationMs),
        Attempts = r.Attempts,
        Succeeded = r.Succeeded,
        FailureKind = r.FailureKind,
        FailureReason = r.FailureReason,
        InputTokens = r.InputTokens,
        OutputTokens = r.OutputTokens,
        TotalTokens = r.TotalTokens,
    };
}

/// <summary>The JSON columns' shapes.</summary>
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(IReadOnlyList<Guid>))]
[JsonSerializable(typeof(IReadOnlyList<FitnessSignal>))]
[JsonSerializable(typeof(SandboxResult))]
[JsonSerializable(typeof(MutationEvaluation))]
[JsonSerializable(typeof(IReadOnlyList<Review>))]
internal sealed partial class StoreJson : JsonSerializerContext;
