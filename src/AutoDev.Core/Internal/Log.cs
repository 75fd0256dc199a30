using Microsoft.Extensions.Logging;

namespace AutoDev;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Error, "A handler of {EventType} threw; the other handlers still ran.")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string eventType);

    [LoggerMessage(2, LogLevel.Warning, "The event bus was stopped before it drained; {Count} queued events were dropped.")]
    public static partial void EventsDropped(ILogger logger, int count);

    [LoggerMessage(3, LogLevel.Information, "Agent {AgentId} of workspace {TenantId} graduated from {From} to {To}.")]
    public static partial void AgentGraduated(ILogger logger, string tenantId, string agentId, AgentMaturity from, AgentMaturity to);

    [LoggerMessage(4, LogLevel.Debug, "Gate for {Capability} of agent {AgentId} in workspace {TenantId}: {Decision}.")]
    public static partial void GateDecided(ILogger logger, string tenantId, string agentId, string capability, GateDenial decision);
}
