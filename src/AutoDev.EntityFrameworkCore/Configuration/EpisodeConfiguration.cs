using AutoDev.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutoDev.EntityFrameworkCore.Configuration;

/// <summary>Episodes; their segments, tools and resolution are JSON columns, read and written with the episode.</summary>
internal sealed class EpisodeConfiguration : IEntityTypeConfiguration<Episode>
{
    public void Configure(EntityTypeBuilder<Episode> e)
    {
        e.ToTable(AutoDevTables.Episodes).HasKey(x => new { x.TenantId, x.Id });
        e.Property(x => x.ToolsAttempted).HasJsonConversion(StoreJson.Default.IReadOnlyListString);
        e.Property(x => x.Segments).HasJsonConversion(StoreJson.Default.IReadOnlyListEpisodeSegment);
        e.Property(x => x.Resolution).HasJsonConversion(StoreJson.Default.TestCase);
        e.HasIndex(x => new { x.TenantId, x.AgentId, x.OccurredAt });
    }
}
