using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace AutoDev.EntityFrameworkCore.Migrations;

/// <summary>
/// Creates every AutoDev table. Written by hand (the EF design-time package is not used) with column types left to
/// the provider, so the same migration serves SQLite and PostgreSQL; a test proves that it creates exactly the
/// model's schema on both.
/// </summary>
[DbContext(typeof(AutoDevDbContext))]
[Migration(Id)]
public sealed class InitialCreate : Migration
{
    /// <summary>The migration's id.</summary>
    public const string Id = "20261122000000_InitialCreate";

    /// <inheritdoc/>
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "agent_profiles",
            columns: table => new
            {
                TenantId = table.Column<string>(name: "tenant_id", maxLength: 128, nullable: false),
                AgentId = table.Column<string>(name: "agent_id", maxLength: 128, nullable: false),
                Maturity = table.Column<int>(name: "maturity", nullable: false),
                EpisodeCount = table.Column<int>(name: "episode_count", nullable: false),
                InterventionCount = table.Column<int>(name: "intervention_count", nullable: false),
                ConstitutionalScoreSum = table.Column<double>(name: "constitutional_score_sum", nullable: false),
                ConstitutionalScoreCount = table.Column<int>(name: "constitutional_score_count", nullable: false),
                CreatedAt = table.Column<DateTime>(name: "created_at", nullable: false),
                ConcurrencyStamp = table.Column<Guid>(name: "concurrency_stamp", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_agent_profiles", x => new { x.TenantId, x.AgentId });
            });

