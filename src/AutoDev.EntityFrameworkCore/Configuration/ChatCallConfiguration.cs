using AutoDev.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutoDev.EntityFrameworkCore.Configuration;

/// <summary>Model calls; the shadow column <c>day</c> (the UTC day it started) serves the daily token budget's sum.</summary>
internal sealed class ChatCallConfiguration : IEntityTypeConfiguration<ChatCallRecord>
{
    public const string Day = nameof(Day);

    public void Configure(EntityTypeBuilder<ChatCallRecord> e)
    {
        e.ToTable(AutoDevTables.ChatCalls).HasKey(c => new { c.TenantId, c.Id });
        e.Property(c => c.Duration).HasConversion(Columns.Milliseconds).HasColumnName("duration_ms");
        e.Property<DateOnly>(Day);
        e.HasIndex(nameof(ChatCallRecord.TenantId), Day);
        e.HasIndex(c => new { c.TenantId, c.StartedAt });
    }

    /// <summary>Sets the shadow columns of a call about to be saved.</summary>
    public static EntityEntry<ChatCallRecord> Shadows(EntityEntry<ChatCallRecord> entry)
    {
        entry.Property<DateOnly>(Day).CurrentValue = DateOnly.FromDateTime(entry.Entity.StartedAt.UtcDateTime);
        return entry;
    }
}
