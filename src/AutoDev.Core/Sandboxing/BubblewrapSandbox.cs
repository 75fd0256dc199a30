using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoDev.Sandboxing;

/// <summary>
/// The bubblewrap tier: warm fork servers, one per slot and tenant, each inside new user, PID, network, IPC and UTS
/// namespaces with a new session, read-only binds of <c>/usr</c> only (no <c>/etc</c>, no home, no sockets), a
/// read-only root and <c>/dev</c>, private tmpfs mounts of 64 MiB each at <c>/tmp</c> and <c>/dev/shm</c> (the only
/// writable places), a fresh <c>/proc</c>, an empty environment, no capabilities, no further user namespaces
/// (<c>--disable-userns</c>) and a seccomp filter (see <c>docs/sandboxes.md</c>).
/// </summary>
/// <remarks>
/// The runner is PID 1 of its namespace, so executions cannot signal it; after every execution it kills every process
/// the execution left behind, empties <c>/tmp</c> and <c>/dev/shm</c> and removes every SysV IPC object. As root,
/// each worker runs on the host under a user id of its own (<see cref="SandboxOptions.SandboxUserIdRangeStart"/>),
/// which bounds its processes (fork bombs), inside a memory cgroup of its own (<see cref="SandboxOptions.WorkerMemoryBytes"/>)
/// that counts everything it holds. As another user neither is set: only the time-out bounds a fork bomb, and memory
/// held outside the address space is bounded only by the mounts' sizes, so <see cref="SafetyLevel.High"/> code is
/// refused unless the host sets <see cref="SandboxOptions.AllowBubblewrapWithoutMemoryCgroup"/>. Thread-safe.
/// </remarks>
public sealed class BubblewrapSandbox : ISandboxTier, IAsyncDisposable, IDisposable
{
    private const long TmpfsBytes = 64L * 1024 * 1024;
    private const long SharedMemoryBytes = 64L * 1024 * 1024;
    private const string Shell = "/bin/sh";

    // Run by /bin/sh as the host's user, before anything is sandboxed: moves itself into the worker's cgroup (each
    // procs file named before "--"), then execs the rest with the seccomp filter open on descriptor 9 for bwrap.
    private const string Launcher = "seccomp=$1; shift; while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 125; shift; done; shift; exec \"$@\" 9< \"$seccomp\"";

    private readonly SandboxOptions _options;
    private readonly IReadOnlyList<string> _runnerArguments;
    private readonly TimeProvider _time;
    private readonly WarmPool _pool;
    private readonly Lazy<Isolation> _isolation;

    /// <summary>Creates the tier.</summary>
    public BubblewrapSandbox(IOptions<SandboxOptions> options, TimeProvider time, ILogger<BubblewrapSandbox> logger)
        : this(options, time, logger, MemoryCgroups.DefaultMountRoot)
    {
    }

    /// <summary>Creates the tier with its memory cgroups under <paramref name="cgroupMountRoot"/>.</summary>
    internal BubblewrapSandbox(IOptions<SandboxOptions> options, TimeProvider time, ILogger<BubblewrapSandbox> logger, string cgroupMountRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _runnerArguments = PythonRunner.Arguments(serve: true, _options.PreloadedModules);
        _time = time;
        _pool = new WarmPool(SandboxTiers.Bubblewrap, StartWorkerAsync, _options.WarmWorkersPerTenant, _options.MaxExecutionsPerWorker, logger);
        _isolation = new Lazy<Isolation>(() => Isolation.Create(cgroupMountRoot));
    }

    /// <summary>
    /// Whether each worker runs in a memory cgroup of its own (the host runs as root and can make one), so that memory
    /// held outside the address space counts against <see cref="SandboxOptions.WorkerMemoryBytes"/>.
    /// </summary>
    public bool EnforcesMemoryLimit => Cgroups is not null;

    /// <summary>The workers' memory cgroups, or <see langword="null"/> when none can be made.</summary>
    internal MemoryCgroups? Cgroups => _isolation.Value.Cgroups;

    /// <inheritdoc/>
    public string Tier => SandboxTiers.Bubblewrap;

    /// <inheritdoc/>
    public int Strength => 20;

