using AutoDev.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutoDev.EntityFrameworkCore.Configuration;

/// <summary>Fitness records; a shadow concurrency stamp catches two appends at once.</summary>
internal sealed class FitnessRecordConfiguration : IEntityTypeConfiguration<FitnessRecord>
{
    public const string ConcurrencyStamp = nameof(ConcurrencyStamp);

    public void Configure(EntityTypeBuilder<FitnessRecord> e)
    {
        e.ToTable(AutoDevTables.FitnessRecords).HasKey(r => new { r.TenantId, r.SubjectId });
        e.Property(r => r.Signals).HasJsonConversion(StoreJson.Default.IReadOnlyListFitnessSignal);
        e.Property<Guid>(ConcurrencyStamp).IsConcurrencyToken();
        e.HasIndex(r => new { r.TenantId, r.SubjectKind, r.Score });
    }
}
