using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>
/// The bubblewrap tier: warm fork servers, one per slot and tenant, each inside new user, PID, network, IPC and UTS
/// namespaces with a new session, read-only binds of <c>/usr</c> only (no <c>/etc</c>, no home, no sockets), a
/// private 64 MiB tmpfs <c>/tmp</c>, a fresh <c>/proc</c>, an empty environment and no capabilities.
/// </summary>
/// <remarks>
/// The runner is PID 1 of its namespace, so executions cannot signal it, and it kills every process an execution left
/// behind. As root, each worker runs on the host under a user id of its own (<see cref="SandboxOptions.SandboxUserIdRangeStart"/>),
/// which bounds its processes (fork bombs); as another user no process limit is set, and only the time-out bounds
/// a fork bomb. Thread-safe.
/// </remarks>
public sealed class BubblewrapSandbox : ISandboxTier, IAsyncDisposable, IDisposable
{
    private const long TmpfsBytes = 64L * 1024 * 1024;
    private readonly SandboxOptions _options;
    private readonly IReadOnlyList<string> _runnerArguments;
    private readonly TimeProvider _time;
    private readonly WarmPool _pool;

    /// <summary>Creates the tier.</summary>
    public BubblewrapSandbox(IOptions<SandboxOptions> options, TimeProvider time, ILogger<BubblewrapSandbox> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _runnerArguments = PythonRunner.Arguments(serve: true, _options.PreloadedModules);
        _time = time;
        _pool = new WarmPool(StartWorkerAsync, _options.WarmWorkersPerTenant, _options.MaxExecutionsPerWorker, logger);
    }

    /// <inheritdoc/>
    public string Tier => SandboxTiers.Bubblewrap;

    /// <inheritdoc/>
    public int Strength => 20;

    /// <summary>The pool of started fork servers.</summary>
    public WarmPool Pool => _pool;

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

        using var user = UnprivilegedCommand.Rent(_options, Tier);
        using var process = new Process { StartInfo = CreateStartInfo(_options, user, ["-I", "-S", "-c", "print('ok')"]) };
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
    public Task<SandboxResult> ExecuteAsync(SandboxRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var executionId = Guid.NewGuid();
        var limits = UnprivilegedCommand.EffectiveLimits(_options.Limits);
        return _pool.ExecuteAsync(request.TenantId, worker => worker.ExecuteAsync(request, executionId, limits, cancellationToken), cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    /// <summary>Starts stopping every sandbox without waiting; prefer <see cref="DisposeAsync"/>, which waits.</summary>
    public void Dispose() => _ = _pool.DisposeAsync().AsTask();

    /// <summary>The bwrap command line around <paramref name="pythonArguments"/>.</summary>
    internal static ProcessStartInfo CreateStartInfo(SandboxOptions options, UnprivilegedCommand.UserIdLease user, IEnumerable<string> pythonArguments)
    {
        var uid = options.SandboxUserId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] bwrap =
        [
            "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--uid", uid, "--gid", uid, "--hostname", "autodev-sandbox",
            "--new-session", "--die-with-parent", "--as-pid-1", "--cap-drop", "ALL",
            "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8",
            "--ro-bind", "/usr", "/usr",
            "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/sbin", "/sbin",
            "--proc", "/proc", "--dev", "/dev",
            "--size", TmpfsBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), "--tmpfs", "/tmp",
            "--chdir", "/tmp",
            "--", options.PythonPath,
        ];
        return UnprivilegedCommand.StartInfo(user, options.BubblewrapPath, bwrap.Concat(pythonArguments), "/");
    }

    private async Task<ForkServerWorker> StartWorkerAsync(string tenantId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var user = UnprivilegedCommand.Rent(_options, Tier);
        var process = new Process { StartInfo = CreateStartInfo(_options, user, _runnerArguments) };
        try
        {
            // bwrap dies with the thread that starts it (--die-with-parent): start it from one that never exits.
            await ProcessLauncher.StartAsync(process).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            user.Dispose();
            throw new SandboxUnavailableException(Tier, $"could not start {process.StartInfo.FileName}: {ex.Message}", ex);
        }

        // Drain bwrap's stderr so it can never block; nothing reads it.
        _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
        var reading = _options.UnsafePreferInlineScheduling ? ForkServerReading.DedicatedThreadInline : ForkServerReading.DedicatedThread;
        return new ForkServerWorker(Tier, tenantId, process.StandardInput, process.StandardOutput, () => KillAsync(process, user), _time, reading);
    }

    private static async ValueTask KillAsync(Process process, UnprivilegedCommand.UserIdLease user)
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
        }
    }
}
