using System.Text;
using AutoDev;
using AutoDev.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Adds AutoDev's tables to a model, for hosts that keep them in their own <see cref="DbContext"/>.</summary>
/// <example>
/// <code>
/// protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddAutoDev();
/// // then: services.AddAutoDev().AddEntityFrameworkStores&lt;MyDbContext&gt;(o => o.UseNpgsql(...));
/// </code>
/// </example>
public static class AutoDevModelBuilderExtensions
{
    /// <summary>The longest tenant, agent, capability and purpose id: 128 characters (as <c>AddAutoDev</c> validates).</summary>
    public const int IdLength = 128;

    /// <summary>Adds every AutoDev table, with snake_case names, its keys, indexes and concurrency tokens.</summary>
    /// <remarks>The tables of <see cref="AutoDevDbContext"/>; its hand-written migrations create exactly this schema.</remarks>
    public static ModelBuilder AddAutoDev(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);

        modelBuilder.Entity<WorkspaceSettingsRow>(e =>
        {
            e.ToTable(AutoDevTables.WorkspaceSettings).HasKey(r => r.TenantId);
            Id(e.Property(r => r.TenantId));
        });

        modelBuilder.Entity<AgentProfileRow>(e =>
        {
            e.ToTable(AutoDevTables.AgentProfiles).HasKey(r => new { r.TenantId, r.AgentId });
            Id(e.Property(r => r.TenantId));
            Id(e.Property(r => r.AgentId));
            e.Property(r => r.ConcurrencyStamp).IsConcurrencyToken();
        });

        modelBuilder.Entity<EpisodeRow>(e =>
        {
            e.ToTable(AutoDevTables.Episodes).HasKey(r => r.Id);
            Id(e.Property(r => r.TenantId));
            Id(e.Property(r => r.AgentId));
            e.HasIndex(r => new { r.TenantId, r.AgentId, r.OccurredAt });
            e.HasMany(r => r.Segments).WithOne().HasForeignKey(s => s.EpisodeId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<EpisodeSegmentRow>(e =>
        {
            e.ToTable(AutoDevTables.EpisodeSegments).HasKey(r => new { r.EpisodeId, r.Sequence });
            Id(e.Property(r => r.TenantId));
            e.HasIndex(r => r.TenantId);
        });

        modelBuilder.Entity<SkillCandidateRow>(e =>
        {
            e.ToTable(AutoDevTables.SkillCandidates).HasKey(r => r.Id);
            Id(e.Property(r => r.TenantId));
            Id(e.Property(r => r.AgentId));
            e.Property(r => r.ConcurrencyStamp).IsConcurrencyToken();
            e.HasIndex(r => new { r.TenantId, r.Status, r.CreatedAt });
            e.HasIndex(r => new { r.TenantId, r.AgentId });
            e.HasIndex(r => r.SourceEpisodeId);
            e.HasIndex(r => new { r.TenantId, r.OpenPatternKey }).IsUnique();
        });

        modelBuilder.Entity<SkillRow>(e =>
        {
            e.ToTable(AutoDevTables.Skills).HasKey(r => r.Id);
            Id(e.Property(r => r.TenantId));
            e.Property(r => r.ConcurrencyStamp).IsConcurrencyToken();
            e.HasIndex(r => new { r.TenantId, r.Name }).IsUnique();
        });

        modelBuilder.Entity<SkillVersionRow>(e =>
        {
            e.ToTable(AutoDevTables.SkillVersions).HasKey(r => r.Id);
            Id(e.Property(r => r.TenantId));
            e.HasIndex(r => new { r.TenantId, r.SkillId });
            e.HasIndex(r => new { r.SkillId, r.Major, r.Minor, r.Patch }).IsUnique();
            e.HasIndex(r => r.ParentVersionId);
        });

        modelBuilder.Entity<ToolMutationRow>(e =>
        {
            e.ToTable(AutoDevTables.ToolMutations).HasKey(r => r.Id);
            Id(e.Property(r => r.TenantId));
            Id(e.Property(r => r.AgentId));
            e.Property(r => r.ConcurrencyStamp).IsConcurrencyToken();
            e.HasIndex(r => new { r.TenantId, r.OpenKey }).IsUnique();
            e.HasIndex(r => new { r.TenantId, r.CreatedAt });
            e.HasIndex(r => new { r.TenantId, r.SandboxStatus, r.CreatedAt });
            e.HasIndex(r => new { r.TenantId, r.SkillId });
            e.HasIndex(r => r.ParentToolId);
            e.HasIndex(r => r.ParentMutationId);
        });

        modelBuilder.Entity<WorkflowVariantRow>(e =>
        {
            e.ToTable(AutoDevTables.WorkflowVariants).HasKey(r => r.Id);
            Id(e.Property(r => r.TenantId));
            Id(e.Property(r => r.AgentId));
            e.Property(r => r.ConcurrencyStamp).IsConcurrencyToken();
            e.HasIndex(r => new { r.TenantId, r.AgentId, r.FitnessScore });
            e.HasIndex(r => new { r.TenantId, r.EvaluationStatus });
            e.HasIndex(r => r.ParentVariantId);
        });

        modelBuilder.Entity<CapabilityUsageRow>(e =>
        {
            e.ToTable(AutoDevTables.CapabilityUsage).HasKey(r => r.Id);
            Id(e.Property(r => r.TenantId));
            Id(e.Property(r => r.AgentId));
            Id(e.Property(r => r.Capability));
            e.HasIndex(r => new { r.TenantId, r.Capability, r.Day });
            e.HasIndex(r => new { r.TenantId, r.Capability, r.Day, r.Status, r.ExpiresAt }); // the expiry sweep of each reservation
        });

        modelBuilder.Entity<CapabilityCounterRow>(e =>
        {
            e.ToTable(AutoDevTables.CapabilityCounters).HasKey(r => new { r.TenantId, r.Capability, r.Day, r.AgentKey });
            Id(e.Property(r => r.TenantId));
            Id(e.Property(r => r.Capability));
            Id(e.Property(r => r.AgentKey));
        });

        modelBuilder.Entity<FitnessRecordRow>(e =>
        {
            e.ToTable(AutoDevTables.FitnessRecords).HasKey(r => new { r.TenantId, r.SubjectId });
            Id(e.Property(r => r.TenantId));
            e.Property(r => r.ConcurrencyStamp).IsConcurrencyToken();
            e.HasIndex(r => new { r.TenantId, r.SubjectKind, r.Score });
        });

        modelBuilder.Entity<ChatCallRow>(e =>
        {
            e.ToTable(AutoDevTables.ChatCalls).HasKey(r => r.Id);
            Id(e.Property(r => r.TenantId));
            Id(e.Property(r => r.AgentId));
            Id(e.Property(r => r.Purpose));
            e.HasIndex(r => new { r.TenantId, r.Day });
            e.HasIndex(r => new { r.TenantId, r.StartedAt });
        });

        foreach (var entity in modelBuilder.Model.GetEntityTypes().Where(t => t.ClrType.Namespace == typeof(EpisodeRow).Namespace))
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
        }

        return modelBuilder;
    }

    /// <summary><c>ParentVersionId</c> → <c>parent_version_id</c>.</summary>
    internal static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }

