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
    // One entry per workspace (and capability), updated in place: the gate's hot path allocates nothing.
    private readonly ConcurrentDictionary<string, Usage> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Tenant, string Capability, string? Agent), Usage> _uses = new();
    private readonly TimeProvider _time;

    public WorkspaceUsage(TimeProvider time)
    {
        _time = time;
        AutoDevTelemetry.Observe(this);
    }

    private DateOnly Today => DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);

    /// <summary>Today's tokens and budget as just read from the store.</summary>
    public void TokensRead(string tenantId, long used, long budget) =>
        _tokens.GetOrAdd(tenantId, static _ => new Usage()).Set(Today, used, budget);

    /// <summary>A call just charged <paramref name="tokens"/> to the workspace.</summary>
    public void TokensCharged(string tenantId, long tokens) =>
        _tokens.GetOrAdd(tenantId, static _ => new Usage()).Add(Today, tokens);

    /// <summary>Today's uses of a capability (the workspace's, or one agent's when the limit is per agent) and its limit, as just counted by the gate.</summary>
    public void UsesCounted(string tenantId, string capability, string? agentId, long used, long limit) =>
        _uses.GetOrAdd((tenantId, capability, agentId), static _ => new Usage()).Set(Today, used, limit);

    /// <summary>The gate just reserved one more use.</summary>
    public void UseReserved(string tenantId, string capability, string? agentId, long limit) =>
        _uses.GetOrAdd((tenantId, capability, agentId), static _ => new Usage()).Add(Today, 1, limit);

    public IEnumerable<Measurement<long>> Tokens() => Current(_tokens, static u => u.Used, static k => [new("autodev.tenant", k)]);

    public IEnumerable<Measurement<long>> Budgets() => Current(_tokens, static u => u.Bound, static k => [new("autodev.tenant", k)]);

    public IEnumerable<Measurement<long>> Uses() => Current(_uses, static u => u.Used, CapabilityTags);

    public IEnumerable<Measurement<long>> Limits() => Current(_uses, static u => u.Bound, CapabilityTags);

    private static KeyValuePair<string, object?>[] CapabilityTags((string Tenant, string Capability, string? Agent) key) => key.Agent is null
        ? [new("autodev.tenant", key.Tenant), new("autodev.capability", key.Capability)]
        : [new("autodev.tenant", key.Tenant), new("autodev.capability", key.Capability), new("autodev.agent", key.Agent)];

    private IEnumerable<Measurement<long>> Current<TKey>(ConcurrentDictionary<TKey, Usage> values, Func<Usage, long> pick, Func<TKey, KeyValuePair<string, object?>[]> tags)
        where TKey : notnull
    {
        var today = Today;
        foreach (var (key, usage) in values)
        {
            if (usage.Read(today, pick) is { } value)
            {
                yield return new Measurement<long>(value, tags(key));
            }
        }
    }

    /// <summary>A day's use against its bound (a budget or a limit; 0 when not read yet).</summary>
    private sealed class Usage
    {
        private readonly Lock _lock = new();
        private DateOnly _day;
        private long _used;
        private long _bound;

        public long Used => _used;

        public long Bound => _bound;

        public void Set(DateOnly day, long used, long bound)
        {
            lock (_lock)
            {
                (_day, _used, _bound) = (day, used, bound);
            }
        }

        public void Add(DateOnly day, long amount, long? bound = null)
        {
            lock (_lock)
            {
                _used = _day == day ? _used + amount : amount;
                _day = day;
                _bound = bound ?? _bound;
            }
        }

        /// <summary>The value <paramref name="pick"/> reads, if it is of <paramref name="today"/>.</summary>
        public long? Read(DateOnly today, Func<Usage, long> pick)
        {
            lock (_lock)
            {
                return _day == today ? pick(this) : null;
            }
        }
    }
}
