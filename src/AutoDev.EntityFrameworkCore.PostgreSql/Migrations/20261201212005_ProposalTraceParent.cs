using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutoDev.EntityFrameworkCore.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class ProposalTraceParent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "trace_parent",
                table: "tool_mutations",
                type: "character varying(55)",
                maxLength: 55,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "trace_parent",
                table: "skill_candidates",
                type: "character varying(55)",
                maxLength: 55,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "trace_parent",
                table: "tool_mutations");

            migrationBuilder.DropColumn(
                name: "trace_parent",
                table: "skill_candidates");
        }
    }
}
