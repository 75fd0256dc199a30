using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace AutoDev.EntityFrameworkCore.Migrations;

/// <summary>
/// AlphaEvolver's columns: who a mutation is for, the inputs it is evaluated on, its side-by-side evaluation, its
/// review, and the open key whose unique index keeps one open mutation per skill version and trigger; and why a
/// workflow variant failed. Written by hand, like <see cref="InitialCreate"/>.
/// </summary>
[DbContext(typeof(AutoDevDbContext))]
[Migration(Id)]
public sealed class AlphaEvolver : Migration
{
    /// <summary>The migration's id.</summary>
    public const string Id = "20261122140000_AlphaEvolver";

    /// <inheritdoc/>
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<string>(name: "agent_id", table: "tool_mutations", maxLength: 128, nullable: true);
        migrationBuilder.AddColumn<string>(name: "evaluation_inputs_json", table: "tool_mutations", nullable: false, defaultValue: "[]");
        migrationBuilder.AddColumn<long>(name: "generation_tokens", table: "tool_mutations", nullable: false, defaultValue: 0L);
        migrationBuilder.AddColumn<string>(name: "evaluation_json", table: "tool_mutations", nullable: true);
        migrationBuilder.AddColumn<string>(name: "reviewed_by", table: "tool_mutations", nullable: true);
        migrationBuilder.AddColumn<string>(name: "review_reason", table: "tool_mutations", nullable: true);
        migrationBuilder.AddColumn<string>(name: "open_key", table: "tool_mutations", nullable: true);
        migrationBuilder.AddColumn<DateTime>(name: "updated_at", table: "tool_mutations", nullable: false, defaultValue: new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        migrationBuilder.AddColumn<string>(name: "failure_reason", table: "workflow_variants", nullable: true);

        migrationBuilder.CreateIndex(name: "IX_tool_mutations_tenant_id_open_key", table: "tool_mutations", columns: ["tenant_id", "open_key"], unique: true);
        migrationBuilder.CreateIndex(name: "IX_tool_mutations_tenant_id_created_at", table: "tool_mutations", columns: ["tenant_id", "created_at"]);
    }

    /// <inheritdoc/>
    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropIndex(name: "IX_tool_mutations_tenant_id_open_key", table: "tool_mutations");
        migrationBuilder.DropIndex(name: "IX_tool_mutations_tenant_id_created_at", table: "tool_mutations");
        foreach (var column in new[] { "agent_id", "evaluation_inputs_json", "generation_tokens", "evaluation_json", "reviewed_by", "review_reason", "open_key", "updated_at" })
        {
            migrationBuilder.DropColumn(name: column, table: "tool_mutations");
        }

        migrationBuilder.DropColumn(name: "failure_reason", table: "workflow_variants");
    }
}
