using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>The default <see cref="ICapabilityGate"/>: DESIGN §5's maturity matrix, the workspace switches, custom capabilities from options, and limits through <see cref="ICapabilityUsageStore"/>.</summary>
internal sealed class CapabilityGate : ICapabilityGate
{
    private const int GraduationAttempts = 3;
    private readonly WorkspaceUsage? _observed;
    private readonly IAgentProfileStore _agents;
    private readonly IWorkspaceStore _workspaces;
    private readonly ICapabilityUsageStore _usage;
    private readonly TokenBudget _budget;
    private readonly IEventBus _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IReadOnlyDictionary<string, AgentMaturity> _custom;
    private readonly TimeSpan _lease;

    /// <summary>Creates the gate.</summary>
    public CapabilityGate(
        IAgentProfileStore agents,
        IWorkspaceStore workspaces,
        ICapabilityUsageStore usage,
        TokenBudget budget,
        IEventBus events,
        TimeProvider time,
        IOptions<AutoDevOptions> options,
        ILogger<CapabilityGate> logger,
        WorkspaceUsage? observed = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _observed = observed;
        _agents = agents;
        _workspaces = workspaces;
        _usage = usage;
        _budget = budget;
        _events = events;
        _time = time;
        _logger = logger;
        _custom = new Dictionary<string, AgentMaturity>(options.Value.CustomCapabilities, StringComparer.Ordinal);
        _lease = options.Value.ReservationLease;
    }

    /// <inheritdoc/>
    public GateDecision CanUse(AgentProfile agent, string capability, WorkspaceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(capability);
        ArgumentNullException.ThrowIfNull(settings);
        if (MinimumMaturity(capability) is not { } minimum)
        {
            return new GateDecision(capability, GateDenial.UnknownCapability);
        }

        if (!settings.Enabled)
        {
            return new GateDecision(capability, GateDenial.WorkspaceDisabled, minimum);
        }

        var switchedOn = capability switch
        {
            CapabilityNames.MementoSkills => settings.MementoSkills,
            CapabilityNames.AlphaEvolver => settings.AlphaEvolver,
            CapabilityNames.BackgroundEvolution => settings.BackgroundEvolution,
            _ => true,
        };
        if (!switchedOn)
        {
            return new GateDecision(capability, GateDenial.CapabilityDisabled, minimum);
        }

        if (!Enum.IsDefined(agent.Maturity))
        {
            return new GateDecision(capability, GateDenial.InvalidMaturity, minimum) { CurrentMaturity = agent.Maturity };
        }

        return agent.Maturity < minimum
            ? new GateDecision(capability, GateDenial.MaturityTooLow, minimum) { CurrentMaturity = agent.Maturity, Readiness = GraduationReadiness.Evaluate(agent) }
            : new GateDecision(capability, GateDenial.None, minimum) { CurrentMaturity = agent.Maturity };
    }

    /// <inheritdoc/>
    public async ValueTask<GateDecision> CheckAsync(string tenantId, string agentId, string capability, CancellationToken cancellationToken = default)
    {
        var (decision, limit, scope, day, settings) = await DecideAsync(tenantId, agentId, capability, cancellationToken).ConfigureAwait(false);
        if (decision.IsAllowed && limit < int.MaxValue)
        {
            var used = await _usage.CountAsync(tenantId, capability, scope, day, cancellationToken).ConfigureAwait(false);
            _observed?.UsesCounted(tenantId, capability, scope, used, limit);
            decision = used >= limit
                ? new GateDecision(capability, GateDenial.DailyLimitReached, decision.RequiredMaturity, limit) { CurrentMaturity = decision.CurrentMaturity, Used = used }
                : decision with { Used = used, Limit = limit };
        }

        if (decision.IsAllowed && CallsTheModel(capability))
        {
            var budget = await _budget.GetAsync(tenantId, settings, cancellationToken).ConfigureAwait(false);
            decision = budget.IsExhausted
                ? new GateDecision(capability, GateDenial.TokenBudgetSpent, decision.RequiredMaturity, decision.Limit) { CurrentMaturity = decision.CurrentMaturity, Used = decision.Used, TokenBudget = budget }
                : decision with { TokenBudget = budget };
        }

        if (decision.IsAllowed)
        {
            Log.GateDecided(_logger, tenantId, agentId, capability, decision.Denial);
        }
        else
        {
            Log.GateRefused(_logger, tenantId, agentId, capability, decision.Denial, decision.Reason);
            AutoDevTelemetry.GateRefused(capability, decision.Denial);
        }

        return decision;
    }

