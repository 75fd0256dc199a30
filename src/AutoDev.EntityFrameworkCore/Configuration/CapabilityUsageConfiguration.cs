using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutoDev.EntityFrameworkCore.Configuration;

/// <summary>One reservation against a daily limit.</summary>
internal sealed class CapabilityUsageConfiguration : IEntityTypeConfiguration<CapabilityUsage>
{
    public void Configure(EntityTypeBuilder<CapabilityUsage> e)
    {
        e.ToTable(AutoDevTables.CapabilityUsage).HasKey(u => new { u.TenantId, u.Id });
        e.HasIndex(u => new { u.TenantId, u.Capability, u.Day, u.Status, u.ExpiresAt }); // the expiry sweep of each reservation
    }
}

/// <summary>
/// How many reservations count against one limit: a row per (tenant, capability, day, agent), incremented only under
/// the limit by one conditional upsert. It has no domain type: <see cref="ICapabilityUsageStore.CountAsync"/> reads it.
/// </summary>
internal sealed class CapabilityCounter
{
    public string TenantId { get; set; } = string.Empty;

    public string Capability { get; set; } = string.Empty;

    public DateOnly Day { get; set; }

    /// <summary>The agent, or empty for a workspace-wide limit.</summary>
    public string AgentKey { get; set; } = string.Empty;

    /// <summary>Reserved plus committed.</summary>
    public int Count { get; set; }
}

internal sealed class CapabilityCounterConfiguration : IEntityTypeConfiguration<CapabilityCounter>
{
    public void Configure(EntityTypeBuilder<CapabilityCounter> e)
    {
        e.ToTable(AutoDevTables.CapabilityCounters).HasKey(c => new { c.TenantId, c.Capability, c.Day, c.AgentKey });
    }
}
