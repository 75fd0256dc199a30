using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace AutoDev.EntityFrameworkCore.Migrations;

/// <summary>
/// When a daily-limit reservation expires (so a crashed owner's reservation stops counting), and the review history of
/// candidates and mutations. Written by hand, like <see cref="InitialCreate"/>.
/// </summary>
[DbContext(typeof(AutoDevDbContext))]
[Migration(Id)]
public sealed class LeasesAndReviews : Migration
{
    /// <summary>The migration's id.</summary>
    public const string Id = "20261201000000_LeasesAndReviews";

    /// <inheritdoc/>
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<DateTime>(name: "expires_at", table: "capability_usage", nullable: true);
        migrationBuilder.CreateIndex(
            name: "IX_capability_usage_tenant_id_capability_day_status_expires_at",
            table: "capability_usage",
            columns: ["tenant_id", "capability", "day", "status", "expires_at"]);
        migrationBuilder.AddColumn<string>(name: "reviews_json", table: "skill_candidates", nullable: false, defaultValue: "[]");
        migrationBuilder.AddColumn<string>(name: "reviews_json", table: "tool_mutations", nullable: false, defaultValue: "[]");
    }

    /// <inheritdoc/>
    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropIndex(name: "IX_capability_usage_tenant_id_capability_day_status_expires_at", table: "capability_usage");
        migrationBuilder.DropColumn(name: "expires_at", table: "capability_usage");
        migrationBuilder.DropColumn(name: "reviews_json", table: "skill_candidates");
        migrationBuilder.DropColumn(name: "reviews_json", table: "tool_mutations");
    }
}
