using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Polly.CircuitBreaker;

namespace AutoDev;

/// <summary>The names of the health checks <c>AddAutoDevHealthChecks()</c> registers, and the tag they carry.</summary>
public static class AutoDevHealthChecks
{
    /// <summary>The tag of every AutoDev check, for filtering an endpoint: <c>autodev</c>.</summary>
    public const string Tag = "autodev";

    /// <summary>The sandbox tier untrusted code runs in.</summary>
    public const string Sandbox = "autodev-sandbox";

    /// <summary>The stores: reachable, and for a database, with its migrations applied.</summary>
    public const string Store = "autodev-store";

    /// <summary>The model endpoint: configured, circuit closed, last call's outcome. It makes no model call.</summary>
    public const string Model = "autodev-model";
}

/// <summary>How a store provider reports its health to the <see cref="AutoDevHealthChecks.Store"/> check.</summary>
/// <remarks>Register one as a singleton; without one the check reports the in-memory stores.</remarks>
public interface IAutoDevStoreHealth
{
    /// <summary>Whether the stores can be used now; a cheap probe (a connection and the migration history, no scans).</summary>
    Task<HealthCheckResult> CheckAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Healthy when untrusted code runs in bubblewrap or Docker; degraded on the process tier alone; unhealthy when a tier
/// asked for by name, or every tier, is unavailable. It asks <see cref="TieredSandbox.SelectAsync"/>, so it reports the
/// tier AutoDev would use, with the same rules and the same cached availability.
/// </summary>
internal sealed class SandboxHealthCheck(ISandbox sandbox) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (sandbox is not TieredSandbox tiered)
        {
            return HealthCheckResult.Healthy($"The host's own sandbox ({sandbox.Tier}) runs the code; AutoDev cannot check it.");
        }

        var (untrusted, refusal) = await SelectAsync(tiered, SafetyLevel.Medium, cancellationToken).ConfigureAwait(false);
        var trusted = untrusted ?? (refusal is { Tier: "any" } ? (await SelectAsync(tiered, SafetyLevel.Low, cancellationToken).ConfigureAwait(false)).Tier : null);
        var known = tiered.KnownAvailability;
        var data = known.ToDictionary(k => k.Key, k => (object)(k.Value.IsAvailable ? "available" : k.Value.Reason), StringComparer.Ordinal);
        return (untrusted, refusal, trusted) switch
        {
            (_, { Tier: not "any" } required, _) => HealthCheckResult.Unhealthy($"The {required.Tier} tier was asked for and is unavailable: {known[required.Tier].Reason}", data: data),
            ({ Tier: SandboxTiers.Process }, _, _) => HealthCheckResult.Degraded("The process tier runs untrusted code, as the host allowed (SandboxOptions.AllowProcessTierForUntrustedCode): it does not isolate it.", data: data),
            ({ } tier, _, _) => HealthCheckResult.Healthy($"Untrusted code runs in the {tier.Tier} tier.", data),
            (null, _, { Tier: SandboxTiers.Process }) => HealthCheckResult.Degraded("Only the process tier is available: it does not isolate code, so untrusted code is refused unless the host opts in (SandboxOptions.AllowProcessTierForUntrustedCode).", data: data),
            _ => HealthCheckResult.Unhealthy(refusal?.Message ?? "No sandbox tier can run code.", data: data),
        };
    }

    private static async Task<(ISandboxTier? Tier, SandboxUnavailableException? Refusal)> SelectAsync(TieredSandbox sandbox, SafetyLevel level, CancellationToken cancellationToken)
    {
        try
        {
            return (await sandbox.SelectAsync(level, cancellationToken).ConfigureAwait(false), null);
        }
        catch (SandboxUnavailableException ex)
        {
            return (null, ex);
        }
    }
}

/// <summary>Asks the registered <see cref="IAutoDevStoreHealth"/>, or reports the in-memory stores.</summary>
internal sealed class StoreHealthCheck(IEnumerable<IAutoDevStoreHealth> providers) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        providers.LastOrDefault() is { } provider
            ? provider.CheckAsync(cancellationToken)
            : Task.FromResult(HealthCheckResult.Healthy("In-memory stores: everything AutoDev learned is lost when the process ends (add AutoDev.EntityFrameworkCore to keep it)."));
}

/// <summary>
/// Unhealthy while the circuit breaker refuses calls; degraded with no chat client registered, or when the last call
/// failed; healthy otherwise. It reads what the chat pipeline already knows and never calls the model.
/// </summary>
internal sealed class ModelHealthCheck(IServiceProvider services, IChatGateway gateway, ChatPipeline pipeline) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        IChatClient client;
        try
        {
            client = AutoDevChatClient.Resolve(services);
        }
        catch (InvalidOperationException ex)
        {
            return Task.FromResult(HealthCheckResult.Degraded("AutoDev cannot write skills or mutations: " + ex.Message));
        }

        var model = client.GetService<ChatClientMetadata>() is { } metadata ? $"{metadata.ProviderName} {metadata.DefaultModelId}".Trim() : client.GetType().Name;
        if (gateway is not ChatGateway)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"{model}, through the host's own chat gateway."));
        }

        var circuit = pipeline.BuiltClient?.GetService<ResilientChatClient>()?.Circuit ?? CircuitState.Closed;
        var last = pipeline.BuiltClient?.GetService<UsageRecordingChatClient>()?.LastCall;
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["model"] = model, ["circuit"] = circuit.ToString() };
        if (last is not null)
        {
            data["last_call_at"] = last.StartedAt;
            data["last_call_succeeded"] = last.Succeeded;
        }

        return Task.FromResult(circuit switch
        {
            CircuitState.Open or CircuitState.Isolated => HealthCheckResult.Unhealthy($"{model}: the circuit breaker is open after repeated failures ({last?.FailureReason}); calls are refused until it closes.", data: data),
            CircuitState.HalfOpen => HealthCheckResult.Degraded($"{model}: the circuit breaker is trying a call after repeated failures.", data: data),
            _ when last is { Succeeded: false } => HealthCheckResult.Degraded($"{model}: the last call failed after {last.Attempts} attempt(s): {last.FailureReason}", data: data),
            _ => HealthCheckResult.Healthy(last is null ? $"{model}: configured; no call yet." : $"{model}: the last call succeeded.", data),
        });
    }
}