        migrationBuilder.CreateTable(
            name: "capability_counters",
            columns: table => new
            {
                TenantId = table.Column<string>(name: "tenant_id", maxLength: 128, nullable: false),
                Capability = table.Column<string>(name: "capability", maxLength: 128, nullable: false),
                Day = table.Column<DateOnly>(name: "day", nullable: false),
                AgentKey = table.Column<string>(name: "agent_key", maxLength: 128, nullable: false),
                Count = table.Column<int>(name: "count", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_capability_counters", x => new { x.TenantId, x.Capability, x.Day, x.AgentKey });
            });

        migrationBuilder.CreateTable(
            name: "capability_usage",
            columns: table => new
            {
                Id = table.Column<Guid>(name: "id", nullable: false),
                TenantId = table.Column<string>(name: "tenant_id", maxLength: 128, nullable: false),
                AgentId = table.Column<string>(name: "agent_id", maxLength: 128, nullable: true),
                Capability = table.Column<string>(name: "capability", maxLength: 128, nullable: false),
                Day = table.Column<DateOnly>(name: "day", nullable: false),
                Status = table.Column<int>(name: "status", nullable: false),
                CreatedAt = table.Column<DateTime>(name: "created_at", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_capability_usage", x => x.Id);
            });

        migrationBuilder.CreateTable(
            name: "chat_calls",
            columns: table => new
            {
                Id = table.Column<Guid>(name: "id", nullable: false),
                TenantId = table.Column<string>(name: "tenant_id", maxLength: 128, nullable: false),
                AgentId = table.Column<string>(name: "agent_id", maxLength: 128, nullable: true),
                Purpose = table.Column<string>(name: "purpose", maxLength: 128, nullable: false),
                ModelId = table.Column<string>(name: "model_id", nullable: true),
                StartedAt = table.Column<DateTime>(name: "started_at", nullable: false),
                Day = table.Column<DateOnly>(name: "day", nullable: false),
                DurationMs = table.Column<double>(name: "duration_ms", nullable: false),
                Attempts = table.Column<int>(name: "attempts", nullable: false),
                Succeeded = table.Column<bool>(name: "succeeded", nullable: false),
                FailureKind = table.Column<int>(name: "failure_kind", nullable: true),
                FailureReason = table.Column<string>(name: "failure_reason", nullable: true),
                InputTokens = table.Column<long>(name: "input_tokens", nullable: false),
                OutputTokens = table.Column<long>(name: "output_tokens", nullable: false),
                TotalTokens = table.Column<long>(name: "total_tokens", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_chat_calls", x => x.Id);
            });

        migrationBuilder.CreateTable(
            name: "episodes",
            columns: table => new
            {
                Id = table.Column<Guid>(name: "id", nullable: false),
                TenantId = table.Column<string>(name: "tenant_id", maxLength: 128, nullable: false),
                AgentId = table.Column<string>(name: "agent_id", maxLength: 128, nullable: false),
                TaskDescription = table.Column<string>(name: "task_description", nullable: false),
                Success = table.Column<bool>(name: "success", nullable: false),
                ErrorTrace = table.Column<string>(name: "error_trace", nullable: true),
                ToolsAttemptedJson = table.Column<string>(name: "tools_attempted_json", nullable: false),
                ContextJson = table.Column<string>(name: "context_json", nullable: true),
                HumanIntervention = table.Column<bool>(name: "human_intervention", nullable: false),
                ConstitutionalScore = table.Column<double>(name: "constitutional_score", nullable: true),
                Feedback = table.Column<string>(name: "feedback", nullable: true),
                OccurredAt = table.Column<DateTime>(name: "occurred_at", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_episodes", x => x.Id);
            });

        migrationBuilder.CreateTable(
            name: "fitness_records",
            columns: table => new
            {
                TenantId = table.Column<string>(name: "tenant_id", maxLength: 128, nullable: false),
                SubjectId = table.Column<Guid>(name: "subject_id", nullable: false),
                SubjectKind = table.Column<int>(name: "subject_kind", nullable: false),
                Score = table.Column<double>(name: "score", nullable: false),
                Signals = table.Column<string>(name: "signals", nullable: false),
                UpdatedAt = table.Column<DateTime>(name: "updated_at", nullable: false),
                ConcurrencyStamp = table.Column<Guid>(name: "concurrency_stamp", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_fitness_records", x => new { x.TenantId, x.SubjectId });
            });

        migrationBuilder.CreateTable(
            name: "skill_candidates",
            columns: table => new
            {
                Id = table.Column<Guid>(name: "id", nullable: false),
                TenantId = table.Column<string>(name: "tenant_id", maxLength: 128, nullable: false),
                AgentId = table.Column<string>(name: "agent_id", maxLength: 128, nullable: false),
                Name = table.Column<string>(name: "name", nullable: false),
                Description = table.Column<string>(name: "description", nullable: false),
                Code = table.Column<string>(name: "code", nullable: false),
                EntryPoint = table.Column<string>(name: "entry_point", nullable: false),
                TestCode = table.Column<string>(name: "test_code", nullable: false),
                PatternKey = table.Column<string>(name: "pattern_key", nullable: false),
                OpenPatternKey = table.Column<string>(name: "open_pattern_key", nullable: true),
                SourceEpisodeId = table.Column<Guid>(name: "source_episode_id", nullable: true),
                SourceEpisodeIdsJson = table.Column<string>(name: "source_episode_ids_json", nullable: false),
                Status = table.Column<int>(name: "status", nullable: false),
                FailureReason = table.Column<string>(name: "failure_reason", nullable: true),
                ValidationJson = table.Column<string>(name: "validation_json", nullable: true),
                FitnessScore = table.Column<double>(name: "fitness_score", nullable: true),
                ReviewedBy = table.Column<string>(name: "reviewed_by", nullable: true),
                ReviewReason = table.Column<string>(name: "review_reason", nullable: true),
                PromotedVersionId = table.Column<Guid>(name: "promoted_version_id", nullable: true),
                CreatedAt = table.Column<DateTime>(name: "created_at", nullable: false),
                UpdatedAt = table.Column<DateTime>(name: "updated_at", nullable: false),
                ConcurrencyStamp = table.Column<Guid>(name: "concurrency_stamp", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_skill_candidates", x => x.Id);
            });

        migrationBuilder.CreateTable(
            name: "skill_versions",
            columns: table => new
            {
                Id = table.Column<Guid>(name: "id", nullable: false),
                TenantId = table.Column<string>(name: "tenant_id", maxLength: 128, nullable: false),
                SkillId = table.Column<Guid>(name: "skill_id", nullable: false),
                Version = table.Column<string>(name: "version", nullable: false),
                Major = table.Column<int>(name: "major", nullable: false),
                Minor = table.Column<int>(name: "minor", nullable: false),
                Patch = table.Column<int>(name: "patch", nullable: false),
                Code = table.Column<string>(name: "code", nullable: false),
                EntryPoint = table.Column<string>(name: "entry_point", nullable: false),
                TestCode = table.Column<string>(name: "test_code", nullable: false),
                ParentVersionId = table.Column<Guid>(name: "parent_version_id", nullable: true),
                SourceCandidateId = table.Column<Guid>(name: "source_candidate_id", nullable: true),
                SourceMutationId = table.Column<Guid>(name: "source_mutation_id", nullable: true),
                FitnessScore = table.Column<double>(name: "fitness_score", nullable: true),
                IsActive = table.Column<bool>(name: "is_active", nullable: false),
                CreatedAt = table.Column<DateTime>(name: "created_at", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_skill_versions", x => x.Id);
            });

        migrationBuilder.CreateTable(
            name: "skills",
            columns: table => new
            {
                Id = table.Column<Guid>(name: "id", nullable: false),
                TenantId = table.Column<string>(name: "tenant_id", maxLength: 128, nullable: false),
                Name = table.Column<string>(name: "name", nullable: false),
                Description = table.Column<string>(name: "description", nullable: false),
                ActiveVersionId = table.Column<Guid>(name: "active_version_id", nullable: true),
                CreatedAt = table.Column<DateTime>(name: "created_at", nullable: false),
                ConcurrencyStamp = table.Column<Guid>(name: "concurrency_stamp", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_skills", x => x.Id);
            });

        migrationBuilder.CreateTable(
            name: "tool_mutations",
            columns: table => new
            {
                Id = table.Column<Guid>(name: "id", nullable: false),
                TenantId = table.Column<string>(name: "tenant_id", maxLength: 128, nullable: false),
                SkillId = table.Column<Guid>(name: "skill_id", nullable: false),
                ParentToolId = table.Column<Guid>(name: "parent_tool_id", nullable: false),
                ParentMutationId = table.Column<Guid>(name: "parent_mutation_id", nullable: true),
                Trigger = table.Column<int>(name: "trigger", nullable: false),
                Code = table.Column<string>(name: "code", nullable: false),
                SandboxStatus = table.Column<int>(name: "sandbox_status", nullable: false),
                FitnessScore = table.Column<double>(name: "fitness_score", nullable: true),
                ParentFitnessScore = table.Column<double>(name: "parent_fitness_score", nullable: true),
                FailureReason = table.Column<string>(name: "failure_reason", nullable: true),
                PromotedVersionId = table.Column<Guid>(name: "promoted_version_id", nullable: true),
                CreatedAt = table.Column<DateTime>(name: "created_at", nullable: false),
                ConcurrencyStamp = table.Column<Guid>(name: "concurrency_stamp", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_tool_mutations", x => x.Id);
            });

        migrationBuilder.CreateTable(
            name: "workflow_variants",
            columns: table => new
            {
                Id = table.Column<Guid>(name: "id", nullable: false),
                TenantId = table.Column<string>(name: "tenant_id", maxLength: 128, nullable: false),
                AgentId = table.Column<string>(name: "agent_id", maxLength: 128, nullable: false),
                ParentVariantId = table.Column<Guid>(name: "parent_variant_id", nullable: true),
                WorkflowDefinition = table.Column<string>(name: "workflow_definition", nullable: false),
                FitnessScore = table.Column<double>(name: "fitness_score", nullable: true),
                FitnessSignals = table.Column<string>(name: "fitness_signals", nullable: false),
                EvaluationStatus = table.Column<int>(name: "evaluation_status", nullable: false),
                CreatedAt = table.Column<DateTime>(name: "created_at", nullable: false),
                ConcurrencyStamp = table.Column<Guid>(name: "concurrency_stamp", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_workflow_variants", x => x.Id);
            });

        migrationBuilder.CreateTable(
            name: "workspace_settings",
            columns: table => new
            {
                TenantId = table.Column<string>(name: "tenant_id", maxLength: 128, nullable: false),
                SettingsJson = table.Column<string>(name: "settings_json", nullable: false),
                UpdatedAt = table.Column<DateTime>(name: "updated_at", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_workspace_settings", x => x.TenantId);
            });

        migrationBuilder.CreateTable(
            name: "episode_segments",
            columns: table => new
            {
                EpisodeId = table.Column<Guid>(name: "episode_id", nullable: false),
                Sequence = table.Column<int>(name: "sequence", nullable: false),
                TenantId = table.Column<string>(name: "tenant_id", maxLength: 128, nullable: false),
                Kind = table.Column<string>(name: "kind", nullable: false),
                Content = table.Column<string>(name: "content", nullable: false),
                ToolName = table.Column<string>(name: "tool_name", nullable: true),
                Success = table.Column<bool>(name: "success", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_episode_segments", x => new { x.EpisodeId, x.Sequence });
                table.ForeignKey(name: "FK_episode_segments_episodes_episode_id", column: x => x.EpisodeId, principalTable: "episodes", principalColumn: "id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex(name: "IX_capability_usage_tenant_id_capability_day", table: "capability_usage", columns: ["tenant_id", "capability", "day"]);
        migrationBuilder.CreateIndex(name: "IX_chat_calls_tenant_id_day", table: "chat_calls", columns: ["tenant_id", "day"]);
        migrationBuilder.CreateIndex(name: "IX_chat_calls_tenant_id_started_at", table: "chat_calls", columns: ["tenant_id", "started_at"]);
        migrationBuilder.CreateIndex(name: "IX_episode_segments_tenant_id", table: "episode_segments", column: "tenant_id");
        migrationBuilder.CreateIndex(name: "IX_episodes_tenant_id_agent_id_occurred_at", table: "episodes", columns: ["tenant_id", "agent_id", "occurred_at"]);
        migrationBuilder.CreateIndex(name: "IX_fitness_records_tenant_id_subject_kind_score", table: "fitness_records", columns: ["tenant_id", "subject_kind", "score"]);
        migrationBuilder.CreateIndex(name: "IX_skill_candidates_source_episode_id", table: "skill_candidates", column: "source_episode_id");
        migrationBuilder.CreateIndex(name: "IX_skill_candidates_tenant_id_agent_id", table: "skill_candidates", columns: ["tenant_id", "agent_id"]);
        migrationBuilder.CreateIndex(name: "IX_skill_candidates_tenant_id_open_pattern_key", table: "skill_candidates", columns: ["tenant_id", "open_pattern_key"], unique: true);
        migrationBuilder.CreateIndex(name: "IX_skill_candidates_tenant_id_status_created_at", table: "skill_candidates", columns: ["tenant_id", "status", "created_at"]);
        migrationBuilder.CreateIndex(name: "IX_skill_versions_parent_version_id", table: "skill_versions", column: "parent_version_id");
        migrationBuilder.CreateIndex(name: "IX_skill_versions_skill_id_major_minor_patch", table: "skill_versions", columns: ["skill_id", "major", "minor", "patch"], unique: true);
        migrationBuilder.CreateIndex(name: "IX_skill_versions_tenant_id_skill_id", table: "skill_versions", columns: ["tenant_id", "skill_id"]);
        migrationBuilder.CreateIndex(name: "IX_skills_tenant_id_name", table: "skills", columns: ["tenant_id", "name"], unique: true);
        migrationBuilder.CreateIndex(name: "IX_tool_mutations_parent_mutation_id", table: "tool_mutations", column: "parent_mutation_id");
        migrationBuilder.CreateIndex(name: "IX_tool_mutations_parent_tool_id", table: "tool_mutations", column: "parent_tool_id");
        migrationBuilder.CreateIndex(name: "IX_tool_mutations_tenant_id_sandbox_status_created_at", table: "tool_mutations", columns: ["tenant_id", "sandbox_status", "created_at"]);
        migrationBuilder.CreateIndex(name: "IX_tool_mutations_tenant_id_skill_id", table: "tool_mutations", columns: ["tenant_id", "skill_id"]);
        migrationBuilder.CreateIndex(name: "IX_workflow_variants_parent_variant_id", table: "workflow_variants", column: "parent_variant_id");
        migrationBuilder.CreateIndex(name: "IX_workflow_variants_tenant_id_agent_id_fitness_score", table: "workflow_variants", columns: ["tenant_id", "agent_id", "fitness_score"]);
        migrationBuilder.CreateIndex(name: "IX_workflow_variants_tenant_id_evaluation_status", table: "workflow_variants", columns: ["tenant_id", "evaluation_status"]);
    }

    /// <inheritdoc/>
    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable(name: "episode_segments");
        migrationBuilder.DropTable(name: "agent_profiles");
        migrationBuilder.DropTable(name: "capability_counters");
        migrationBuilder.DropTable(name: "capability_usage");
        migrationBuilder.DropTable(name: "chat_calls");
        migrationBuilder.DropTable(name: "episodes");
        migrationBuilder.DropTable(name: "fitness_records");
        migrationBuilder.DropTable(name: "skill_candidates");
        migrationBuilder.DropTable(name: "skill_versions");
        migrationBuilder.DropTable(name: "skills");
        migrationBuilder.DropTable(name: "tool_mutations");
        migrationBuilder.DropTable(name: "workflow_variants");
        migrationBuilder.DropTable(name: "workspace_settings");
    }
}
