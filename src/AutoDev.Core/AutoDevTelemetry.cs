using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AutoDev;

/// <summary>
/// The names under which AutoDev.Core reports traces and metrics, for a host's OpenTelemetry set-up:
/// <c>tracing.AddSource(AutoDevTelemetry.CoreName)</c>, <c>metrics.AddMeter(AutoDevTelemetry.CoreName)</c>.
/// </summary>
/// <remarks>
/// Spans: <c>episode.record</c> (<c>autodev.tenant</c>, <c>autodev.agent</c>, <c>autodev.episode.id</c>,
/// <c>autodev.outcome</c>, <c>autodev.episode.added</c>); <c>candidate.validate</c> (<c>autodev.tenant</c>,
/// <c>autodev.candidate.id</c>, <c>autodev.outcome</c>), the parent of its sandbox executions; <c>mutation.evaluate</c>
/// (<c>autodev.tenant</c>, <c>autodev.mutation.id</c>, <c>autodev.outcome</c>, <c>autodev.mutation.child_wins</c>), the
/// parent of the parent's and the child's sandbox runs;
/// <c>sandbox.execute</c> (tags <c>autodev.tenant</c>, <c>autodev.sandbox.tier</c>, <c>autodev.sandbox.status</c>);
/// <c>skill.promote</c> (<c>autodev.tenant</c>, <c>autodev.proposal.kind</c>, <c>autodev.proposal.id</c>,
/// <c>autodev.skill</c>, <c>autodev.skill.version</c>).
/// Instruments: <c>autodev.sandbox.executions</c> and <c>autodev.sandbox.execution.duration</c> (seconds) by tier and
/// status; <c>autodev.gate.refusals</c> by capability and reason; <c>autodev.chat.calls</c> by purpose and outcome, and
/// <c>autodev.chat.tokens</c> by purpose and <c>gen_ai.token.type</c>. Model calls are also <c>chat</c> spans with the
/// OpenTelemetry gen_ai conventions' attributes and metrics (<c>gen_ai.client.operation.duration</c>,
/// <c>gen_ai.client.token.usage</c>), one per attempt, from Microsoft.Extensions.AI's <c>OpenTelemetryChatClient</c>
/// in AutoDev's chat pipeline.
/// </remarks>
public static class AutoDevTelemetry
{
    /// <summary>The activity source and meter of AutoDev.Core: <c>AutoDev.Core</c>.</summary>
    public const string CoreName = "AutoDev.Core";

    internal static readonly ActivitySource Source = new(CoreName);

    private static readonly Meter Meter = new(CoreName);

    internal static readonly Counter<long> SandboxExecutions =
        Meter.CreateCounter<long>("autodev.sandbox.executions", "{execution}", "Sandbox executions, by tier and status.");

    internal static readonly Histogram<double> SandboxDuration =
        Meter.CreateHistogram<double>("autodev.sandbox.execution.duration", "s", "How long sandbox executions took, by tier and status.");

    internal static readonly Counter<long> GateRefusals =
        Meter.CreateCounter<long>("autodev.gate.refusals", "{refusal}", "Capability gate refusals, by capability and reason.");

    internal static readonly Counter<long> ChatCalls =
        Meter.CreateCounter<long>("autodev.chat.calls", "{call}", "Model calls made for a workspace, by purpose and outcome (success, or the failure kind).");

    internal static readonly Counter<long> ChatTokens =
        Meter.CreateCounter<long>("autodev.chat.tokens", "{token}", "Tokens charged to workspaces' budgets, by purpose and token type (input, output).");

    /// <summary>Counts a recorded model call and the tokens it was charged.</summary>
    internal static void ChatCalled(ChatCallRecord record)
    {
        var purpose = new KeyValuePair<string, object?>("autodev.chat.purpose", record.Purpose);
        ChatCalls.Add(1, purpose, new KeyValuePair<string, object?>("autodev.outcome", record.FailureKind is { } kind ? System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString()) : "success"));
        if (record.InputTokens > 0)
        {
            ChatTokens.Add(record.InputTokens, purpose, new KeyValuePair<string, object?>("gen_ai.token.type", "input"));
        }

        if (record.OutputTokens > 0)
        {
            ChatTokens.Add(record.OutputTokens, purpose, new KeyValuePair<string, object?>("gen_ai.token.type", "output"));
        }
    }

    /// <summary>Starts the span of a promotion of a candidate or a mutation.</summary>
    internal static Activity? StartPromotion(string tenantId, string kind, Guid proposalId) =>
        Source.StartActivity("skill.promote")?
            .SetTag("autodev.tenant", tenantId)
            .SetTag("autodev.proposal.kind", kind)
            .SetTag("autodev.proposal.id", proposalId.ToString());

    /// <summary>Counts a gate refusal.</summary>
    internal static void GateRefused(string capability, GateDenial reason) =>
        GateRefusals.Add(1, new KeyValuePair<string, object?>("autodev.capability", capability), new KeyValuePair<string, object?>("autodev.gate.reason", reason.ToString()));
}
