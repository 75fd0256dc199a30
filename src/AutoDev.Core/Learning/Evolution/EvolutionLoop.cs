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
    ILogger<EvolutionLoop> logger) : LearningLoop<SkillExecuted>(events)
{
    /// <inheritdoc/>
    protected override bool IsEnabled => options.Value.RunEvolutionLoop;

    /// <summary>Handles one execution: observe, and run a new mutation in the sandbox.</summary>
    public override async ValueTask HandleAsync(SkillExecuted execution, CancellationToken cancellationToken)
    {
        var decision = await evolution.ObserveAsync(execution, cancellationToken).ConfigureAwait(false);
        if (decision is { Action: EvolutionAction.Generated, Mutation: { Status: ToolMutationStatus.Pending } mutation })
        {
            await alpha.SandboxExecuteMutationAsync(mutation.TenantId, mutation.Id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs every mutation of every workspace that waits for the sandbox. Idempotent.</summary>
    public override async Task RecoverAsync(CancellationToken cancellationToken)
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
