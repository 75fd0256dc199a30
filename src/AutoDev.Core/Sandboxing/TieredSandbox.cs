using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoDev.Sandboxing;

/// <summary>
/// The <see cref="ISandbox"/> <c>AddAutoDev()</c> registers: it runs each request in the strongest available
/// <see cref="ISandboxTier"/> (Docker, then bubblewrap, then process) and never runs MEDIUM or HIGH safety code in the
/// process tier unless the host opted in with <see cref="SandboxOptions.AllowProcessTierForUntrustedCode"/>.
/// </summary>
/// <remarks>Thread-safe. Availability is checked once per tier; a tier found unavailable is checked again after a minute.</remarks>
public sealed class TieredSandbox : ISandbox, IDisposable
{
    private static readonly TimeSpan RecheckAfter = TimeSpan.FromMinutes(1);
    private readonly ISandboxTier[] _tiers;
    private readonly SandboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ISandboxTier, (SandboxAvailability Availability, DateTimeOffset CheckedAt)> _availability = new();
    private readonly SemaphoreSlim _checking = new(1, 1);

    /// <summary>Creates the selector over the registered tiers.</summary>
    public TieredSandbox(IEnumerable<ISandboxTier> tiers, IOptions<SandboxOptions> options, TimeProvider time, ILogger<TieredSandbox> logger)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _tiers = [.. tiers.Where(t => !_options.DisabledTiers.Contains(t.Tier)).OrderByDescending(t => t.Strength)];
        _time = time;
        _logger = logger;
    }

    /// <summary>The name of the tier that would run MEDIUM safety code now, or of the strongest tier when none is chosen yet.</summary>
    public string Tier => _tiers.Length > 0 ? _tiers[0].Tier : "none";

    /// <summary>The tier that runs requests of <paramref name="safetyLevel"/> on this machine.</summary>
    /// <exception cref="SandboxUnavailableException">No allowed tier is available (the message lists why each is not), or a stronger tier that forbids falling back (<see cref="SandboxAvailability.FallbackAllowed"/>) is unavailable.</exception>
    public async ValueTask<ISandboxTier> SelectAsync(SafetyLevel safetyLevel, CancellationToken cancellationToken)
    {
        var reasons = new List<string>();
        foreach (var tier in _tiers)
        {
            if (tier.Tier == SandboxTiers.Process && safetyLevel != SafetyLevel.Low && !_options.AllowProcessTierForUntrustedCode)
            {
                reasons.Add("process: refused for MEDIUM and HIGH safety code (set SandboxOptions.AllowProcessTierForUntrustedCode to allow it)");
                continue;
            }

            var availability = await AvailabilityAsync(tier, cancellationToken).ConfigureAwait(false);
            if (availability.IsAvailable)
            {
                return tier;
            }

            if (!availability.FallbackAllowed)
            {
                throw new SandboxUnavailableException(tier.Tier, availability.Reason);
            }

            reasons.Add($"{tier.Tier}: {availability.Reason}");
        }

        throw new SandboxUnavailableException("any", $"no sandbox tier can run {safetyLevel.ToString().ToUpperInvariant()} safety code here. " + string.Join(" ", reasons));
    }

    /// <inheritdoc/>
    public async Task<SandboxResult> ExecuteAsync(SandboxRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var activity = AutoDevTelemetry.Source.StartActivity("sandbox.execute");
        activity?.SetTag("autodev.tenant", request.TenantId);
        var tier = await SelectAsync(request.SafetyLevel, cancellationToken).ConfigureAwait(false);
        var started = _time.GetTimestamp();
        var result = await tier.ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
        var tags = new TagList { { "autodev.sandbox.tier", tier.Tier }, { "autodev.sandbox.status", result.Status.ToString() } };
        AutoDevTelemetry.SandboxExecutions.Add(1, tags);
        AutoDevTelemetry.SandboxDuration.Record(_time.GetElapsedTime(started).TotalSeconds, tags);
        activity?.SetTag("autodev.sandbox.tier", tier.Tier).SetTag("autodev.sandbox.status", result.Status.ToString());
        return result;
    }

    /// <inheritdoc/>
    public void Dispose() => _checking.Dispose();

    /// <summary>What each tier checked so far answered, by tier name: what <see cref="SelectAsync"/> decides on.</summary>
    internal IReadOnlyDictionary<string, SandboxAvailability> KnownAvailability =>
        _availability.ToDictionary(a => a.Key.Tier, a => a.Value.Availability, StringComparer.Ordinal);

    private async ValueTask<SandboxAvailability> AvailabilityAsync(ISandboxTier tier, CancellationToken cancellationToken)
    {
        // The hot path reads the cache without a lock; only a miss (or a stale "unavailable") checks, one at a time.
        if (Cached(tier) is { } cached)
        {
            return cached;
        }

        await _checking.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Cached(tier) is { } known)
            {
                return known;
            }

            var now = _time.GetUtcNow();

            var availability = await tier.CheckAvailabilityAsync(cancellationToken).ConfigureAwait(false);
            _availability[tier] = (availability, now);
            if (availability.IsAvailable)
            {
                Log.TierSelected(_logger, tier.Tier);
            }
            else
            {
                Log.TierUnavailable(_logger, tier.Tier, availability.Reason);
            }

            return availability;
        }
        finally
        {
            _checking.Release();
        }
    }

    private SandboxAvailability? Cached(ISandboxTier tier) =>
        _availability.TryGetValue(tier, out var known) && (known.Availability.IsAvailable || _time.GetUtcNow() - known.CheckedAt < RecheckAfter)
            ? known.Availability
            : null;
}
