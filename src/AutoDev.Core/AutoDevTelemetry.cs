using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace AutoDev;

/// <summary>
/// The names under which AutoDev.Core reports traces and metrics, for a host's OpenTelemetry set-up:
/// <c>tracing.AddSource(AutoDevTelemetry.CoreName)</c>, <c>metrics.AddMeter(AutoDevTelemetry.CoreName)</c>, or
/// <c>AddAutoDevInstrumentation()</c> from the AutoDev.OpenTelemetry package.
/// </summary>
/// <remarks>
/// <para>
/// Spans, each tagged <c>autodev.tenant</c>: <c>episode.record</c> (agent, episode, outcome, whether it was added);
/// <c>event.dispatch</c> (an event handled from the channel, in the trace of the code that published it);
/// <c>reflection.decide</c> (agent, episode, the decision as outcome, the pattern's failures);
/// <c>candidate.generate</c> and <c>mutation.generate</c> (agent, skill, the proposal's id and status), whose
/// children are the model calls; <c>candidate.validate</c> and <c>mutation.evaluate</c>, whose children are the
/// sandbox executions; <c>review.decide</c> (proposal kind and id, the decision), linked to the trace that generated
/// the proposal and the parent of an approval's <c>skill.promote</c> (proposal, skill, version); <c>research.iterate</c> (skill, iteration, children, outcome);
/// <c>signal.record</c> (a webhook's delayed fitness signals for a variant); <c>skill.run</c> (skill, version, agent,
/// outcome), whose children are its execution and what the run starts (a mutation); <c>sandbox.execute</c> (tier, status).
/// Model calls are <c>chat</c> spans with the OpenTelemetry gen_ai conventions' attributes (operation, model, input
/// and output tokens), one per attempt, from Microsoft.Extensions.AI's <c>OpenTelemetryChatClient</c> in AutoDev's
/// chat pipeline, with its <c>gen_ai.client.operation.duration</c> and <c>gen_ai.client.token.usage</c> metrics.
/// </para>
/// <para>
/// Instruments: <c>autodev.sandbox.executions</c> and <c>autodev.sandbox.execution.duration</c> (s) by tier and status;
/// <c>autodev.sandbox.warm_workers</c> (idle, by tier); <c>autodev.gate.refusals</c> by capability and reason;
/// <c>autodev.proposal.transitions</c> by kind, from and to; <c>autodev.chat.calls</c> by purpose and outcome (success
/// or the failure kind) and <c>autodev.chat.tokens</c> by purpose and <c>gen_ai.token.type</c>; the gauges
/// <c>autodev.workspace.tokens.used</c> and <c>.budget</c>, <c>autodev.workspace.capability.used</c> and <c>.limit</c>
/// per workspace (as this process last read or counted them today); <c>autodev.events.queued</c> and
/// <c>autodev.events.handler_failures</c> by event type.
/// </para>
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

    internal static readonly Counter<long> ProposalTransitions =
        Meter.CreateCounter<long>("autodev.proposal.transitions", "{transition}", "Status changes of skill candidates and tool mutations, by kind, from and to.");

    internal static readonly Counter<long> HandlerFailures =
        Meter.CreateCounter<long>("autodev.events.handler_failures", "{failure}", "Event handlers that threw, by event type; the other handlers still ran.");

    private static readonly ConditionalWeakTable<EventBus, object?> Buses = [];
    private static readonly ConditionalWeakTable<WarmPool, object?> Pools = [];
    private static readonly ConditionalWeakTable<WorkspaceUsage, object?> Usages = [];

    private static readonly ObservableGauge<long> QueuedEvents = Meter.CreateObservableGauge(
        "autodev.events.queued", () => Buses.Sum(b => (long)b.Key.Queued), "{event}", "Events waiting in the event bus's channel.");

    private static readonly ObservableGauge<long> WarmWorkers = Meter.CreateObservableGauge(
        "autodev.sandbox.warm_workers",
        () => Pools.GroupBy(p => p.Key.Tier).Select(g => new Measurement<long>(g.Sum(p => (long)p.Key.IdleTotal), new KeyValuePair<string, object?>("autodev.sandbox.tier", g.Key))),
        "{worker}",
        "Started sandbox workers waiting idle, by tier.");

    private static readonly ObservableGauge<long> TokensUsed = Meter.CreateObservableGauge(
        "autodev.workspace.tokens.used", () => Usages.SelectMany(u => u.Key.Tokens()), "{token}", "Tokens a workspace's model calls used today (UTC), as this process last read or charged them.");

    private static readonly ObservableGauge<long> TokenBudgets = Meter.CreateObservableGauge(
        "autodev.workspace.tokens.budget", () => Usages.SelectMany(u => u.Key.Budgets()), "{token}", "A workspace's daily token budget, as this process last read it.");

    private static readonly ObservableGauge<long> CapabilityUses = Meter.CreateObservableGauge(
        "autodev.workspace.capability.used", () => Usages.SelectMany(u => u.Key.Uses()), "{use}", "Uses of a capability counted against its daily limit today, by workspace and capability, as this process last counted them.");

    private static readonly ObservableGauge<long> CapabilityLimits = Meter.CreateObservableGauge(
        "autodev.workspace.capability.limit", () => Usages.SelectMany(u => u.Key.Limits()), "{use}", "The daily limit of a capability, by workspace and capability.");

    /// <summary>Makes an event bus's queue depth observable.</summary>
    internal static void Observe(EventBus bus) => Buses.AddOrUpdate(bus, null);

    /// <summary>Makes a warm pool's idle workers observable, until it is disposed.</summary>
    internal static void Observe(WarmPool pool) => Pools.AddOrUpdate(pool, null);

    /// <summary>Stops observing a disposed pool.</summary>
    internal static void Forget(WarmPool pool) => Pools.Remove(pool);

    /// <summary>Makes what a gate and a budget know of workspaces' usage observable.</summary>
    internal static void Observe(WorkspaceUsage usage) => Usages.AddOrUpdate(usage, null);

    /// <summary>Counts a status change of a candidate or a mutation.</summary>
    internal static void ProposalMoved<TStatus>(string kind, TStatus from, TStatus to)
        where TStatus : struct, Enum =>
        ProposalTransitions.Add(
            1,
            new KeyValuePair<string, object?>("autodev.proposal.kind", kind),
            new KeyValuePair<string, object?>("autodev.status.from", from.ToString()),
            new KeyValuePair<string, object?>("autodev.status.to", to.ToString()));

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

    /// <summary>Starts a span of AutoDev.Core for a workspace.</summary>
    internal static Activity? Start(string name, string tenantId) =>
        Source.StartActivity(name)?.SetTag("autodev.tenant", tenantId);

    /// <summary>
    /// Marks <paramref name="activity"/> as failed by <paramref name="exception"/> (status Error, <c>error.type</c> its
    /// type; not its message, which may quote what a model wrote) and returns <see langword="false"/>, for an exception
    /// filter that records without catching: <c>catch (Exception ex) when (AutoDevTelemetry.Failed(activity, ex))</c>.
    /// </summary>
    internal static bool Failed(Activity? activity, Exception exception)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name).SetTag("error.type", exception.GetType().FullName);
        return false;
    }

    /// <summary>The current span's W3C <c>traceparent</c>, if a span is being recorded.</summary>
    internal static string? CurrentTraceParent => Activity.Current is { IdFormat: ActivityIdFormat.W3C, Recorded: true } current ? current.Id : null;

    /// <summary>Links <paramref name="activity"/> to the trace in which <paramref name="proposal"/> was generated.</summary>
    internal static void LinkToGeneration(Activity? activity, Proposal proposal)
    {
        if (activity is not null && proposal.TraceParent is { } traceParent && ActivityContext.TryParse(traceParent, null, out var generated))
        {
            activity.AddLink(new ActivityLink(generated));
        }
    }

    /// <summary>Starts the span of a reviewer's decision on a candidate or a mutation; an approval's child is its <c>skill.promote</c>.</summary>
    internal static Activity? StartReview(string tenantId, string kind, Guid proposalId, ReviewDecision decision) =>
        Start("review.decide", tenantId)?
            .SetTag("autodev.proposal.kind", kind)
            .SetTag("autodev.proposal.id", proposalId.ToString())
            .SetTag("autodev.review.decision", decision.ToString());

    /// <summary>Starts the span of a promotion of a candidate or a mutation.</summary>
    internal static Activity? StartPromotion(string tenantId, string kind, Guid proposalId) =>
        Start("skill.promote", tenantId)?
            .SetTag("autodev.proposal.kind", kind)
            .SetTag("autodev.proposal.id", proposalId.ToString());

    /// <summary>Counts a gate refusal.</summary>
    internal static void GateRefused(string capability, GateDenial reason) =>
        GateRefusals.Add(1, new KeyValuePair<string, object?>("autodev.capability", capability), new KeyValuePair<string, object?>("autodev.gate.reason", reason.ToString()));
}
