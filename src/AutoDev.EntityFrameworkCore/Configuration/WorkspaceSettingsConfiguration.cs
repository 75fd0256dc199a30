using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutoDev.EntityFrameworkCore.Configuration;

/// <summary>A workspace's saved settings: the one table without a domain type, as the settings do not name their workspace.</summary>
internal sealed class SavedWorkspaceSettings
{
    public string TenantId { get; set; } = string.Empty;

    /// <summary>The settings in their <c>auto_dev</c> JSON shape (<see cref="WorkspaceSettings.ToJson"/>).</summary>
    public string SettingsJson { get; set; } = "{}";

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class WorkspaceSettingsConfiguration : IEntityTypeConfiguration<SavedWorkspaceSettings>
{
    public void Configure(EntityTypeBuilder<SavedWorkspaceSettings> e)
    {
        e.ToTable(AutoDevTables.WorkspaceSettings).HasKey(s => s.TenantId);
    }
}