    private static void Id<T>(PropertyBuilder<T> property) => property.HasMaxLength(IdLength);
}

/// <summary>The names of AutoDev's tables.</summary>
public static class AutoDevTables
{
    /// <summary><c>workspace_settings</c>.</summary>
    public const string WorkspaceSettings = "workspace_settings";

    /// <summary><c>agent_profiles</c>.</summary>
    public const string AgentProfiles = "agent_profiles";

    /// <summary><c>episodes</c>.</summary>
    public const string Episodes = "episodes";

    /// <summary><c>episode_segments</c>.</summary>
    public const string EpisodeSegments = "episode_segments";

    /// <summary><c>skill_candidates</c>.</summary>
    public const string SkillCandidates = "skill_candidates";

    /// <summary><c>skills</c>.</summary>
    public const string Skills = "skills";

    /// <summary><c>skill_versions</c>.</summary>
    public const string SkillVersions = "skill_versions";

    /// <summary><c>tool_mutations</c>.</summary>
    public const string ToolMutations = "tool_mutations";

    /// <summary><c>workflow_variants</c>.</summary>
    public const string WorkflowVariants = "workflow_variants";

    /// <summary><c>capability_usage</c>.</summary>
    public const string CapabilityUsage = "capability_usage";

    /// <summary><c>capability_counters</c>.</summary>
    public const string CapabilityCounters = "capability_counters";

    /// <summary><c>fitness_records</c>.</summary>
    public const string FitnessRecords = "fitness_records";

    /// <summary><c>chat_calls</c>.</summary>
    public const string ChatCalls = "chat_calls";
}
