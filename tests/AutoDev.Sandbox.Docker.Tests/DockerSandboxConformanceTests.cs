using AutoDev.Testing;

namespace AutoDev.Tests;

/// <summary>The Docker tier's warm pool against the sandbox conformance suite and HumanEval.</summary>
[Trait("Requires", "docker")]
public sealed class DockerSandboxConformanceTests(WarmDockerFixture fixture) : HumanEvalTierTests, IClassFixture<WarmDockerFixture>
{
    protected override ISandbox Sandbox => fixture.Sandbox;

    protected override async ValueTask<SandboxAvailability> CheckAvailabilityAsync() => await fixture.Availability;

    [Fact]
    public async Task Execute_InsideContainer_IsHardened()
    {
        var result = await RunAsync("""
            import os
            def first(*paths):
                # cgroup v2's file, else v1's: the container sees its own cgroup either way.
                for path in paths:
                    if os.path.exists(path):
                        return open(path).read().strip()
                return 'missing: ' + ', '.join(paths)
            def run():
                status = dict(line.split(':', 1) for line in open('/proc/self/status') if ':' in line)
                mounts = open('/proc/self/mounts').read().splitlines()
                root = next(m for m in mounts if m.split()[1] == '/')
                tmp = next(m for m in mounts if m.split()[1] == '/tmp')
                try:
                    open('/root-write-test', 'w')
                    root_writable = True
                except OSError:
                    root_writable = False
                return {
                    'uid': os.getuid(), 'gid': os.getgid(),
                    'cap_eff': status['CapEff'].strip(), 'cap_bnd': status['CapBnd'].strip(),
                    'no_new_privs': status['NoNewPrivs'].strip(),
                    'root_options': root.split()[3], 'tmp_options': tmp.split()[3],
                    'root_writable': root_writable,
                    'interfaces': sorted(os.listdir('/sys/class/net')),
                    'env': sorted(os.environ),
                    'memory_limit': first('/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes'),
                    'pids_limit': first('/sys/fs/cgroup/pids.max', '/sys/fs/cgroup/pids/pids.max'),
                }
            """, "run", tenant: "hardening");

        Assert.Equal(SandboxStatus.Succeeded, result.Status);
        var seen = result.ReturnValue!.Value;
        Assert.Equal(65534, seen.GetProperty("uid").GetInt32());
        Assert.Equal("0000000000000000", seen.GetProperty("cap_eff").GetString());
        Assert.Equal("0000000000000000", seen.GetProperty("cap_bnd").GetString());
        Assert.Equal("1", seen.GetProperty("no_new_privs").GetString());
        Assert.StartsWith("ro", seen.GetProperty("root_options").GetString(), StringComparison.Ordinal);
        Assert.False(seen.GetProperty("root_writable").GetBoolean());
        var tmp = seen.GetProperty("tmp_options").GetString()!.Split(',');
        Assert.Contains("noexec", tmp);
        Assert.Contains("nosuid", tmp);
        Assert.Equal(["lo"], seen.GetProperty("interfaces").EnumerateArray().Select(e => e.GetString()));
        // Only what the sandbox sets (Docker may add HOSTNAME and HOME, the runner TMPDIR): nothing of the host's environment.
        Assert.Subset(new HashSet<string?> { "PATH", "LANG", "HOSTNAME", "HOME", "TMPDIR" }, seen.GetProperty("env").EnumerateArray().Select(e => e.GetString()).ToHashSet());
        Assert.Equal("268435456", seen.GetProperty("memory_limit").GetString()); // 256 MiB, on cgroup v1 and v2
        Assert.Equal("64", seen.GetProperty("pids_limit").GetString());
    }

    /// <summary>Regression (sandbox hardening, defect 5): a time-out followed at once by another execution left two idle containers for a pool of one.</summary>
    [Fact]
    public async Task Pool_TimeoutThenAtOnceAnother_KeepsOneContainer()
    {
        const string Tenant = "overshoot";
        for (var round = 0; round < 3; round++)
        {
            var timedOut = await RunAsync("while True:\n    pass", timeoutSeconds: 0.5, tenant: Tenant);
            var next = await RunAsync("def ok():\n    return 'ok'", "ok", tenant: Tenant);

            AssertStatus(SandboxStatus.TimedOut, timedOut);
            AssertStatus(SandboxStatus.Succeeded, next);
            Assert.Equal(1, fixture.Sandbox.Pool.IdleCount(Tenant));
        }
    }

