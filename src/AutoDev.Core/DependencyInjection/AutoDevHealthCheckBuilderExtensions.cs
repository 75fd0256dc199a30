using AutoDev;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds AutoDev's health checks to a host's <c>services.AddHealthChecks()</c>.</summary>
public static class AutoDevHealthCheckBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="AutoDevHealthChecks.Sandbox"/>, <see cref="AutoDevHealthChecks.Store"/> and
    /// <see cref="AutoDevHealthChecks.Model"/>, tagged <see cref="AutoDevHealthChecks.Tag"/>. None of them calls the model.
    /// </summary>
    /// <example><code>services.AddHealthChecks().AddAutoDevHealthChecks();</code></example>
    public static IHealthChecksBuilder AddAutoDevHealthChecks(this IHealthChecksBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string[] tags = [AutoDevHealthChecks.Tag];
        builder.Add(new HealthCheckRegistration(AutoDevHealthChecks.Sandbox, sp => ActivatorUtilities.CreateInstance<SandboxHealthCheck>(sp), HealthStatus.Unhealthy, tags));
        builder.Add(new HealthCheckRegistration(AutoDevHealthChecks.Store, sp => ActivatorUtilities.CreateInstance<StoreHealthCheck>(sp), HealthStatus.Unhealthy, tags));
        builder.Add(new HealthCheckRegistration(AutoDevHealthChecks.Model, sp => ActivatorUtilities.CreateInstance<ModelHealthCheck>(sp), HealthStatus.Unhealthy, tags));
        return builder;
    }
}
