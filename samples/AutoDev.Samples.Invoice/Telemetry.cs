using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AutoDev.Samples.Invoice;

/// <summary>
/// The sample's OpenTelemetry: AutoDev's spans and metrics, kept in memory to print the story's traces at the end, and
/// sent to a collector over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
internal sealed class Telemetry
{
    /// <summary>The spans that make a learning trace worth printing.</summary>
    private static readonly HashSet<string> Learning = new(StringComparer.Ordinal) { "candidate.generate", "mutation.generate", "review.decide" };

    private readonly List<Activity> _spans = [];
    private readonly List<MetricSnapshot> _metrics = [];

    private Telemetry(string? otlpEndpoint) => OtlpEndpoint = otlpEndpoint;

    /// <summary>Where traces and metrics also go, if anywhere.</summary>
    public string? OtlpEndpoint { get; }

    /// <summary>Adds the OpenTelemetry SDK with AutoDev's instrumentation.</summary>
    public static Telemetry Add(IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = new Telemetry(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 } endpoint ? endpoint : null);
        services.AddOpenTelemetry()
            .WithTracing(tracing =>
            {
                tracing.AddAutoDevInstrumentation().AddInMemoryExporter(telemetry._spans);
                if (telemetry.OtlpEndpoint is not null)
                {
                    tracing.AddOtlpExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddAutoDevInstrumentation().AddInMemoryExporter(telemetry._metrics);
                if (telemetry.OtlpEndpoint is not null)
                {
                    metrics.AddOtlpExporter();
                }
            });
        return telemetry;
    }

    /// <summary>Prints each trace in which AutoDev learned or reviewed something, as a tree, and the metrics that count the same story.</summary>
    public void Print(IServiceProvider services)
    {
        services.GetService<MeterProvider>()?.ForceFlush();
        services.GetService<TracerProvider>()?.ForceFlush();
        List<Activity> spans;
        lock (_spans)
        {
            spans = [.. _spans];
        }

        var traces = spans.GroupBy(s => s.TraceId).Where(t => t.Any(s => Learning.Contains(s.OperationName))).OrderBy(t => t.Min(s => s.StartTimeUtc));
        foreach (var trace in traces)
        {
            var byParent = trace.ToLookup(s => s.ParentSpanId);
            var ids = trace.Select(s => s.SpanId).ToHashSet();
            Console.WriteLine($"  trace {trace.Key.ToHexString()[..12]}:");
            foreach (var root in trace.Where(s => !ids.Contains(s.ParentSpanId)).OrderBy(s => s.StartTimeUtc))
            {
                PrintTree(root, byParent, 1);
            }
        }

        var executions = Sum("autodev.sandbox.executions");
        var spansOfExecutions = spans.Count(s => s.OperationName == "sandbox.execute");
        Console.WriteLine($"  metrics: {executions} sandbox executions (and {spansOfExecutions} sandbox.execute spans), {Sum("autodev.chat.calls")} model calls, {Sum("autodev.chat.tokens")} tokens charged, {Sum("autodev.proposal.transitions")} proposal status changes");
        Console.WriteLine(OtlpEndpoint is null
            ? "  To see them in a tracing tool, set OTEL_EXPORTER_OTLP_ENDPOINT (for example http://localhost:4317) and run again."
            : $"  Traces and metrics were also sent over OTLP to {OtlpEndpoint}.");
    }

    private static void PrintTree(Activity span, ILookup<ActivitySpanId, Activity> byParent, int depth)
    {
        var outcome = span.GetTagItem("autodev.outcome") ?? span.GetTagItem("autodev.review.decision") ?? span.GetTagItem("autodev.sandbox.tier") ?? span.GetTagItem("gen_ai.response.model");
        // A review links to the trace that wrote what it decides on.
        var links = string.Concat(span.Links.Select(l => $", linked to trace {l.Context.TraceId.ToHexString()[..12]}"));
        Console.WriteLine($"  {new string(' ', depth * 2)}{span.DisplayName}{(outcome is null ? "" : $" ({outcome}{links})")}");
        // Many runs of one kind under one parent (the side-by-side evaluation) print as one line.
        foreach (var group in byParent[span.SpanId].OrderBy(s => s.StartTimeUtc).GroupBy(s => s.DisplayName))
        {
            if (group.Count() > 2 && group.All(s => !byParent[s.SpanId].Any()))
            {
                Console.WriteLine($"  {new string(' ', (depth + 1) * 2)}{group.Key} ×{group.Count()}");
                continue;
            }

            foreach (var child in group)
            {
                PrintTree(child, byParent, depth + 1);
            }
        }
    }

    private long Sum(string instrument)
    {
        lock (_metrics)
        {
            // Counters are cumulative: the last export of an instrument holds the totals.
            return _metrics.LastOrDefault(m => m.Name == instrument)?.MetricPoints.Sum(p => p.GetSumLong()) ?? 0;
        }
    }
}
