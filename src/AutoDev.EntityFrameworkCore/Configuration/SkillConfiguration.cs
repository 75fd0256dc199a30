using AutoDev.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutoDev.EntityFrameworkCore.Configuration;

internal sealed class SkillConfiguration : IEntityTypeConfiguration<Skill>
{
    public void Configure(EntityTypeBuilder<Skill> e)
    {
        e.ToTable(AutoDevTables.Skills).HasKey(s => new { s.TenantId, s.Id });
        e.Property(s => s.Name).HasMaxLength(SkillNames.MaxLength);
        e.Property(s => s.ConcurrencyStamp).IsConcurrencyToken();
        e.HasIndex(s => new { s.TenantId, s.Name }).IsUnique();
    }
}

/// <summary>Skill versions; the version is one sortable number (<see cref="Columns.Version"/>), unique per skill.</summary>
internal sealed class SkillVersionConfiguration : IEntityTypeConfiguration<SkillVersion>
{
    public void Configure(EntityTypeBuilder<SkillVersion> e)
    {
        e.ToTable(AutoDevTables.SkillVersions).HasKey(v => new { v.TenantId, v.Id });
        e.Property(v => v.Version).HasConversion(Columns.Version);
        e.HasIndex(v => new { v.TenantId, v.SkillId, v.Version }).IsUnique();
        e.HasIndex(v => new { v.TenantId, v.ParentVersionId });
    }
}