    /// <inheritdoc/>
    public async ValueTask<CapabilityReservation> ReserveAsync(string tenantId, string agentId, string capability, CancellationToken cancellationToken = default)
    {
        var (decision, limit, scope, day, _) = await DecideAsync(tenantId, agentId, capability, cancellationToken).ConfigureAwait(false);
        if (!decision.IsAllowed)
        {
            Log.GateRefused(_logger, tenantId, agentId, capability, decision.Denial, decision.Reason);
            AutoDevTelemetry.GateRefused(capability, decision.Denial);
            throw new CapabilityDeniedException(decision);
        }

        var now = _time.GetUtcNow();
        var usage = new CapabilityUsage
        {
            TenantId = tenantId,
            AgentId = scope,
            Capability = capability,
            Day = day,
            CreatedAt = now,
            ExpiresAt = now + _lease,
        };
        if (!await _usage.TryReserveAsync(usage, limit, cancellationToken).ConfigureAwait(false))
        {
            Log.GateRefused(_logger, tenantId, agentId, capability, GateDenial.DailyLimitReached, $"the daily limit of {limit} is used up");
            AutoDevTelemetry.GateRefused(capability, GateDenial.DailyLimitReached);
            throw new LimitExceededException(capability, scope is null ? $"workspace '{tenantId}'" : $"agent '{agentId}'", limit);
        }

        if (limit < int.MaxValue)
        {
            _observed?.UseReserved(tenantId, capability, scope, limit);
        }

        return new CapabilityReservation(_usage, usage);
    }

