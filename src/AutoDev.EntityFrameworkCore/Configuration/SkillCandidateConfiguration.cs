using AutoDev.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutoDev.EntityFrameworkCore.Configuration;

/// <summary>
/// Skill candidates. The shadow column <c>open_pattern_key</c> holds the pattern while the candidate is open and null
/// after: its unique index keeps one open candidate per pattern across instances. <c>source_episode_id</c>, the first
/// source episode, is indexed to find the candidate an episode led to.
/// </summary>
internal sealed class SkillCandidateConfiguration : IEntityTypeConfiguration<SkillCandidate>
{
    public const string OpenPatternKey = nameof(OpenPatternKey);

    public const string SourceEpisodeId = nameof(SourceEpisodeId);

    public void Configure(EntityTypeBuilder<SkillCandidate> e)
    {
        e.ToTable(AutoDevTables.SkillCandidates).HasKey(c => new { c.TenantId, c.Id });
        e.Property(c => c.SourceEpisodeIds).HasJsonConversion(StoreJson.Default.IReadOnlyListGuid);
        e.Property(c => c.Validation).HasJsonConversion(StoreJson.Default.SandboxResult);
        e.Property(c => c.Reviews).HasJsonConversion(StoreJson.Default.IReadOnlyListReview);
        e.Property(c => c.TestResults).HasJsonConversion(StoreJson.Default.IReadOnlyListCaseResult);
        e.Property(c => c.HeldOutResults).HasJsonConversion(StoreJson.Default.IReadOnlyListCaseResult);
        e.Property(c => c.OtherSamples).HasJsonConversion(StoreJson.Default.IReadOnlyListCandidateSample);
        e.Property(c => c.ImportedVersion).HasConversion(Columns.Version);
        e.Property(c => c.ConcurrencyStamp).IsConcurrencyToken();
        e.Property(c => c.TraceParent).HasMaxLength(Columns.TraceParentLength);
        e.Property<string?>(OpenPatternKey);
        e.Property<Guid?>(SourceEpisodeId);
        e.HasIndex(c => new { c.TenantId, c.Status, c.CreatedAt });
        e.HasIndex(c => new { c.TenantId, c.AgentId });
        e.HasIndex(nameof(SkillCandidate.TenantId), OpenPatternKey).IsUnique();
        e.HasIndex(nameof(SkillCandidate.TenantId), SourceEpisodeId);
    }

    /// <summary>Sets the shadow columns of a candidate about to be saved.</summary>
    public static EntityEntry<SkillCandidate> Shadows(EntityEntry<SkillCandidate> entry)
    {
        entry.Property<string?>(OpenPatternKey).CurrentValue = entry.Entity.IsOpen ? entry.Entity.PatternKey : null;
        entry.Property<Guid?>(SourceEpisodeId).CurrentValue = entry.Entity.SourceEpisodeIds.Count > 0 ? entry.Entity.SourceEpisodeIds[0] : null;
        return entry;
    }
}
