using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Xunit;

namespace AutoDev.Testing;

/// <summary>
/// The behaviour every sandbox tier must have: the runner's semantics (entry points, syntax errors, exceptions, JSON
/// return values, output caps), tenant isolation, and the hostile battery (<see cref="HostileCases"/>), each case
/// asserting its exact status and that the host is unaffected. Inherit it, return the tier from <see cref="Sandbox"/>,
/// and say whether it is the weak process tier.
/// </summary>
/// <remarks>
/// When the tier is unavailable the tests skip with the reason, except under <c>CI=true</c>, where they fail.
/// Cases that leave something behind are followed by a second execution that must find nothing.
/// </remarks>
public abstract class SandboxConformanceTests
{
    private static readonly string Secret = "autodev-canary-" + Guid.NewGuid().ToString("N");

    /// <summary>The tier under test.</summary>
    protected abstract ISandbox Sandbox { get; }

    /// <summary>
    /// Whether the tier is the weak process tier, which runs only the cases it contains. For every case it cannot
    /// contain, the suite asserts that it refuses the code as untrusted (MEDIUM and HIGH safety), so give it the
    /// default options, without <see cref="SandboxOptions.AllowProcessTierForUntrustedCode"/>.
    /// </summary>
    protected virtual bool IsWeakTier => false;

    /// <summary>
    /// Hostile cases that the tier contains with another status than <see cref="HostileCase.Expected"/>, with that
    /// status (for example a runtime whose kernel kills the whole sandbox where others kill the execution). For these
    /// the status is asserted, then that the host is unaffected and nothing is left behind, but not the case's own
    /// details. Document each in the tier's docs.
    /// </summary>
    protected virtual IReadOnlyDictionary<string, SandboxStatus> StatusOverrides { get; } = new Dictionary<string, SandboxStatus>();

    /// <summary>The safety level requests are sent with.</summary>
    protected virtual SafetyLevel SafetyLevel => SafetyLevel.Medium;

    /// <summary>Every hostile case name, for <c>MemberData</c>.</summary>
    public static TheoryData<string> HostileCaseNames => [.. HostileCases.All.Select(c => c.Name)];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Whether the tier can run here; unavailable tiers skip, or fail under CI.</summary>
    protected abstract ValueTask<SandboxAvailability> CheckAvailabilityAsync();

    /// <summary>Runs <paramref name="code"/> as a new tenant's or <paramref name="tenant"/>'s request.</summary>
    protected async Task<SandboxResult> RunAsync(string code, string? entryPoint = null, object? inputs = null, double timeoutSeconds = 10, string? tenant = null)
    {
        await RequireAvailableAsync().ConfigureAwait(false);
        return await Sandbox.ExecuteAsync(
            new SandboxRequest
            {
                TenantId = tenant ?? "conformance",
                Code = code,
                EntryPoint = entryPoint,
                InputsJson = JsonSerializer.Serialize(inputs ?? new { }),
                Timeout = TimeSpan.FromSeconds(timeoutSeconds),
                SafetyLevel = SafetyLevel,
            },
            Ct).ConfigureAwait(false);
    }

    /// <summary>Asserts the status, showing the error and stderr when it differs.</summary>
    protected static void AssertStatus(SandboxStatus expected, SandboxResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Assert.True(expected == result.Status, $"expected {expected}, got {result.Status}: {result.Error?.Type}: {result.Error?.Message}\n{result.Stderr}");
    }

    /// <summary>Skips (or, under CI, fails) when the tier is unavailable.</summary>
    protected async Task RequireAvailableAsync()
    {
        ServiceRequirement.Require(await CheckAvailabilityAsync().ConfigureAwait(false));
    }

    // ---- Semantics ---------------------------------------------------------------------------------------------

    /// <summary>The entry point is called with the inputs as keyword arguments; its value comes back as JSON.</summary>
    [Fact]
    public async Task Execute_EntryPointWithInputs_ReturnsJsonValueAndStdout()
    {
        var result = await RunAsync("def add(a, b):\n    print('adding')\n    return {'sum': a + b, 'items': [a, b], 'ok': True}", "add", new { a = 2, b = 40 });

        AssertStatus(SandboxStatus.Succeeded, result);
        Assert.Equal(42, result.ReturnValue!.Value.GetProperty("sum").GetInt32());
        Assert.Equal("adding\n", result.Stdout);
        Assert.False(string.IsNullOrEmpty(result.Tier));
        Assert.True(result.Duration > TimeSpan.Zero);
    }