    /// <inheritdoc/>
    public async ValueTask RecordUsageAsync(string tenantId, string agentId, string capability, CancellationToken cancellationToken = default)
    {
        var reservation = await ReserveAsync(tenantId, agentId, capability, cancellationToken).ConfigureAwait(false);
        await reservation.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<GraduationResult> TryGraduateAsync(string tenantId, string agentId, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var agent = await FindAgentAsync(tenantId, agentId, cancellationToken).ConfigureAwait(false);
            var previous = agent.Maturity;
            var graduated = agent;
            var readiness = GraduationReadiness.Evaluate(graduated);
            while (readiness.IsReady && readiness.Next is { } next)
            {
                graduated = graduated with { Maturity = next };
                readiness = GraduationReadiness.Evaluate(graduated);
            }

            if (graduated.Maturity == previous)
            {
                return new GraduationResult(agent, previous, readiness, []);
            }

            try
            {
                graduated = await _agents.UpdateAsync(graduated, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException) when (attempt < GraduationAttempts)
            {
                continue;
            }

            Log.AgentGraduated(_logger, tenantId, agentId, previous, graduated.Maturity);
            var unlocked = await PublishUnlocksAsync(graduated, previous, cancellationToken).ConfigureAwait(false);
            return new GraduationResult(graduated, previous, readiness, unlocked);
        }
    }

    private async ValueTask<List<CapabilityUnlocked>> PublishUnlocksAsync(AgentProfile agent, AgentMaturity previous, CancellationToken cancellationToken)
    {
        var settings = await _workspaces.GetSettingsAsync(agent.TenantId, cancellationToken).ConfigureAwait(false);
        var unlocked = new List<CapabilityUnlocked>();
        foreach (var capability in AllCapabilities())
        {
            var minimum = MinimumMaturity(capability)!.Value;
            if (minimum <= previous || minimum > agent.Maturity)
            {
                continue;
            }

            var decision = CanUse(agent, capability, settings);
            var notification = new CapabilityUnlocked
            {
                TenantId = agent.TenantId,
                AgentId = agent.AgentId,
                Capability = capability,
                Maturity = agent.Maturity,
                OccurredAt = _time.GetUtcNow(),
                ActionRequired = !decision.IsAllowed,
                Message = decision.IsAllowed
                    ? $"Agent '{agent.AgentId}' reached {agent.Maturity.ToString().ToUpperInvariant()} and can now use '{capability}'."
                    : $"Agent '{agent.AgentId}' reached {agent.Maturity.ToString().ToUpperInvariant()} and qualifies for '{capability}'; {decision.Reason}",
            };
            unlocked.Add(notification);
            await _events.PublishAsync(notification, cancellationToken).ConfigureAwait(false);
        }

        return unlocked;
    }

    private async ValueTask<(GateDecision Decision, int Limit, string? Scope, DateOnly Day, WorkspaceSettings Settings)> DecideAsync(
        string tenantId, string agentId, string capability, CancellationToken cancellationToken)
    {
        var agent = await FindAgentOrNullAsync(tenantId, agentId, cancellationToken).ConfigureAwait(false)
            ?? new AgentProfile { TenantId = tenantId, AgentId = agentId };
        var settings = await _workspaces.GetSettingsAsync(tenantId, cancellationToken).ConfigureAwait(false);
        var decision = CanUse(agent, capability, settings);
        var (limit, perAgent) = LimitOf(capability, settings);
        return (decision, limit, perAgent ? agentId : null, Today(), settings);
    }

    /// <inheritdoc/>
    public async ValueTask<CapabilityUse> GetUseTodayAsync(string tenantId, string? agentId, string capability, CancellationToken cancellationToken = default)
    {
        Internal.Guard.Id(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(capability);
        var settings = await _workspaces.GetSettingsAsync(tenantId, cancellationToken).ConfigureAwait(false);
        var (limit, perAgent) = LimitOf(capability, settings);
        if (perAgent && agentId is null)
        {
            throw new ArgumentException($"'{capability}' is counted per agent: name the agent.", nameof(agentId));
        }

        var used = await _usage.CountAsync(tenantId, capability, perAgent ? agentId : null, Today(), cancellationToken).ConfigureAwait(false);
        return new CapabilityUse(capability, used, limit == int.MaxValue ? null : limit);
    }

    /// <summary>A capability's daily limit, and whether it counts each agent's uses or the whole workspace's.</summary>
    private static (int Limit, bool PerAgent) LimitOf(string capability, WorkspaceSettings settings) => capability switch
    {
        CapabilityNames.MementoSkills => (settings.MaxSkillCandidatesPerDay, true),
        CapabilityNames.AlphaEvolver => (settings.MaxMutationsPerDay, false),
        _ => (int.MaxValue, true),
    };

    private DateOnly Today() => DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);

    private async ValueTask<AgentProfile> FindAgentAsync(string tenantId, string agentId, CancellationToken cancellationToken) =>
        await FindAgentOrNullAsync(tenantId, agentId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(AgentProfile), tenantId, agentId);

    /// <summary>The agent's profile; an agent that has not recorded an episode yet is a STUDENT with no counters.</summary>
    private async ValueTask<AgentProfile?> FindAgentOrNullAsync(string tenantId, string agentId, CancellationToken cancellationToken)
    {
        Internal.Guard.Id(tenantId);
        Internal.Guard.Id(agentId);
        return await _agents.FindAsync(tenantId, agentId, cancellationToken).ConfigureAwait(false);
    }

    private static bool CallsTheModel(string capability) =>
        capability is CapabilityNames.MementoSkills or CapabilityNames.AlphaEvolver or CapabilityNames.BackgroundEvolution;

    private AgentMaturity? MinimumMaturity(string capability) =>
        CapabilityNames.BuiltInMinimumMaturity(capability) ?? (_custom.TryGetValue(capability, out var m) ? m : null);

    private IEnumerable<string> AllCapabilities() =>
        new[] { CapabilityNames.MementoSkills, CapabilityNames.AlphaEvolver, CapabilityNames.BackgroundEvolution }.Concat(_custom.Keys);
}
