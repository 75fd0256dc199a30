using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>
/// Runs AlphaEvolver in the host: every <see cref="SkillExecuted"/> goes through <see cref="MutationTriggerDetector"/>; a
/// mutation it writes runs against its parent in the sandbox at once, and a fitter child waits for review. At start it
/// picks up mutations that were waiting for the sandbox when the host stopped.
/// </summary>
/// <remarks>
/// With the default channel dispatch, a new mutation's sandbox run happens on the loop's own worker, one at a time,
/// so a slow skill's evaluation never holds up the event bus; with inline dispatch it happens on the publisher's call.
/// A mutation still queued when the host stops stays pending and is picked up at the next start. Registered by
/// <c>AddAutoDev()</c>; off with <see cref="EvolutionOptions.RunEvolutionLoop"/> = false.
/// </remarks>
public sealed class EvolutionLoop(
    IEventBus events,
    MutationTriggerDetector evolution,
    AlphaEvolverEngine alpha,
    IWorkspaceStore workspaces,
    IToolMutationStore mutations,
    IOptions<EvolutionOptions> options,
    IOptions<AutoDevOptions> autodev,
    ILogger<EvolutionLoop> logger) : LearningLoop<SkillExecuted>(events)
{
    private readonly Channel<ToolMutation> _evaluations = Channel.CreateUnbounded<ToolMutation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private Task? _worker;

    /// <inheritdoc/>
    protected override bool IsEnabled => options.Value.RunEvolutionLoop;

    /// <summary>Handles one execution: observe, and run a new mutation in the sandbox (on the loop's worker, unless events are dispatched inline).</summary>
    public override async ValueTask HandleAsync(SkillExecuted execution, CancellationToken cancellationToken)
    {
        var decision = await evolution.ObserveAsync(execution, cancellationToken).ConfigureAwait(false);
        if (decision is not { Action: EvolutionAction.Generated, Mutation: { Status: ToolMutationStatus.Pending } mutation })
        {
            return;
        }

        if (autodev.Value.EventDispatchMode == EventDispatchMode.Inline)
        {
            await alpha.SandboxExecuteMutationAsync(mutation.TenantId, mutation.Id, cancellationToken).ConfigureAwait(false);
            return;
        }

        lock (_evaluations)
        {
            _worker ??= Task.Run(EvaluateQueuedAsync, CancellationToken.None);
        }

        _evaluations.Writer.TryWrite(mutation);
    }

    /// <summary>Stops taking executions, then lets the mutation being evaluated finish or cancels it with <paramref name="cancellationToken"/>; queued ones stay pending for the next start.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        _evaluations.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _worker) is { } worker)
        {
            await worker.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _evaluations.Writer.TryComplete();
            _stopping.Cancel();
        }

        base.Dispose(disposing);
    }

    /// <summary>Runs every mutation of every workspace that waits for the sandbox. Idempotent.</summary>
    public override async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await foreach (var (tenant, pending) in PendingWork.ByWorkspaceAsync(workspaces, (t, ct) => mutations.ListByStatusAsync(t, ToolMutationStatus.Pending, ct), cancellationToken).ConfigureAwait(false))
        {
            Log.MutationsRecovered(logger, tenant, pending.Count);
            await RecoverEachAsync(pending, (mutation, ct) => alpha.SandboxExecuteMutationAsync(mutation.TenantId, mutation.Id, ct), (mutation, ex) => Log.MutationEvaluationFailed(logger, ex, mutation.TenantId, mutation.Id), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task EvaluateQueuedAsync()
    {
        var reader = _evaluations.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var mutation))
                {
                    try
                    {
                        await alpha.SandboxExecuteMutationAsync(mutation.TenantId, mutation.Id, _stopping.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
                    {
                        // The mutation stays pending; the next start picks it up.
                        Log.MutationEvaluationFailed(logger, ex, mutation.TenantId, mutation.Id);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    /// <inheritdoc/>
    protected override void OnRecoveryFailed(Exception exception) => Log.RecoveryFailed(logger, exception, "mutations");
}
