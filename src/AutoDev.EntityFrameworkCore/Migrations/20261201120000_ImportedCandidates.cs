using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace AutoDev.EntityFrameworkCore.Migrations;

/// <summary>The package version an imported skill candidate keeps when it is promoted. Written by hand, like <see cref="InitialCreate"/>.</summary>
[DbContext(typeof(AutoDevDbContext))]
[Migration(Id)]
public sealed class ImportedCandidates : Migration
{
    /// <summary>The migration's id.</summary>
    public const string Id = "20261201120000_ImportedCandidates";

    /// <inheritdoc/>
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<string>(name: "imported_version", table: "skill_candidates", nullable: true);
    }

    /// <inheritdoc/>
    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropColumn(name: "imported_version", table: "skill_candidates");
    }
}