    [Fact]
    public async Task Pool_AfterTimeout_ReplacesTheContainer()
    {
        const string Tenant = "recycle";
        var first = await RunAsync("import os\ndef run():\n    return os.uname().nodename + str(os.stat('/proc/1').st_ctime)", "run", tenant: Tenant);
        var timedOut = await RunAsync("while True:\n    pass", timeoutSeconds: 1, tenant: Tenant);

        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            RunAsync("import os\ndef run():\n    return os.uname().nodename + str(os.stat('/proc/1').st_ctime)", "run", tenant: Tenant)));

        Assert.Equal(SandboxStatus.TimedOut, timedOut.Status);
        Assert.All(results, r => Assert.Equal(SandboxStatus.Succeeded, r.Status));
        Assert.DoesNotContain(first.ReturnValue!.Value.GetString(), results.Select(r => r.ReturnValue!.Value.GetString()));
    }
}

/// <summary>The warm Docker tier under gVisor's runsc against the same conformance suite, hostile battery and HumanEval.</summary>
[Trait("Requires", "docker")]
public sealed class GVisorDockerSandboxConformanceTests(GVisorDockerFixture fixture) : HumanEvalTierTests, IClassFixture<GVisorDockerFixture>
{
    protected override ISandbox Sandbox => fixture.Sandbox;

    protected override async ValueTask<SandboxAvailability> CheckAvailabilityAsync() => await fixture.Availability;

    /// <summary>
    /// What gVisor contains differently (docs/sandboxes.md): its kernel kills the whole sandbox when the container's
    /// memory or pids limit is reached, and delivers signals to PID 1, so these executions end as Crashed (the container
    /// is replaced) or, for a PID 1 stopped over and over, TimedOut; namespaces are gVisor's own, so creating them is allowed.
    /// </summary>
    protected override IReadOnlyDictionary<string, SandboxStatus> StatusOverrides { get; } = new Dictionary<string, SandboxStatus>
    {
        ["fork_bomb"] = SandboxStatus.Crashed,
        ["memfd_over_memory_limit"] = SandboxStatus.Crashed,
        ["sysv_shm_over_memory_limit"] = SandboxStatus.Crashed,
        ["kill_parent"] = SandboxStatus.Crashed,
        ["stop_parent_repeatedly"] = SandboxStatus.TimedOut,
        ["kernel_attack_surface"] = SandboxStatus.Succeeded,
    };

    [Fact]
    public async Task Execute_UnderGVisor_RunsOnGVisorsKernel()
    {
        var result = await RunAsync("def run():\n    return [line.split()[2] for line in open('/proc/self/mounts') if line.split()[1] == '/']", "run", tenant: "gvisor");

        AssertStatus(SandboxStatus.Succeeded, result);
        Assert.Equal("9p", result.ReturnValue!.Value[0].GetString()); // gVisor serves the root file system through its gofer
    }
}

/// <summary>The Docker tier without the warm pool: a container per execution.</summary>
[Trait("Requires", "docker")]
public sealed class ColdDockerSandboxTests(ColdDockerFixture fixture) : IClassFixture<ColdDockerFixture>
{
    [Fact]
    public async Task Execute_Cold_RunsInAFreshContainerEachTime()
    {
        var availability = await fixture.Availability;
        ServiceRequirement.Require(availability);
        var code = "import os\ndef run():\n    open('/tmp/mark', 'a').write('x')\n    return open('/tmp/mark').read()";

        var first = await fixture.Sandbox.ExecuteAsync(new SandboxRequest { TenantId = "cold", Code = code, EntryPoint = "run" }, TestContext.Current.CancellationToken);
        var second = await fixture.Sandbox.ExecuteAsync(new SandboxRequest { TenantId = "cold", Code = code, EntryPoint = "run" }, TestContext.Current.CancellationToken);

        Assert.Equal(SandboxTiers.Docker, first.Tier);
        Assert.Equal("x", first.ReturnValue!.Value.GetString());
        Assert.Equal("x", second.ReturnValue!.Value.GetString());
    }

    [Fact]
    public async Task Execute_ColdTimeout_IsTimedOut()
    {
        ServiceRequirement.Require(await fixture.Availability);

        var result = await fixture.Sandbox.ExecuteAsync(new SandboxRequest { TenantId = "cold", Code = "import time\ntime.sleep(60)", Timeout = TimeSpan.FromSeconds(1) }, TestContext.Current.CancellationToken);

        Assert.Equal(SandboxStatus.TimedOut, result.Status);
    }
}
