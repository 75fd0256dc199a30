using Microsoft.Extensions.Hosting;

namespace AutoDev;

/// <summary>
/// The base of the hosted services that run a learning loop: while the host runs, every <typeparamref name="TEvent"/>
/// goes to <see cref="HandleAsync"/>; after start, <see cref="RecoverAsync"/> picks up work left waiting by a stop, in
/// the background, so a long validation never delays the host's start (<see cref="Recovery"/> completes when it is done).
/// </summary>
/// <typeparam name="TEvent">The event the loop reacts to.</typeparam>
/// <remarks>
/// Handler failures are isolated and logged by the event bus. Subclass it to run a loop of your own engine; the
/// built-in ones are <see cref="MementoLoop"/> and <see cref="EvolutionLoop"/>.
/// </remarks>
public abstract class LearningLoop<TEvent>(IEventBus events) : IHostedService, IDisposable
    where TEvent : AutoDevEvent
{
    private IDisposable? _subscription;
    private CancellationTokenSource? _stopping;

    /// <summary>Whether the host runs the loop (from the loop's options).</summary>
    protected abstract bool IsEnabled { get; }

    /// <summary>The recovery started by <see cref="StartAsync"/>; completed when it finished (or before any start). Never faults: failures go to <see cref="OnRecoveryFailed"/>.</summary>
    public Task Recovery { get; private set; } = Task.CompletedTask;

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!IsEnabled)
        {
            return Task.CompletedTask;
        }

        _subscription = events.Subscribe<TEvent>(HandleAsync);
        _stopping = new CancellationTokenSource();
        var stopping = _stopping.Token;
        Recovery = Task.Run(
            async () =>
            {
                try
                {
                    await RecoverAsync(stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    // The host stopped first; the work stays waiting for the next start.
                }
                catch (Exception ex)
                {
                    OnRecoveryFailed(ex);
                }
            },
            CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public virtual async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is { } stopping)
        {
            await stopping.CancelAsync().ConfigureAwait(false);
            await Recovery.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        Dispose();
    }

    /// <summary>Called when recovery as a whole failed (for example, the store could not be listed); the work stays waiting for the next start.</summary>
    protected abstract void OnRecoveryFailed(Exception exception);

    /// <summary>Handles one event.</summary>
    public abstract ValueTask HandleAsync(TEvent notification, CancellationToken cancellationToken);

    /// <summary>Finishes the work every workspace left waiting. Idempotent.</summary>
    public abstract Task RecoverAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="recover"/> for each item of waiting work in turn. An item that throws (a sandbox that cannot
    /// start, a store error) goes to <paramref name="failed"/> and stays waiting for the next start; the others still
    /// run. Only the cancellation of <paramref name="cancellationToken"/> stops the loop.
    /// </summary>
    protected static async Task RecoverEachAsync<TItem>(IEnumerable<TItem> items, Func<TItem, CancellationToken, Task> recover, Action<TItem, Exception> failed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(recover);
        ArgumentNullException.ThrowIfNull(failed);
        foreach (var item in items)
        {
            try
            {
                await recover(item, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failed(item, ex);
            }
        }
    }

    /// <summary>Unsubscribes.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Unsubscribes when <paramref name="disposing"/>.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Interlocked.Exchange(ref _subscription, null)?.Dispose();
            Interlocked.Exchange(ref _stopping, null)?.Dispose();
        }
    }
}
