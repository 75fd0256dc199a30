using AutoDev.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutoDev.EntityFrameworkCore.Configuration;

/// <summary>
/// Tool mutations. The shadow column <c>open_key</c> holds <see cref="ToolMutation.OpenKey"/> while the mutation is
/// open: its unique index keeps one open mutation per parent version and trigger. The parent version and the status
/// keep the design's column names, <c>parent_tool_id</c> and <c>sandbox_status</c>.
/// </summary>
internal sealed class ToolMutationConfiguration : IEntityTypeConfiguration<ToolMutation>
{
    /// <summary>The shadow property of <see cref="ToolMutation.OpenKey"/> (column <c>open_key</c>).</summary>
    public const string OpenKey = "StoredOpenKey";

    public void Configure(EntityTypeBuilder<ToolMutation> e)
    {
        e.ToTable(AutoDevTables.ToolMutations).HasKey(m => new { m.TenantId, m.Id });
        e.Property(m => m.ParentVersionId).HasColumnName("parent_tool_id");
        e.Property(m => m.Status).HasColumnName("sandbox_status");
        e.Property(m => m.EvaluationInputs).HasJsonConversion(StoreJson.Default.IReadOnlyListString);
        e.Property(m => m.Evaluation).HasJsonConversion(StoreJson.Default.MutationEvaluation);
        e.Property(m => m.Reviews).HasJsonConversion(StoreJson.Default.IReadOnlyListReview);
        e.Property(m => m.ConcurrencyStamp).IsConcurrencyToken();
        e.Property(m => m.TraceParent).HasMaxLength(Columns.TraceParentLength);
        e.Property<string?>(OpenKey).HasColumnName("open_key").HasMaxLength(128);
        e.HasIndex(nameof(ToolMutation.TenantId), OpenKey).IsUnique();
        e.HasIndex(m => new { m.TenantId, m.CreatedAt });
        e.HasIndex(m => new { m.TenantId, m.Status, m.CreatedAt });
        e.HasIndex(m => new { m.TenantId, m.SkillId });
        e.HasIndex(m => new { m.TenantId, m.ParentVersionId });
        e.HasIndex(m => new { m.TenantId, m.ParentMutationId });
    }

    /// <summary>Sets the shadow columns of a mutation about to be saved.</summary>
    public static EntityEntry<ToolMutation> Shadows(EntityEntry<ToolMutation> entry)
    {
        entry.Property<string?>(OpenKey).CurrentValue = entry.Entity.OpenKey;
        return entry;
    }
}
