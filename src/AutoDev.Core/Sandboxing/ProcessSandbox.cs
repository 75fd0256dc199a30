using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace AutoDev.Sandboxing;

/// <summary>
/// The process tier: each execution is a child process of the host's python3 running AutoDev's runner, with rlimits
/// (address space, CPU, file size, processes, open files) and a wall-clock kill of the runner's process tree.
/// </summary>
/// <remarks>
/// <para><b>Weak isolation.</b> The code runs on the host's file system and network: as root, under a user id of its
/// own (see <see cref="SandboxOptions.SandboxUserIdRangeStart"/>); otherwise as the host's own user. It shares with the
/// host and with every tenant the host's <c>/tmp</c>, <c>/var/tmp</c>, <c>/dev/shm</c> and <c>/run/lock</c>, its SysV
/// IPC objects and POSIX message queues: what an execution leaves there outlives it. It cannot contain: reading world-readable host files
/// (<c>/etc</c>), writing to those shared places, memory held outside the address space (memfd files, SysV segments,
/// files in <c>/dev/shm</c>), the kernel's whole system-call surface (no seccomp filter),
/// network egress (DNS, raw IP, the host's loopback), seeing other processes, reaching a Docker socket the user can
/// open, signals to its own runner (an ordinary process of the same user), processes that double-fork out of the
/// process group, and, when the host does not run as root, fork bombs
/// (no process limit is set then, since it would count all of the host user's processes). Code at <see cref="SafetyLevel.Medium"/> or <see cref="SafetyLevel.High"/> is therefore refused unless the
/// host sets <see cref="SandboxOptions.AllowProcessTierForUntrustedCode"/>.</para>
/// <para>Thread-safe; every execution is a new process.</para>
/// </remarks>
public sealed class ProcessSandbox : ISandboxTier
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(3);
    private readonly SandboxOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the tier.</summary>
    public ProcessSandbox(IOptions<SandboxOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
    }

    /// <inheritdoc/>
    public string Tier => SandboxTiers.Process;

    /// <inheritdoc/>
    public int Strength => 10;

    /// <inheritdoc/>
    public ValueTask<SandboxAvailability> CheckAvailabilityAsync(CancellationToken cancellationToken) =>
        new(File.Exists(_options.PythonPath)
            ? SandboxAvailability.Available
            : SandboxAvailability.Unavailable($"python3 is not installed at {_options.PythonPath} (apt-get install python3)."));

    /// <inheritdoc/>
    /// <exception cref="SandboxRefusedException">The request's safety level is MEDIUM or HIGH and the host did not opt in.</exception>
    public async Task<SandboxResult> ExecuteAsync(SandboxRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Internal.Guard.Id(request.TenantId);
        if (request.SafetyLevel != SafetyLevel.Low && !_options.AllowProcessTierForUntrustedCode)
        {
            throw new SandboxRefusedException(Tier, $"The process tier does not isolate code; it refuses {request.SafetyLevel.ToString().ToUpperInvariant()} safety code. Use the bubblewrap or Docker tier, or set SandboxOptions.AllowProcessTierForUntrustedCode.");
        }

        if (!File.Exists(_options.PythonPath))
        {
            throw new SandboxUnavailableException(Tier, $"python3 is not installed at {_options.PythonPath} (apt-get install python3).");
        }

        var executionId = Guid.NewGuid();
        var line = PythonRunner.FormatRequest(request, executionId, UnprivilegedCommand.EffectiveLimits(_options.Limits));
        var start = _time.GetTimestamp();
        using var user = UnprivilegedCommand.Rent(_options, Tier);
        using var process = new Process { StartInfo = CreateStartInfo(_options, user) };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new SandboxUnavailableException(Tier, $"could not start {process.StartInfo.FileName}: {ex.Message}", ex);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(request.Timeout + Grace);
        try
        {
            var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
            await process.StandardInput.WriteLineAsync(line.AsMemory(), deadline.Token).ConfigureAwait(false);
            process.StandardInput.Close();
            var output = await process.StandardOutput.ReadLineAsync(deadline.Token).ConfigureAwait(false);
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            _ = await stderr.ConfigureAwait(false);
            var elapsed = _time.GetElapsedTime(start);
            return output is null
                ? PythonRunner.Crashed(executionId, Tier, elapsed, $"python3 exited with code {process.ExitCode} without a result")
                : PythonRunner.ParseResult(output, executionId, Tier, elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return PythonRunner.TimedOut(executionId, Tier, _time.GetElapsedTime(start), request.Timeout);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>python3 with the runner, an empty environment, and (as root) the sandbox's own user.</summary>
    internal static ProcessStartInfo CreateStartInfo(SandboxOptions options, UnprivilegedCommand.UserIdLease user) =>
        UnprivilegedCommand.StartInfo(user, options.PythonPath, PythonRunner.Arguments(serve: false), Path.GetTempPath());
}
