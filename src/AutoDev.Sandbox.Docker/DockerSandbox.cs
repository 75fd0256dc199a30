using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using AutoDev.Sandbox.Docker.Internal;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>
/// The Docker tier, the strongest: every execution runs in a hardened container (network none, read-only root,
/// tmpfs <c>/tmp</c> rw,noexec,nosuid, memory limit without extra swap, one CPU, a pids limit, all capabilities
/// dropped, no-new-privileges, a non-root user, an empty environment). Containers are per tenant and kept warm: a fork
/// server runs as their PID 1 and forks one child per execution, then kills whatever the child left behind.
/// </summary>
/// <remarks>
/// Thread-safe. Talks to the Docker Engine API over the local socket or TCP. Containers carry the labels
/// <c>autodev.sandbox</c>, <c>autodev.tenant</c> and <c>autodev.owner</c>; containers left behind by a process of this
/// host that died are removed when the tier is first used.
/// </remarks>
public sealed class DockerSandbox : ISandboxTier, IAsyncDisposable, IDisposable
{
    /// <summary>The package's meter and activity source name.</summary>
    public const string TelemetryName = "AutoDev.Sandbox.Docker";

    private static readonly ActivitySource Source = new(TelemetryName);
    private static readonly Meter Meter = new(TelemetryName);
    private static readonly Counter<long> ContainersStarted = Meter.CreateCounter<long>("autodev.sandbox.docker.containers.started", "{container}", "Sandbox containers started.");
    private static readonly string Owner = Environment.MachineName + ":" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    private readonly DockerSandboxOptions _options;
    private readonly SandboxLimits _limits;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DockerEngine _client;
    private readonly WarmPool _pool;
    private readonly Lazy<Task> _cleanup;
    private readonly bool _directSocket;
    private readonly ForkServerReading _socketReading;
    private readonly IReadOnlyList<string> _runnerArguments;
    private readonly string _socketParent;

