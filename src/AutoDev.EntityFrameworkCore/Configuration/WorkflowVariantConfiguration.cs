using AutoDev.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutoDev.EntityFrameworkCore.Configuration;

internal sealed class WorkflowVariantConfiguration : IEntityTypeConfiguration<WorkflowVariant>
{
    public void Configure(EntityTypeBuilder<WorkflowVariant> e)
    {
        e.ToTable(AutoDevTables.WorkflowVariants).HasKey(v => new { v.TenantId, v.Id });
        e.Property(v => v.WorkflowDefinitionJson).HasColumnName("workflow_definition");
        e.Property(v => v.FitnessSignals).HasJsonConversion(StoreJson.Default.IReadOnlyListFitnessSignal);
        e.Property(v => v.ConcurrencyStamp).IsConcurrencyToken();
        e.HasIndex(v => new { v.TenantId, v.AgentId, v.FitnessScore });
        e.HasIndex(v => new { v.TenantId, v.EvaluationStatus });
        e.HasIndex(v => new { v.TenantId, v.ParentVariantId });
    }
}
