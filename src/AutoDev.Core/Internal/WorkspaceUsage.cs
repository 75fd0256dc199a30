using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace AutoDev.Internal;

/// <summary>
/// What this process last read or charged of each workspace's daily usage, for the observable gauges: tokens against
/// the budget, and uses of each capability against its daily limit. Written by <see cref="TokenBudget"/>,
/// <see cref="UsageRecordingChatClient"/> and the capability gate as they work; it never reads a store itself (a
/// gauge's callback must be cheap), so a value is as fresh as the last call that touched it. A value of an earlier
/// day is not reported.
/// </summary>
internal sealed class WorkspaceUsage
{
    private readonly ConcurrentDictionary<string, (DateOnly Day, long Used, long Budget)> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Tenant, string Capability, string? Agent), (DateOnly Day, long Used, long Limit)> _uses = new();
    private readonly TimeProvider _time;

    public WorkspaceUsage(TimeProvider time)
    {
        _time = time;
        AutoDevTelemetry.Observe(this);
    }

    private DateOnly Today => DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);

    /// <summary>Today's tokens and budget as just read from the store.</summary>
    public void TokensRead(string tenantId, long used, long budget) => _tokens[tenantId] = (Today, used, budget);

    /// <summary>A call just charged <paramref name="tokens"/> to the workspace.</summary>
    public void TokensCharged(string tenantId, long tokens)
    {
        var today = Today;
        _tokens.AddOrUpdate(tenantId, (today, tokens, 0), (_, old) => old.Day == today ? old with { Used = old.Used + tokens } : (today, tokens, old.Budget));
    }

    /// <summary>Today's uses of a capability (the workspace's, or one agent's when the limit is per agent) and its limit, as just counted by the gate.</summary>
    public void UsesCounted(string tenantId, string capability, string? agentId, long used, long limit) => _uses[(tenantId, capability, agentId)] = (Today, used, limit);

    /// <summary>The gate just reserved one more use.</summary>
    public void UseReserved(string tenantId, string capability, string? agentId, long limit)
    {
        var today = Today;
        _uses.AddOrUpdate((tenantId, capability, agentId), (today, 1, limit), (_, old) => old.Day == today ? (today, old.Used + 1, limit) : (today, 1, limit));
    }

    public IEnumerable<Measurement<long>> Tokens() => Current(_tokens, t => (t.Day, t.Used), static k => [new("autodev.tenant", k)]);

    public IEnumerable<Measurement<long>> Budgets() => Current(_tokens, t => (t.Day, t.Budget), static k => [new("autodev.tenant", k)]);

    public IEnumerable<Measurement<long>> Uses() => Current(_uses, u => (u.Day, u.Used), CapabilityTags);

    public IEnumerable<Measurement<long>> Limits() => Current(_uses, u => (u.Day, u.Limit), CapabilityTags);

    private static KeyValuePair<string, object?>[] CapabilityTags((string Tenant, string Capability, string? Agent) key) => key.Agent is null
        ? [new("autodev.tenant", key.Tenant), new("autodev.capability", key.Capability)]
        : [new("autodev.tenant", key.Tenant), new("autodev.capability", key.Capability), new("autodev.agent", key.Agent)];

    private IEnumerable<Measurement<long>> Current<TKey, TValue>(ConcurrentDictionary<TKey, TValue> values, Func<TValue, (DateOnly Day, long Value)> pick, Func<TKey, KeyValuePair<string, object?>[]> tags)
        where TKey : notnull
    {
        var today = Today;
        foreach (var (key, value) in values)
        {
            if (pick(value) is { Day: var day, Value: var measured } && day == today)
            {
                yield return new Measurement<long>(measured, tags(key));
            }
        }
    }
}