    /// <summary>Creates the tier.</summary>
    public DockerSandbox(IOptions<DockerSandboxOptions> options, IOptions<SandboxOptions> sandboxOptions, TimeProvider time, ILogger<DockerSandbox> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sandboxOptions);
        _options = options.Value;
        // The container's pids limit bounds processes; RLIMIT_NPROC would count the user id's processes host-wide.
        _limits = sandboxOptions.Value.Limits with { MaxProcesses = 0 };
        _socketReading = sandboxOptions.Value.UnsafePreferInlineScheduling ? ForkServerReading.DedicatedThreadInline : ForkServerReading.DedicatedThread;
        // A cold container serves one execution: importing modules ahead of it would only make it slower.
        _runnerArguments = PythonRunner.Arguments(serve: true, _options.UseWarmPool ? sandboxOptions.Value.PreloadedModules : []);
        _time = time;
        _logger = logger;
        _client = new DockerEngine(_options);
        _directSocket = _options.UseDirectSocket && _options.Endpoint.StartsWith("unix://", StringComparison.Ordinal);
        _socketParent = SocketRendezvous.ParentDirectory(_options.SocketDirectory);
        _pool = new WarmPool(SandboxTiers.Docker, (tenant, ct) => StartWorkerAsync(tenant, ct), _options.WarmContainersPerTenant, _options.MaxExecutionsPerContainer, logger);
        _cleanup = new Lazy<Task>(() => RemoveOrphansAsync(CancellationToken.None));
    }

    /// <inheritdoc/>
    public string Tier => SandboxTiers.Docker;

    /// <inheritdoc/>
    public int Strength => 30;

    /// <summary>The warm containers.</summary>
    internal WarmPool Pool => _pool;

    /// <inheritdoc/>
    /// <remarks>Unless <see cref="DockerSandboxOptions.AllowFallback"/> is set, an unavailable answer forbids falling back to a weaker tier (<see cref="SandboxAvailability.FallbackAllowed"/>).</remarks>
    public async ValueTask<SandboxAvailability> CheckAvailabilityAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.GetVersionAsync(cancellationToken).ConfigureAwait(false);
            if (!await _client.ImageExistsAsync(_options.Image, cancellationToken).ConfigureAwait(false))
            {
                return Unavailable(
                    $"the image '{_options.Image}' is not on the Docker engine at {_options.Endpoint}. Build one with Debian's python3 at /usr/bin/python3 "
                    + $"without a registry (mmdebstrap --variant=essential --include=python3 bookworm rootfs.tar, then docker import rootfs.tar {_options.Image}; "
                    + "the AutoDev repository's build/docker-image.sh does this), or set DockerSandboxOptions.Image to an image you have.");
            }

            if (_options.Runtime is { } runtime && !(await _client.GetRuntimesAsync(cancellationToken).ConfigureAwait(false)).Contains(runtime))
            {
                return Unavailable($"the Docker engine at {_options.Endpoint} has no runtime named '{runtime}'; register it in the engine's daemon.json (runtimes), or clear DockerSandboxOptions.Runtime.");
            }
        }
        catch (Exception ex) when (DockerEngine.IsEngineFailure(ex))
        {
            return Unavailable($"no Docker engine answers at {_options.Endpoint} ({ex.Message}); start dockerd, or set DockerSandboxOptions.Endpoint to the engine's socket.");
        }

        return SandboxAvailability.Available;
    }

    private SandboxAvailability Unavailable(string reason) => _options.AllowFallback
        ? SandboxAvailability.Unavailable(reason)
        : SandboxAvailability.Required(reason + " (Set DockerSandboxOptions.AllowFallback to run code in the next strongest tier instead.)");

    /// <inheritdoc/>
    public async Task<SandboxResult> ExecuteAsync(SandboxRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.TenantId);
        await _cleanup.Value.ConfigureAwait(false);
        var executionId = Guid.NewGuid();
        if (_options.UseWarmPool)
        {
            return await _pool.ExecuteAsync(request.TenantId, worker => worker.ExecuteAsync(request, executionId, _limits, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        // Cold: a container of its own, removed afterwards.
        var cold = await StartWorkerAsync(request.TenantId, cancellationToken).ConfigureAwait(false);
        await using (cold.ConfigureAwait(false))
        {
            return await cold.ExecuteAsync(request, executionId, _limits, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _pool.DisposeAsync().ConfigureAwait(false);
        _client.Dispose();
    }

    /// <summary>Starts removing every container without waiting; prefer <see cref="DisposeAsync"/>, which waits. Containers a process leaves behind are removed by the next one on this host.</summary>
    public void Dispose() => _ = DisposeAsync().AsTask();

    private async Task<ForkServerWorker> StartWorkerAsync(string tenantId, CancellationToken cancellationToken)
    {
        SocketRendezvous? rendezvous = null;
        if (_directSocket && !OperatingSystem.IsWindows())
        {
            try
            {
                rendezvous = SocketRendezvous.Create(_socketParent);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new SandboxUnavailableException(Tier, $"could not make a socket directory under {_socketParent} ({ex.Message}); set SocketDirectory, or UseDirectSocket to false.", ex);
            }
        }

        using var activity = Source.StartActivity("container.start")?
            .SetTag("autodev.tenant", tenantId)
            .SetTag("autodev.sandbox.docker.transport", rendezvous is null ? "attach" : "socket");
        using (rendezvous)
        {
            // Not cancelled half-way: the engine may finish a create the caller gave up on, and the container would be
            // left behind with no id to remove it by. A create takes tens of milliseconds; cancellation counts after it.
            var id = await CreateContainerAsync(tenantId, rendezvous, CancellationToken.None).ConfigureAwait(false);
            activity?.SetTag("autodev.sandbox.docker.container", id[..12]);
            Stream stream;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Each path disposes its own stream when it fails.
                stream = rendezvous is null
                    ? await AttachAndStartAsync(id, cancellationToken).ConfigureAwait(false)
                    : await StartAndAcceptAsync(id, rendezvous, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                await _client.RemoveContainerAsync(id, CancellationToken.None).ConfigureAwait(false);
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                if (DockerEngine.IsEngineFailure(ex))
                {
                    throw new SandboxUnavailableException(Tier, $"could not start container {id[..12]}: {ex.Message}", ex);
                }

                throw;
            }

            ContainersStarted.Add(1, new KeyValuePair<string, object?>("autodev.tenant", tenantId));
            var input = new StreamWriter(stream, new UTF8Encoding(false), 64 * 1024, leaveOpen: true) { AutoFlush = false, NewLine = "\n" };
            var output = new StreamReader(stream, Encoding.UTF8, false, 64 * 1024);
            var reading = rendezvous is null ? ForkServerReading.Asynchronous : _socketReading; // the attach stream has no blocking reads
            return new ForkServerWorker(Tier, tenantId, input, output, async () =>
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                await _client.RemoveContainerAsync(id, CancellationToken.None).ConfigureAwait(false);
            }, _time, reading);
        }
    }

    private async Task<string> CreateContainerAsync(string tenantId, SocketRendezvous? rendezvous, CancellationToken cancellationToken)
    {
        var attached = rendezvous is null;
        var create = new CreateContainerParameters
        {
            Image = _options.Image,
            Cmd = attached
                ? ["/usr/bin/python3", .. _runnerArguments]
                : ["/usr/bin/python3", .. _runnerArguments, "--connect", SocketRendezvous.ContainerPath],
            Env = ["PATH=/usr/bin:/bin", "LANG=C.UTF-8"],
            User = _options.User,
            WorkingDir = "/tmp",
            AttachStdin = attached,
            AttachStdout = attached,
            AttachStderr = attached,
            OpenStdin = attached,
            NetworkDisabled = true,
            Hostname = "autodev-sandbox",
            Labels = new Dictionary<string, string>
            {
                ["autodev.sandbox"] = "1",
                ["autodev.tenant"] = tenantId,
                ["autodev.owner"] = Owner,
            },
            HostConfig = new HostConfig
            {
                NetworkMode = "none",
                ReadonlyRootfs = true,
                Tmpfs = new Dictionary<string, string> { ["/tmp"] = _options.TmpfsOptions },
                Memory = _options.MemoryBytes,
                MemorySwap = _options.MemoryBytes,
                NanoCPUs = (long)(_options.Cpus * 1_000_000_000),
                PidsLimit = _options.PidsLimit,
                CapDrop = ["ALL"],
                SecurityOpt = ["no-new-privileges"],
                IpcMode = "private",
                Ulimits = [new Ulimit { Name = "core", Soft = 0, Hard = 0 }],
                ShmSize = _options.SharedMemoryBytes,
                Runtime = _options.Runtime,
                Binds = attached ? [] : [rendezvous!.Bind],
                // Containers' output goes to no log: the fork server's protocol is not worth storing.
                LogConfig = new LogConfig { Type = "none" },
            },
        };

        try
        {
            return await _client.CreateContainerAsync(create, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (DockerEngine.IsEngineFailure(ex))
        {
            throw new SandboxUnavailableException(Tier, $"could not create a container from {_options.Image}: {ex.Message}", ex);
        }
    }

    private async Task<Stream> AttachAndStartAsync(string id, CancellationToken cancellationToken)
    {
        var stream = await _client.AttachAsync(id, cancellationToken).ConfigureAwait(false);
        try
        {
            await _client.StartContainerAsync(id, cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<Stream> StartAndAcceptAsync(string id, SocketRendezvous rendezvous, CancellationToken cancellationToken)
    {
        await _client.StartContainerAsync(id, cancellationToken).ConfigureAwait(false);
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stopped = _client.WaitContainerAsync(id, watching.Token);
        try
        {
            return await rendezvous.AcceptAsync(stopped, _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await watching.CancelAsync().ConfigureAwait(false);
            stopped.ObserveFailure();
        }
    }

    private async Task RemoveOrphansAsync(CancellationToken cancellationToken)
    {
        RemoveStaleSocketDirectories();
        try
        {
            foreach (var container in await _client.ListContainersAsync("autodev.sandbox=1", cancellationToken).ConfigureAwait(false))
            {
                if (container.Labels?.TryGetValue("autodev.owner", out var owner) == true && IsDeadOwnerOnThisHost(owner))
                {
                    await _client.RemoveContainerAsync(container.ID, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Best effort: a failed clean-up must never stop executions (every execution awaits this once).
            Log.OrphanCleanupFailed(_logger, ex);
        }
    }

    private void RemoveStaleSocketDirectories()
    {
        // A socket directory lives from a container's creation until its fork server connects (well within
        // ConnectTimeout); one older than that belongs to a start that died half-way.
        if (!_directSocket || !Directory.Exists(_socketParent))
        {
            return;
        }

        var stale = _time.GetUtcNow().UtcDateTime - _options.ConnectTimeout - TimeSpan.FromMinutes(1);
        try
        {
            foreach (var directory in new DirectoryInfo(_socketParent).EnumerateDirectories())
            {
                if (directory.CreationTimeUtc < stale)
                {
                    SocketRendezvous.DeleteDirectory(directory.FullName);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.OrphanCleanupFailed(_logger, ex);
        }
    }

    private static bool IsDeadOwnerOnThisHost(string owner)
    {
        var separator = owner.LastIndexOf(':');
        if (separator < 0 || owner[..separator] != Environment.MachineName
            || !int.TryParse(owner[(separator + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
