using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutoDev.EntityFrameworkCore.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "acceptance_cases",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    skill_name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    test_case = table.Column<string>(type: "TEXT", nullable: false),
                    added_by = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    inputs_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_acceptance_cases", x => new { x.tenant_id, x.id });
                });

            migrationBuilder.CreateTable(
                name: "agent_profiles",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    agent_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    maturity = table.Column<int>(type: "INTEGER", nullable: false),
                    episode_count = table.Column<int>(type: "INTEGER", nullable: false),
                    intervention_count = table.Column<int>(type: "INTEGER", nullable: false),
                    constitutional_score_sum = table.Column<double>(type: "REAL", nullable: false),
                    constitutional_score_count = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    concurrency_stamp = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agent_profiles", x => new { x.tenant_id, x.agent_id });
                });

            migrationBuilder.CreateTable(
                name: "capability_counters",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    capability = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    agent_key = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_capability_counters", x => new { x.tenant_id, x.capability, x.day, x.agent_key });
                });

            migrationBuilder.CreateTable(
                name: "capability_usage",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    agent_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    capability = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    expires_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_capability_usage", x => new { x.tenant_id, x.id });
                });

            migrationBuilder.CreateTable(
                name: "chat_calls",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    agent_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    purpose = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    model_id = table.Column<string>(type: "TEXT", nullable: true),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    duration_ms = table.Column<double>(type: "REAL", nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    succeeded = table.Column<bool>(type: "INTEGER", nullable: false),
                    failure_kind = table.Column<int>(type: "INTEGER", nullable: true),
                    failure_reason = table.Column<string>(type: "TEXT", nullable: true),
                    input_tokens = table.Column<long>(type: "INTEGER", nullable: false),
                    output_tokens = table.Column<long>(type: "INTEGER", nullable: false),
                    total_tokens = table.Column<long>(type: "INTEGER", nullable: false),
                    day = table.Column<DateOnly>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_chat_calls", x => new { x.tenant_id, x.id });
                });

            migrationBuilder.CreateTable(
                name: "episodes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    agent_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    task_description = table.Column<string>(type: "TEXT", nullable: false),
                    success = table.Column<bool>(type: "INTEGER", nullable: false),
                    error_trace = table.Column<string>(type: "TEXT", nullable: true),
                    tools_attempted = table.Column<string>(type: "TEXT", nullable: false),
                    context_json = table.Column<string>(type: "TEXT", nullable: true),
                    human_intervention = table.Column<bool>(type: "INTEGER", nullable: false),
                    constitutional_score = table.Column<double>(type: "REAL", nullable: true),
                    feedback = table.Column<string>(type: "TEXT", nullable: true),
                    resolution = table.Column<string>(type: "TEXT", nullable: true),
                    segments = table.Column<string>(type: "TEXT", nullable: false),
                    occurred_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_episodes", x => new { x.tenant_id, x.id });
                });

            migrationBuilder.CreateTable(
                name: "fitness_records",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    subject_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    subject_kind = table.Column<int>(type: "INTEGER", nullable: false),
                    score = table.Column<double>(type: "REAL", nullable: false),
                    signals = table.Column<string>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    concurrency_stamp = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_fitness_records", x => new { x.tenant_id, x.subject_id });
                });

            migrationBuilder.CreateTable(
                name: "skill_candidates",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    agent_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: false),
                    entry_point = table.Column<string>(type: "TEXT", nullable: false),
                    test_cases_json = table.Column<string>(type: "TEXT", nullable: false),
                    pattern_key = table.Column<string>(type: "TEXT", nullable: false),
                    source_episode_ids = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    validation = table.Column<string>(type: "TEXT", nullable: true),
                    test_results = table.Column<string>(type: "TEXT", nullable: false),
                    held_out_results = table.Column<string>(type: "TEXT", nullable: false),
                    other_samples = table.Column<string>(type: "TEXT", nullable: false),
                    imported_version = table.Column<long>(type: "INTEGER", nullable: true),
                    open_pattern_key = table.Column<string>(type: "TEXT", nullable: true),
                    source_episode_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    failure_reason = table.Column<string>(type: "TEXT", nullable: true),
                    fitness_score = table.Column<double>(type: "REAL", nullable: true),
                    reviews = table.Column<string>(type: "TEXT", nullable: false),
                    promoted_version_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    trace_parent = table.Column<string>(type: "TEXT", maxLength: 55, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    concurrency_stamp = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_skill_candidates", x => new { x.tenant_id, x.id });
                });

            migrationBuilder.CreateTable(
                name: "skill_versions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    skill_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false),
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    entry_point = table.Column<string>(type: "TEXT", nullable: false),
                    test_cases_json = table.Column<string>(type: "TEXT", nullable: false),
                    parent_version_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    source_candidate_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    source_mutation_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    fitness_score = table.Column<double>(type: "REAL", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_skill_versions", x => new { x.tenant_id, x.id });
                });

            migrationBuilder.CreateTable(
                name: "skills",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: false),
                    active_version_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    concurrency_stamp = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_skills", x => new { x.tenant_id, x.id });
                });

            migrationBuilder.CreateTable(
                name: "tool_mutations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    skill_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    parent_tool_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    parent_mutation_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    trigger = table.Column<int>(type: "INTEGER", nullable: false),
                    agent_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    evaluation_inputs = table.Column<string>(type: "TEXT", nullable: false),
                    generation_tokens = table.Column<long>(type: "INTEGER", nullable: false),
                    sandbox_status = table.Column<int>(type: "INTEGER", nullable: false),
                    parent_fitness_score = table.Column<double>(type: "REAL", nullable: true),
                    evaluation = table.Column<string>(type: "TEXT", nullable: true),
                    open_key = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    failure_reason = table.Column<string>(type: "TEXT", nullable: true),
                    fitness_score = table.Column<double>(type: "REAL", nullable: true),
                    reviews = table.Column<string>(type: "TEXT", nullable: false),
                    promoted_version_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    trace_parent = table.Column<string>(type: "TEXT", maxLength: 55, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    concurrency_stamp = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tool_mutations", x => new { x.tenant_id, x.id });
                });

            migrationBuilder.CreateTable(
                name: "workflow_variants",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    agent_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    parent_variant_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    workflow_definition = table.Column<string>(type: "TEXT", nullable: false),
                    fitness_score = table.Column<double>(type: "REAL", nullable: true),
                    fitness_signals = table.Column<string>(type: "TEXT", nullable: false),
                    evaluation_status = table.Column<int>(type: "INTEGER", nullable: false),
                    failure_reason = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    concurrency_stamp = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workflow_variants", x => new { x.tenant_id, x.id });
                });

            migrationBuilder.CreateTable(
                name: "workspace_settings",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    settings_json = table.Column<string>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workspace_settings", x => x.tenant_id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_acceptance_cases_tenant_id_skill_name_inputs_hash",
                table: "acceptance_cases",
                columns: new[] { "tenant_id", "skill_name", "inputs_hash" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_capability_usage_tenant_id_capability_day_status_expires_at",
                table: "capability_usage",
                columns: new[] { "tenant_id", "capability", "day", "status", "expires_at" });

            migrationBuilder.CreateIndex(
                name: "IX_chat_calls_tenant_id_day",
                table: "chat_calls",
                columns: new[] { "tenant_id", "day" });

            migrationBuilder.CreateIndex(
                name: "IX_chat_calls_tenant_id_started_at",
                table: "chat_calls",
                columns: new[] { "tenant_id", "started_at" });

            migrationBuilder.CreateIndex(
                name: "IX_episodes_tenant_id_agent_id_occurred_at",
                table: "episodes",
                columns: new[] { "tenant_id", "agent_id", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "IX_fitness_records_tenant_id_subject_kind_score",
                table: "fitness_records",
                columns: new[] { "tenant_id", "subject_kind", "score" });

            migrationBuilder.CreateIndex(
                name: "IX_skill_candidates_tenant_id_agent_id",
                table: "skill_candidates",
                columns: new[] { "tenant_id", "agent_id" });

            migrationBuilder.CreateIndex(
                name: "IX_skill_candidates_tenant_id_open_pattern_key",
                table: "skill_candidates",
                columns: new[] { "tenant_id", "open_pattern_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_skill_candidates_tenant_id_source_episode_id",
                table: "skill_candidates",
                columns: new[] { "tenant_id", "source_episode_id" });

            migrationBuilder.CreateIndex(
                name: "IX_skill_candidates_tenant_id_status_created_at",
                table: "skill_candidates",
                columns: new[] { "tenant_id", "status", "created_at" });

            migrationBuilder.CreateIndex(
                name: "IX_skill_versions_tenant_id_parent_version_id",
                table: "skill_versions",
                columns: new[] { "tenant_id", "parent_version_id" });

            migrationBuilder.CreateIndex(
                name: "IX_skill_versions_tenant_id_skill_id_version",
                table: "skill_versions",
                columns: new[] { "tenant_id", "skill_id", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_skills_tenant_id_name",
                table: "skills",
                columns: new[] { "tenant_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_tool_mutations_tenant_id_created_at",
                table: "tool_mutations",
                columns: new[] { "tenant_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "IX_tool_mutations_tenant_id_open_key",
                table: "tool_mutations",
                columns: new[] { "tenant_id", "open_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_tool_mutations_tenant_id_parent_mutation_id",
                table: "tool_mutations",
                columns: new[] { "tenant_id", "parent_mutation_id" });

            migrationBuilder.CreateIndex(
                name: "IX_tool_mutations_tenant_id_parent_tool_id",
                table: "tool_mutations",
                columns: new[] { "tenant_id", "parent_tool_id" });

            migrationBuilder.CreateIndex(
                name: "IX_tool_mutations_tenant_id_sandbox_status_created_at",
                table: "tool_mutations",
                columns: new[] { "tenant_id", "sandbox_status", "created_at" });

            migrationBuilder.CreateIndex(
                name: "IX_tool_mutations_tenant_id_skill_id",
                table: "tool_mutations",
                columns: new[] { "tenant_id", "skill_id" });

            migrationBuilder.CreateIndex(
                name: "IX_workflow_variants_tenant_id_agent_id_fitness_score",
                table: "workflow_variants",
                columns: new[] { "tenant_id", "agent_id", "fitness_score" });

            migrationBuilder.CreateIndex(
                name: "IX_workflow_variants_tenant_id_evaluation_status",
                table: "workflow_variants",
                columns: new[] { "tenant_id", "evaluation_status" });

            migrationBuilder.CreateIndex(
                name: "IX_workflow_variants_tenant_id_parent_variant_id",
                table: "workflow_variants",
                columns: new[] { "tenant_id", "parent_variant_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "acceptance_cases");

            migrationBuilder.DropTable(
                name: "agent_profiles");

            migrationBuilder.DropTable(
                name: "capability_counters");

            migrationBuilder.DropTable(
                name: "capability_usage");

            migrationBuilder.DropTable(
                name: "chat_calls");

            migrationBuilder.DropTable(
                name: "episodes");

            migrationBuilder.DropTable(
                name: "fitness_records");

            migrationBuilder.DropTable(
                name: "skill_candidates");

            migrationBuilder.DropTable(
                name: "skill_versions");

            migrationBuilder.DropTable(
                name: "skills");

            migrationBuilder.DropTable(
                name: "tool_mutations");

            migrationBuilder.DropTable(
                name: "workflow_variants");

            migrationBuilder.DropTable(
                name: "workspace_settings");
        }
    }
}
