using System.Security.Cryptography;
using System.Text;
using AutoDev.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutoDev.EntityFrameworkCore.Configuration;

/// <summary>
/// Acceptance cases; the case is a JSON column. The shadow column <c>inputs_hash</c> (SHA-256 of the case's inputs)
/// keeps one case per skill and inputs under a unique index that stays short however long the inputs are.
/// </summary>
internal sealed class AcceptanceCaseConfiguration : IEntityTypeConfiguration<AcceptanceCase>
{
    public const string InputsHash = nameof(InputsHash);

    public void Configure(EntityTypeBuilder<AcceptanceCase> e)
    {
        e.ToTable(AutoDevTables.AcceptanceCases).HasKey(c => new { c.TenantId, c.Id });
        e.Property(c => c.SkillName).HasMaxLength(SkillNames.MaxLength);
        e.Property(c => c.Case).HasJsonConversion(StoreJson.Default.TestCase).HasColumnName("test_case");
        e.Property<string>(InputsHash).HasMaxLength(64);
        e.HasIndex(nameof(AcceptanceCase.TenantId), nameof(AcceptanceCase.SkillName), InputsHash).IsUnique();
    }

    /// <summary>The hash of a case's inputs, as stored in <c>inputs_hash</c>.</summary>
    public static string HashOf(TestCase testCase) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(testCase.InputsJson)));

    /// <summary>Sets the shadow column of a case about to be saved.</summary>
    public static EntityEntry<AcceptanceCase> Shadows(EntityEntry<AcceptanceCase> entry)
    {
        entry.Property<string>(InputsHash).CurrentValue = HashOf(entry.Entity.Case);
        return entry;
    }
}