    /// <summary>Without an entry point the module code runs and the value is null.</summary>
    [Fact]
    public async Task Execute_ModuleCode_RunsAndReturnsNull()
    {
        var result = await RunAsync("import sys\nprint(sum(range(10)))\nprint('warn', file=sys.stderr)");

        AssertStatus(SandboxStatus.Succeeded, result);
        Assert.Equal(JsonValueKind.Null, result.ReturnValue!.Value.ValueKind);
        Assert.Equal("45\n", result.Stdout);
        Assert.Equal("warn\n", result.Stderr);
    }

    /// <summary>A syntax error is its own status, with line and message.</summary>
    [Fact]
    public async Task Execute_SyntaxError_ReportsLineAndMessage()
    {
        var result = await RunAsync("x = 1\n\ndef broken(:\n    pass");

        AssertStatus(SandboxStatus.SyntaxError, result);
        Assert.Equal(3, result.Error!.Line);
        Assert.Equal("SyntaxError", result.Error.Type);
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
    }

    /// <summary>An exception reports its type, message and a traceback of the skill's frames.</summary>
    [Fact]
    public async Task Execute_Exception_ReportsTypeMessageAndTraceback()
    {
        var result = await RunAsync("def parse(text):\n    return int(text)", "parse", new { text = "INV-42" });

        AssertStatus(SandboxStatus.Failed, result);
        Assert.Equal("ValueError", result.Error!.Type);
        Assert.Contains("INV-42", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("<skill>", result.Error.Traceback, StringComparison.Ordinal);
        Assert.DoesNotContain("_run_child", result.Error.Traceback, StringComparison.Ordinal);
    }

    /// <summary>A value JSON cannot hold is a clear failure; a missing entry point too.</summary>
    [Theory]
    [InlineData("def f():\n    return {1, 2}", "f", "ReturnValueError")]
    [InlineData("def f():\n    return float('nan')", "f", "ReturnValueError")]
    [InlineData("def g():\n    return 1", "f", "NameError")]
    public async Task Execute_BadReturnOrEntryPoint_FailsClearly(string code, string entryPoint, string errorType)
    {
        var result = await RunAsync(code, entryPoint);

        AssertStatus(SandboxStatus.Failed, result);
        Assert.Equal(errorType, result.Error!.Type);
    }

    /// <summary>Inputs that are not a JSON object are refused before anything runs.</summary>
    [Fact]
    public async Task Execute_InputsNotAnObject_ThrowsArgumentException()
    {
        await RequireAvailableAsync();

        await Assert.ThrowsAsync<ArgumentException>(async () => await Sandbox.ExecuteAsync(
            new SandboxRequest { TenantId = "conformance", Code = "pass", InputsJson = "[1, 2]", SafetyLevel = SafetyLevel }, Ct));
    }

    /// <summary>What one tenant writes, another tenant cannot see.</summary>
    [Fact]
    public async Task Execute_TwoTenants_DoNotSeeEachOthersFiles()
    {
        const string Write = "import os\ndef run():\n    open('/tmp/tenant-a-was-here', 'w').write('a')\n    return os.getcwd()";
        if (IsWeakTier)
        {
            // The process tier shares the host's /tmp between tenants (see ProcessSandbox's documentation).
            await AssertRefusedAsUntrustedAsync(Write, "run");
            return;
        }

        var tenantA = "tenant-a-" + Guid.NewGuid().ToString("N")[..8];
        var tenantB = "tenant-b-" + Guid.NewGuid().ToString("N")[..8];
        var write = await RunAsync(Write, "run", tenant: tenantA);
        var look = await RunAsync("import os\ndef run():\n    return os.path.exists('/tmp/tenant-a-was-here')", "run", tenant: tenantB);

        AssertStatus(SandboxStatus.Succeeded, write);
        AssertStatus(SandboxStatus.Succeeded, look);
        Assert.False(look.ReturnValue!.Value.GetBoolean());
    }

    /// <summary>
    /// Each execution starts from fresh process state: its own random seed (a fork server must not hand every child
    /// the same generator), and temporary files in its own directory, which is also its working directory.
    /// </summary>
    [Fact]
    public async Task Execute_RandomAndTempfile_AreFreshPerExecution()
    {
        const string code = "import os, random, tempfile\ndef run():\n    fd, path = tempfile.mkstemp()\n    os.close(fd)\n    return [random.getrandbits(64), os.path.dirname(path) == os.getcwd()]";
        var tenant = "fresh-" + Guid.NewGuid().ToString("N")[..8];
        var first = await RunAsync(code, "run", tenant: tenant);
        var second = await RunAsync(code, "run", tenant: tenant);

        AssertStatus(SandboxStatus.Succeeded, first);
        AssertStatus(SandboxStatus.Succeeded, second);
        Assert.True(first.ReturnValue!.Value[1].GetBoolean(), "tempfile did not write in the execution's own directory");
        Assert.True(second.ReturnValue!.Value[1].GetBoolean(), "tempfile did not write in the execution's own directory");
        Assert.NotEqual(first.ReturnValue.Value[0].GetUInt64(), second.ReturnValue.Value[0].GetUInt64());
    }

    /// <summary>Parallel executions each get their own answer.</summary>
    [Fact]
    public async Task Execute_InParallel_EachGetsItsOwnResult()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            RunAsync("def square(n):\n    return n * n", "square", new { n = i }, tenant: "parallel-" + (i % 2))));

        Assert.Equal(Enumerable.Range(0, 8).Select(i => i * i), results.Select(r => r.ReturnValue!.Value.GetInt32()));
    }

    /// <summary>The caller's cancellation stops the wait at once.</summary>
    [Fact]
    public async Task Execute_Cancelled_ThrowsOperationCanceled()
    {
        await RequireAvailableAsync();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Sandbox.ExecuteAsync(
            new SandboxRequest { TenantId = "cancel-" + Guid.NewGuid().ToString("N")[..8], Code = "import time\ntime.sleep(30)", Timeout = TimeSpan.FromSeconds(30), SafetyLevel = SafetyLevel },
            cancel.Token));
    }

    // ---- Hostile battery -----------------------------------------------------------------------------------------

    /// <summary>Each hostile case ends in its exact status, leaves the host untouched, and leaves nothing for the next execution.</summary>
    [Theory]
    [MemberData(nameof(HostileCaseNames))]
    public async Task HostileCase_IsContained(string name)
    {
        var hostile = HostileCases.Get(name);
        if (IsWeakTier && !hostile.ContainedByProcessTier)
        {
            // The process tier cannot contain it (see ProcessSandbox's documentation), so it must refuse it as untrusted code.
            await AssertRefusedAsUntrustedAsync(hostile.Code, hostile.EntryPoint);
            return;
        }

        await RequireAvailableAsync();
        var tenant = "hostile-" + name.Replace('_', '-');
        var canary = CreateHostCanary();
        using var deleteCanary = new DeleteOnDispose(canary);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        object? inputs = name switch
        {
            "read_host_file" => new { path = canary },
            "loopback_egress_to_host" => new { port },
            _ => null,
        };

        // A secret in the host's environment that no sandboxed code may see, set only while its case runs (the tenant's
        // first execution, so the tier's worker starts with it) under a name of its own.
        var secretVariable = name == "host_environment_secrets" ? "AUTODEV_CANARY_" + Guid.NewGuid().ToString("N") : null;
        SandboxResult result;
        try
        {
            if (secretVariable is not null)
            {
                Environment.SetEnvironmentVariable(secretVariable, Secret);
            }

            result = await RunAsync(hostile.Code, hostile.EntryPoint, inputs, hostile.TimeoutSeconds, tenant);
        }
        finally
        {
            if (secretVariable is not null)
            {
                Environment.SetEnvironmentVariable(secretVariable, null);
            }
        }

        var overridden = StatusOverrides.TryGetValue(name, out var expected);
        if (!overridden)
        {
            expected = IsWeakTier ? hostile.ExpectedInProcessTier ?? hostile.Expected : hostile.Expected;
        }

        Assert.True(expected == result.Status, $"{name}: expected {expected}, got {result.Status}: {result.Error?.Type}: {result.Error?.Message}\n{result.Stderr}");
        if (overridden)
        {
            await AssertNothingLeftBehindAsync(tenant);
        }
        else
        {
            await AssertCaseDetailsAsync(name, result, tenant, listener);
        }

        // The host is unaffected: the canary is intact, and the tier still runs code for the tenant.
        Assert.Equal(Secret, await File.ReadAllTextAsync(canary, Ct));
        var after = await RunAsync("def ok():\n    return 'ok'", "ok", tenant: tenant);
        AssertStatus(SandboxStatus.Succeeded, after);
    }

    private async Task AssertCaseDetailsAsync(string name, SandboxResult result, string tenant, TcpListener listener)
    {
        switch (name)
        {
            case "stdout_flood":
                Assert.True(result.StdoutTruncated);
                Assert.InRange(result.Stdout.Length, 1, SandboxLimits.DefaultMaxOutputBytes);
                break;
            case "stderr_flood":
                Assert.True(result.StderrTruncated);
                Assert.InRange(result.Stderr.Length, 1, SandboxLimits.DefaultMaxOutputBytes);
                break;
            case "invalid_utf8_output":
                Assert.StartsWith("ok ", result.Stdout, StringComparison.Ordinal);
                Assert.Contains('\uFFFD', result.Stdout);
                break;
            case "host_environment_secrets":
                Assert.DoesNotContain(Secret, result.ReturnValue!.Value.GetString(), StringComparison.Ordinal);
                break;
            case "read_host_file":
                Assert.True(result.Error!.Type is "FileNotFoundError" or "PermissionError", result.Error.Type);
                Assert.DoesNotContain(Secret, result.Stdout + result.Stderr + result.Error.Message, StringComparison.Ordinal);
                break;
            case "list_other_sandboxes":
                var seen = result.ReturnValue!.Value;
                Assert.InRange(seen.GetProperty("pids").GetInt32(), 1, 3);
                Assert.Equal([seen.GetProperty("cwd").GetString()], seen.GetProperty("tmp").EnumerateArray().Select(e => e.GetString()));
                break;
            case "loopback_egress_to_host":
                Assert.False(listener.Pending(), "The sandbox reached a listener on the host's loopback.");
                break;
            case "write_outside_tmp":
                Assert.False(File.Exists("/usr/lib/autodev-was-here"));
                break;
            case "kill_parent" or "kill_everything" or "stop_parent_repeatedly" when !IsWeakTier:
                Assert.Equal("still here", result.ReturnValue!.Value.GetString());
                break;
            case "subprocess_escapes_limits" or "multiprocessing_escapes_limits":
                Assert.Equal(1, result.ReturnValue!.Value.GetInt32());
                break;
            case "files_left_behind" or "background_process_left_running" or "many_small_files" or "fill_tmp" or "fork_bomb" or "fill_dev_shm" or "memfd_over_memory_limit" or "sysv_shm_over_memory_limit":
                await AssertNothingLeftBehindAsync(tenant);
                break;
            case "ipc_left_behind":
                Assert.False(result.ReturnValue!.Value.GetProperty("mqueue_created").GetBoolean(), "A POSIX message queue was created; nothing could remove it before the next execution.");
                await AssertNothingLeftBehindAsync(tenant);
                break;
            case "kernel_attack_surface":
                var allowed = result.ReturnValue!.Value.EnumerateObject().Where(p => p.Value.GetInt32() == 0).Select(p => p.Name).ToList();
                Assert.True(allowed.Count == 0, "The sandbox allowed: " + string.Join(", ", allowed));
                break;
            case "write_root_and_dev":
                Assert.False(File.Exists("/autodev-root-write"));
                break;
            case "forged_result_frame" or "forged_result_of_wrong_shape":
                Assert.StartsWith("protocol violation", result.Error!.Message, StringComparison.Ordinal);
                break;
        }
    }

    private async Task AssertRefusedAsUntrustedAsync(string code, string? entryPoint)
    {
        await RequireAvailableAsync();
        foreach (var level in new[] { SafetyLevel.Medium, SafetyLevel.High })
        {
            var refused = await Assert.ThrowsAsync<SandboxRefusedException>(() => Sandbox.ExecuteAsync(
                new SandboxRequest { TenantId = "refused", Code = code, EntryPoint = entryPoint, SafetyLevel = level }, Ct));
            Assert.Equal(Sandbox.Tier, refused.Tier);
        }
    }

    private async Task AssertNothingLeftBehindAsync(string tenant)
    {
        var next = await RunAsync(
            """
            import os
            def ipc_objects(kind):
                try:
                    return len(open('/proc/sysvipc/' + kind).read().splitlines()) - 1
                except OSError:
                    return 0
            def run():
                pids = [p for p in os.listdir('/proc') if p.isdigit()]
                return {
                    'tmp': sorted(os.listdir('/tmp')), 'cwd': os.path.basename(os.getcwd()), 'pids': len(pids), 'files': os.listdir('.'),
                    'shm': sorted(os.listdir('/dev/shm')) if os.path.isdir('/dev/shm') else [],
                    'sysv': {kind: ipc_objects(kind) for kind in ('shm', 'msg', 'sem')},
                }
            """,
            "run",
            tenant: tenant);
        AssertStatus(SandboxStatus.Succeeded, next);
        var seen = next.ReturnValue!.Value;
        Assert.Empty(seen.GetProperty("files").EnumerateArray());
        if (!IsWeakTier)
        {
            Assert.Equal([seen.GetProperty("cwd").GetString()], seen.GetProperty("tmp").EnumerateArray().Select(e => e.GetString()));
            Assert.InRange(seen.GetProperty("pids").GetInt32(), 1, 3);
            Assert.Empty(seen.GetProperty("shm").EnumerateArray());
            Assert.Equal("""{"shm":0,"msg":0,"sem":0}""", seen.GetProperty("sysv").GetRawText().Replace(" ", "", StringComparison.Ordinal));
        }
    }

    /// <summary>A host file with the secret, readable by the host's user only.</summary>
    private static string CreateHostCanary()
    {
        var path = Path.Combine(Path.GetTempPath(), "autodev-canary-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, Secret);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    private sealed class DeleteOnDispose(string path) : IDisposable
    {
        public void Dispose() => File.Delete(path);
    }
}
