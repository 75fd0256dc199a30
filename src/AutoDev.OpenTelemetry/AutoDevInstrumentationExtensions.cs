using AutoDev;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace OpenTelemetry;

/// <summary>Subscribes the OpenTelemetry SDK to every AutoDev package's activity source and meter.</summary>
/// <example>
/// <code>
/// services.AddOpenTelemetry()
///     .WithTracing(tracing => tracing.AddAutoDevInstrumentation().AddOtlpExporter())
///     .WithMetrics(metrics => metrics.AddAutoDevInstrumentation().AddOtlpExporter());
/// </code>
/// </example>
public static class AutoDevInstrumentationExtensions
{
    /// <summary>The activity sources and meters AutoDev's packages report under: AutoDev.Core and AutoDev.Sandbox.Docker.</summary>
    public static IReadOnlyList<string> Names { get; } = [AutoDevTelemetry.CoreName, "AutoDev.Sandbox.Docker"];

    /// <summary>Adds AutoDev's spans (sandbox executions, ...) to the traces.</summary>
    public static TracerProviderBuilder AddAutoDevInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource([.. Names]);
    }

    /// <summary>Adds AutoDev's instruments (sandbox executions and their duration, gate refusals, containers started, ...) to the metrics.</summary>
    public static MeterProviderBuilder AddAutoDevInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter([.. Names]);
    }
}
