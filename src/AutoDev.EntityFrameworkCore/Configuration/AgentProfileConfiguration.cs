using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutoDev.EntityFrameworkCore.Configuration;

internal sealed class AgentProfileConfiguration : IEntityTypeConfiguration<AgentProfile>
{
    public void Configure(EntityTypeBuilder<AgentProfile> e)
    {
        e.ToTable(AutoDevTables.AgentProfiles).HasKey(p => new { p.TenantId, p.AgentId });
        e.Property(p => p.ConcurrencyStamp).IsConcurrencyToken();
    }
}
