using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AutoDev.Sandboxing;

/// <summary>
/// Keeps started <see cref="ForkServerWorker"/>s per tenant so executions skip start-up. Tenants never share a
/// worker. A worker is recycled after <see cref="SandboxOptions.MaxExecutionsPerWorker"/> executions or at once after
/// a time-out, limit or crash; its replacement starts in the background, and the next execution takes that
/// replacement (waiting for it if it is still starting) rather than start a worker of its own.
/// </summary>
/// <remarks>
/// Thread-safe. A tenant never has more than <see cref="SandboxOptions.WarmWorkersPerTenant"/> workers, idle, starting
/// or running, and so never more executions at once.
/// </remarks>
internal sealed class WarmPool : IAsyncDisposable
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
    public WarmPool(string tier, Func<string, CancellationToken, Task<ForkServerWorker>> factory, int workersPerTenant, int maxExecutionsPerWorker, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tier);
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentOutOfRangeException.ThrowIfLessThan(workersPerTenant, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxExecutionsPerWorker, 1);
        _factory = factory;
        _perTenant = workersPerTenant;
        _maxExecutions = maxExecutionsPerWorker;
        _logger = logger;
        Tier = tier;
        AutoDevTelemetry.Observe(this);
    }

    /// <summary>The tier whose workers these are.</summary>
    public string Tier { get; }

    /// <summary>How many started workers wait idle, over every tenant; for the warm-workers gauge.</summary>
    public int IdleTotal => _tenants.Values.Sum(s => s.IdleCount);

    /// <summary>How many started workers wait idle for the tenant (replacements still starting not counted).</summary>
    public int IdleCount(string tenantId) => _tenants.TryGetValue(tenantId, out var slots) ? slots.IdleCount : 0;

    /// <summary>Starts the workers the tenant lacks ahead of its first execution.</summary>
    public async Task WarmUpAsync(string tenantId, CancellationToken cancellationToken)
    {
        var slots = Slots(tenantId);
        var starting = Enumerable.Range(0, slots.Reserve(_perTenant)).Select(_ => _factory(tenantId, cancellationToken)).ToList();
        foreach (var start in starting)
        {
            slots.Add(Settle(start, tenantId));
        }

        await Task.WhenAll(starting).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="execute"/> on a worker of the tenant's, starting one when none is idle or starting.</summary>
    public async Task<SandboxResult> ExecuteAsync(string tenantId, Func<ForkServerWorker, Task<SandboxResult>> execute, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execute);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        var slots = Slots(tenantId);
        await slots.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        ForkServerWorker? worker = null;
        try
        {
            worker = await TakeAsync(tenantId, slots, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Kills every worker, waiting for those still starting.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        AutoDevTelemetry.Forget(this);
        await _disposing.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_background.Keys).ConfigureAwait(false);
        foreach (var slots in _tenants.Values)
        {
            foreach (var item in slots.TakeAll())
            {
                if (await item.ConfigureAwait(false) is { } worker)
                {
                    await worker.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        _disposing.Dispose();
    }

    private TenantSlots Slots(string tenantId) =>
        _tenants.GetOrAdd(Internal.Guard.Id(tenantId), _ => new TenantSlots(_perTenant));

    /// <summary>The oldest idle or starting worker, or a new one; the caller holds one of the tenant's gate slots.</summary>
    private async Task<ForkServerWorker> TakeAsync(string tenantId, TenantSlots slots, CancellationToken cancellationToken)
    {
        if (slots.TryTake() is { } item)
        {
            ForkServerWorker? taken;
            try
            {
                taken = await item.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                slots.Add(item); // still the tenant's: the next execution takes it
                throw;
            }

            if (taken is not null)
            {
                return taken;
            }

            // The replacement failed to start (and was logged): this execution starts one in its place.
        }
        else
        {
            slots.Reserve(1);
        }

        try
        {
            return await _factory(tenantId, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            slots.Release();
            throw;
        }
    }

    private void Return(string tenantId, TenantSlots slots, ForkServerWorker worker)
    {
        if (!worker.MustRecycle && worker.Executions < _maxExecutions && Volatile.Read(ref _disposed) == 0)
        {
            slots.Add(Task.FromResult<ForkServerWorker?>(worker));
            return;
        }

        if (Volatile.Read(ref _disposed) == 1)
        {
            slots.Release();
            Track(DisposeQuietlyAsync(worker, tenantId));
            return;
        }

        // Recycle: the old worker dies while its replacement starts, both off the caller's path.
        var replacement = ReplaceAsync(tenantId, worker);
        Track(replacement);
        slots.Add(replacement);
    }

    private async Task<ForkServerWorker?> ReplaceAsync(string tenantId, ForkServerWorker worker)
    {
        var stopping = DisposeQuietlyAsync(worker, tenantId);
        try
        {
            return await Settle(_factory(tenantId, _disposing.Token), tenantId).ConfigureAwait(false);
        }
        finally
        {
            await stopping.ConfigureAwait(false);
        }
    }

    /// <summary>The started worker, or <see langword="null"/> (logged) when it could not start.</summary>
    private async Task<ForkServerWorker?> Settle(Task<ForkServerWorker> start, string tenantId)
    {
        try
        {
            return await start.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (Exception ex) when (ex is AutoDevException or IOException or InvalidOperationException or HttpRequestException)
        {
            Log.WorkerRecycleFailed(_logger, ex, "sandbox", tenantId);
            return null;
        }
    }

    private async Task DisposeQuietlyAsync(ForkServerWorker worker, string tenantId)
    {
        try
        {
            await worker.DisposeAsync().ConfigureAwait(false);
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

    /// <summary>
    /// One tenant's workers: a gate of <c>size</c> slots for executions, and the workers waiting for one, oldest first
    /// (each a started worker, or a replacement still starting). <see cref="Owned"/> counts every worker the tenant
    /// has (waiting, starting or running), which never exceeds the size.
    /// </summary>
    private sealed class TenantSlots(int size)
    {
        private readonly Lock _lock = new();
        private readonly Queue<Task<ForkServerWorker?>> _waiting = new();

        public SemaphoreSlim Gate { get; } = new(size, size);

        private int Owned { get; set; }

        public int IdleCount
        {
            get
            {
                lock (_lock)
                {
#pragma warning disable RS0030 // Result of a task that completed already: nothing blocks.
                    return _waiting.Count(t => t.IsCompletedSuccessfully && t.Result is not null);
#pragma warning restore RS0030
                }
            }
        }

        /// <summary>Counts up to <paramref name="wanted"/> more workers as the tenant's, within its size; returns how many.</summary>
        public int Reserve(int wanted)
        {
            lock (_lock)
            {
                var granted = Math.Min(wanted, size - Owned);
                Owned += granted;
                return granted;
            }
        }

        /// <summary>A worker counted as the tenant's is gone.</summary>
        public void Release()
        {
            lock (_lock)
            {
                Owned--;
            }
        }

        public void Add(Task<ForkServerWorker?> worker)
        {
            lock (_lock)
            {
                _waiting.Enqueue(worker);
            }
        }

        public Task<ForkServerWorker?>? TryTake()
        {
            lock (_lock)
            {
                return _waiting.TryDequeue(out var worker) ? worker : null;
            }
        }

        public List<Task<ForkServerWorker?>> TakeAll()
        {
            lock (_lock)
            {
                var all = _waiting.ToList();
                _waiting.Clear();
                return all;
            }
        }
    }
}