    /// <summary>The pool of started fork servers.</summary>
    internal WarmPool Pool => _pool;

    /// <inheritdoc/>
    public async ValueTask<SandboxAvailability> CheckAvailabilityAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(_options.BubblewrapPath))
        {
            return SandboxAvailability.Unavailable($"bubblewrap is not installed at {_options.BubblewrapPath} (apt-get install bubblewrap).");
        }

        if (!File.Exists(_options.PythonPath))
        {
            return SandboxAvailability.Unavailable($"python3 is not installed at {_options.PythonPath} (apt-get install python3).");
        }

        if (_isolation.Value.Error is { } isolationError)
        {
            return SandboxAvailability.Unavailable(isolationError);
        }

        using var user = UnprivilegedCommand.Rent(_options, Tier);
        using var process = new Process { StartInfo = CreateStartInfo(_options, user, _isolation.Value.SeccompFile, null, ["-I", "-S", "-c", "print('ok')"]) };
        try
        {
            await ProcessLauncher.StartAsync(process).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var output = await process.StandardOutput.ReadToEndAsync(timeout.Token).ConfigureAwait(false);
            var error = await process.StandardError.ReadToEndAsync(timeout.Token).ConfigureAwait(false);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return process.ExitCode == 0 && output.Trim() == "ok"
                ? SandboxAvailability.Available
                : SandboxAvailability.Unavailable($"bubblewrap could not start a sandbox (exit {process.ExitCode}): {error.Trim()} Check that unprivileged user namespaces are enabled.");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or OperationCanceledException or IOException)
        {
            return SandboxAvailability.Unavailable($"bubblewrap could not start a sandbox: {ex.Message}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <inheritdoc/>
    /// <exception cref="SandboxRefusedException">The request is <see cref="SafetyLevel.High"/>, no memory cgroup can be made, and the host did not opt in.</exception>
    public Task<SandboxResult> ExecuteAsync(SandboxRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.SafetyLevel == SafetyLevel.High && !EnforcesMemoryLimit && !_options.AllowBubblewrapWithoutMemoryCgroup)
        {
            throw new SandboxRefusedException(Tier, $"The bubblewrap tier cannot bound the memory of HIGH safety code here: {_isolation.Value.CgroupReason}. Run the host as root, use the Docker tier, or set SandboxOptions.AllowBubblewrapWithoutMemoryCgroup.");
        }

        var executionId = Guid.NewGuid();
        var limits = UnprivilegedCommand.EffectiveLimits(_options.Limits);
        return _pool.ExecuteAsync(request.TenantId, worker => worker.ExecuteAsync(request, executionId, limits, cancellationToken), cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _pool.DisposeAsync().ConfigureAwait(false);
        if (_isolation.IsValueCreated)
        {
            _isolation.Value.Dispose();
        }
    }

    /// <summary>Starts stopping every sandbox without waiting; prefer <see cref="DisposeAsync"/>, which waits.</summary>
    public void Dispose() => _ = DisposeAsync().AsTask();

    /// <summary>
    /// The command line around <paramref name="pythonArguments"/>: <c>/bin/sh</c> moves itself into the worker's
    /// cgroup (when there is one) and opens the seccomp filter, then execs bwrap, through setpriv as root.
    /// </summary>
    internal static ProcessStartInfo CreateStartInfo(SandboxOptions options, UnprivilegedCommand.UserIdLease user, string seccompFile, MemoryCgroups.Lease? cgroup, IEnumerable<string> pythonArguments)
    {
        var uid = options.SandboxUserId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] bwrap =
        [
            "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--disable-userns", "--seccomp", "9",
            "--uid", uid, "--gid", uid, "--hostname", "autodev-sandbox",
            "--new-session", "--die-with-parent", "--as-pid-1", "--cap-drop", "ALL",
            "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8",
            "--ro-bind", "/usr", "/usr",
            "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/sbin", "/sbin",
            "--proc", "/proc", "--dev", "/dev",
            "--size", Bytes(SharedMemoryBytes), "--perms", "1777", "--tmpfs", "/dev/shm",
            "--size", Bytes(TmpfsBytes), "--tmpfs", "/tmp",
            "--remount-ro", "/dev", "--remount-ro", "/",
            "--chdir", "/tmp",
            "--", options.PythonPath,
        ];
        var sandboxed = UnprivilegedCommand.StartInfo(user, options.BubblewrapPath, bwrap.Concat(pythonArguments), "/");
        var info = UnprivilegedCommand.StartInfo(new UnprivilegedCommand.UserIdLease(null), Shell, ["-c", Launcher, "autodev-sandbox", seccompFile], "/");
        if (cgroup is not null)
        {
            info.ArgumentList.Add(cgroup.ProcsFile);
        }

        info.ArgumentList.Add("--");
        info.ArgumentList.Add(sandboxed.FileName);
        foreach (var argument in sandboxed.ArgumentList)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    private static string Bytes(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<ForkServerWorker> StartWorkerAsync(string tenantId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var isolation = _isolation.Value;
        if (isolation.Error is { } error)
        {
            throw new SandboxUnavailableException(Tier, error);
        }

        var cgroup = isolation.Cgroups?.Create(_options.WorkerMemoryBytes, Tier);
        var user = UnprivilegedCommand.Rent(_options, Tier);
        var process = new Process { StartInfo = CreateStartInfo(_options, user, isolation.SeccompFile, cgroup, _runnerArguments) };
        try
        {
            // bwrap dies with the thread that starts it (--die-with-parent): start it from one that never exits.
            await ProcessLauncher.StartAsync(process).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            user.Dispose();
            if (cgroup is not null)
            {
                await cgroup.DisposeAsync().ConfigureAwait(false);
            }

            throw new SandboxUnavailableException(Tier, $"could not start {process.StartInfo.FileName}: {ex.Message}", ex);
        }

        // Drain bwrap's stderr so it can never block; nothing reads it.
        _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
        var reading = _options.UnsafePreferInlineScheduling ? ForkServerReading.DedicatedThreadInline : ForkServerReading.DedicatedThread;
        return new ForkServerWorker(Tier, tenantId, process.StandardInput, process.StandardOutput, () => KillAsync(process, user, cgroup), _time, reading);
    }

    private static async ValueTask KillAsync(Process process, UnprivilegedCommand.UserIdLease user, MemoryCgroups.Lease? cgroup)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            // The namespace's PID 1 is gone, so every process of this sandbox is dead: its user id may be reused.
            process.Dispose();
            user.Dispose();
            if (cgroup is not null)
            {
                await cgroup.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>What every worker of this tier shares: the seccomp filter's file and the memory cgroups (as root).</summary>
    private sealed class Isolation : IDisposable
    {
        private readonly string? _directory;

        private Isolation(string? directory, string seccompFile, MemoryCgroups? cgroups, string cgroupReason, string? error)
        {
            _directory = directory;
            SeccompFile = seccompFile;
            Cgroups = cgroups;
            CgroupReason = cgroupReason;
            Error = error;
        }

        public string SeccompFile { get; }

        public MemoryCgroups? Cgroups { get; }

        public string CgroupReason { get; }

        /// <summary>Why no sandbox can be started, or <see langword="null"/>.</summary>
        public string? Error { get; }

        public static Isolation Create(string cgroupMountRoot)
        {
            var cgroupReason = "the host does not run as root";
            var cgroups = UnprivilegedCommand.IsRoot ? MemoryCgroups.TryCreate(cgroupMountRoot, ReadOwnCgroups(), out cgroupReason) : null;
            var directory = Directory.CreateTempSubdirectory("autodev-bwrap-").FullName; // mode 0700
            var seccomp = Path.Combine(directory, "seccomp.bpf");
            return new Isolation(directory, seccomp, cgroups, cgroupReason, SeccompFilter.TryWriteTo(seccomp));
        }

        public void Dispose()
        {
            try
            {
                if (_directory is not null)
                {
                    Directory.Delete(_directory, recursive: true);
                }
            }
            catch (IOException)
            {
            }
        }

        private static string[] ReadOwnCgroups()
        {
            try
            {
                return File.ReadAllLines("/proc/self/cgroup");
            }
            catch (IOException)
            {
                return [];
            }
        }
    }
}
