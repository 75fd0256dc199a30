using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>
/// Runs AlphaEvolver in the host: every <see cref="SkillExecuted"/> goes through <see cref="EvolutionEngine"/>; a
/// mutation it writes runs against its parent in the sandbox at once, and a fitter child waits for review. At start it
/// picks up mutations that were waiting for the sandbox when the host stopped.
/// </summary>
/// <remarks>Registered by <c>AddAutoDev()</c>; off with <see cref="EvolutionOptions.RunEvolutionLoop"/> = false.</remarks>
public sealed class EvolutionLoop(
    IEventBus events,
    EvolutionEngine evolution,
    AlphaEvolverEngine alpha,
    IWorkspaceStore workspaces,
    IToolMutationStore mutations,
    IOptions<EvolutionOptions> options,
    ILogger<EvolutionLoop> logger) : IHostedService, IDisposable
{
    private IDisposable? _subscription;

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.RunEvolutionLoop)
        {
            return;
        }

        _subscription = events.Subscribe<SkillExecuted>(OnSkillExecutedAsync);
        await RecoverAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Interlocked.Exchange(ref _subscription, null)?.Dispose();
    }

    /// <summary>Handles one execution: observe, and run a new mutation in the sandbox.</summary>
    public async ValueTask OnSkillExecutedAsync(SkillExecuted execution, CancellationToken cancellationToken)
    {
        var decision = await evolution.ObserveAsync(execution, cancellationToken).ConfigureAwait(false);
        if (decision is { Action: EvolutionAction.Generated, Mutation: { Status: ToolMutationStatus.Pending } mutation })
        {
            await alpha.SandboxExecuteMutationAsync(mutation.TenantId, mutation.Id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs every mutation of every workspace that waits for the sandbox. Idempotent.</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await foreach (var (tenant, pending) in PendingWork.ByWorkspaceAsync(workspaces, (t, ct) => mutations.ListByStatusAsync(t, ToolMutationStatus.Pending, ct), cancellationToken).ConfigureAwait(false))
        {
            Log.MutationsRecovered(logger, tenant, pending.Count);
            foreach (var mutation in pending)
            {
                await alpha.SandboxExecuteMutationAsync(mutation.TenantId, mutation.Id, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
