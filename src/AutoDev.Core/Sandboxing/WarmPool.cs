using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AutoDev;

/// <summary>
/// Keeps started <see cref="ForkServerWorker"/>s per tenant so executions skip start-up. Tenants never share a
/// worker. A worker is recycled after <see cref="SandboxOptions.MaxExecutionsPerWorker"/> executions or at once after
/// a time-out, limit or crash; a replacement is started in the background.
/// </summary>
/// <remarks>Thread-safe. At most <see cref="SandboxOptions.WarmWorkersPerTenant"/> executions of one tenant run at once.</remarks>
public sealed class WarmPool : IAsyncDisposable
{
    private readonly Func<string, CancellationToken, Task<ForkServerWorker>> _factory;
    private readonly int _perTenant;
    private readonly int _maxExecutions;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, TenantSlots> _tenants = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposing = new();
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private int _disposed;

    /// <summary>Creates a pool over a factory that starts a worker for a tenant.</summary>
    public WarmPool(Func<string, CancellationToken, Task<ForkServerWorker>> factory, int workersPerTenant, int maxExecutionsPerWorker, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentOutOfRangeException.ThrowIfLessThan(workersPerTenant, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxExecutionsPerWorker, 1);
        _factory = factory;
        _perTenant = workersPerTenant;
        _maxExecutions = maxExecutionsPerWorker;
        _logger = logger;
    }

    /// <summary>How many started workers wait idle for the tenant.</summary>
    public int IdleCount(string tenantId) => _tenants.TryGetValue(tenantId, out var slots) ? slots.Idle.Count : 0;

    /// <summary>Starts the tenant's workers ahead of the first execution.</summary>
    public async Task WarmUpAsync(string tenantId, CancellationToken cancellationToken)
    {
        var slots = Slots(tenantId);
        var missing = _perTenant - slots.Idle.Count;
        var started = await Task.WhenAll(Enumerable.Range(0, Math.Max(0, missing)).Select(_ => _factory(tenantId, cancellationToken))).ConfigureAwait(false);
        foreach (var worker in started)
        {
            slots.Idle.Enqueue(worker);
        }
    }

    /// <summary>Runs <paramref name="execute"/> on a worker of the tenant's, starting one when none is idle.</summary>
    public async Task<SandboxResult> ExecuteAsync(string tenantId, Func<ForkServerWorker, Task<SandboxResult>> execute, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execute);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        var slots = Slots(tenantId);
        await slots.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        ForkServerWorker? worker = null;
        try
        {
            worker = slots.Idle.TryDequeue(out var idle) ? idle : await _factory(tenantId, cancellationToken).ConfigureAwait(false);
            return await execute(worker).ConfigureAwait(false);
        }
        finally
        {
            if (worker is not null)
            {
                Return(tenantId, slots, worker);
            }

            slots.Gate.Release();
        }
    }

    /// <summary>Kills every worker.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_background.Keys).ConfigureAwait(false);
        foreach (var slots in _tenants.Values)
        {
            while (slots.Idle.TryDequeue(out var worker))
            {
                await worker.DisposeAsync().ConfigureAwait(false);
            }
        }

        _disposing.Dispose();
    }

    private TenantSlots Slots(string tenantId) =>
        _tenants.GetOrAdd(Internal.Guard.Id(tenantId), _ => new TenantSlots(_perTenant));

    private void Return(string tenantId, TenantSlots slots, ForkServerWorker worker)
    {
        if (!worker.MustRecycle && worker.Executions < _maxExecutions && Volatile.Read(ref _disposed) == 0)
        {
            slots.Idle.Enqueue(worker);
            return;
        }

        // Recycle: kill the worker and start a replacement, both off the caller's path.
        Track(RecycleAsync(tenantId, slots, worker));
    }

    private async Task RecycleAsync(string tenantId, TenantSlots slots, ForkServerWorker worker)
    {
        try
        {
            await worker.DisposeAsync().ConfigureAwait(false);
            if (!_disposing.IsCancellationRequested && slots.Idle.Count < _perTenant)
            {
                var replacement = await _factory(tenantId, _disposing.Token).ConfigureAwait(false);
                if (_disposing.IsCancellationRequested)
                {
                    await replacement.DisposeAsync().ConfigureAwait(false);
                }
                else
                {
                    slots.Idle.Enqueue(replacement);
                }
            }
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is AutoDevException or IOException or InvalidOperationException or HttpRequestException)
        {
            Log.WorkerRecycleFailed(_logger, ex, worker.Tier, tenantId);
        }
    }

    private void Track(Task task)
    {
        _background.TryAdd(task, 0);
        _ = task.ContinueWith(static (t, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(t, out _), _background, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private sealed class TenantSlots(int size)
    {
        public SemaphoreSlim Gate { get; } = new(size, size);

        /// <summary>Oldest first: the worker idle longest has finished cleaning up after its last execution and prepared its next child.</summary>
        public ConcurrentQueue<ForkServerWorker> Idle { get; } = new();
    }
}
