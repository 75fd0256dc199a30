using AutoDev.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AutoDev.Tests.Sandboxing;

/// <summary>What the bubblewrap tier sets up around each worker, seen from inside and from the host.</summary>
[Trait("Requires", "bubblewrap")]
public sealed class BubblewrapSandboxTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static BubblewrapSandbox Create(string? cgroupRoot = null) => new(
        Options.Create(new SandboxOptions { WarmWorkersPerTenant = 1 }),
        TimeProvider.System,
        NullLogger<BubblewrapSandbox>.Instance,
        cgroupRoot ?? MemoryCgroups.DefaultMountRoot);

    private static async Task<SandboxResult> RunAsync(BubblewrapSandbox sandbox, string code, SafetyLevel level = SafetyLevel.Medium) =>
        await sandbox.ExecuteAsync(new SandboxRequest { TenantId = "bwrap", Code = code, EntryPoint = "run", SafetyLevel = level }, Ct);

    [Fact]
    public async Task Execute_InsideBubblewrap_IsHardened()
    {
        await using var sandbox = Create();
        ServiceRequirement.Require(await sandbox.CheckAvailabilityAsync(Ct));

        var result = await RunAsync(sandbox, """
            import os
            def run():
                status = dict(line.split(':', 1) for line in open('/proc/self/status') if ':' in line)
                mounts = {m.split()[1]: m.split()[3].split(',') for m in open('/proc/self/mounts').read().splitlines()}
                return {
                    'seccomp': status['Seccomp'].strip(), 'no_new_privs': status['NoNewPrivs'].strip(),
                    'cap_eff': status['CapEff'].strip(),
                    'root': mounts['/'][0], 'dev': mounts['/dev'][0],
                    'tmp': mounts['/tmp'], 'shm': mounts['/dev/shm'],
                }
            """);

        Assert.Equal(SandboxStatus.Succeeded, result.Status);
        var seen = result.ReturnValue!.Value;
        Assert.Equal("2", seen.GetProperty("seccomp").GetString()); // a filter is installed
        Assert.Equal("1", seen.GetProperty("no_new_privs").GetString());
        Assert.Equal("0000000000000000", seen.GetProperty("cap_eff").GetString());
        Assert.Equal(("ro", "ro"), (seen.GetProperty("root").GetString(), seen.GetProperty("dev").GetString()));
        Assert.Contains("rw", seen.GetProperty("tmp").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("size=65536k", seen.GetProperty("tmp").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("size=65536k", seen.GetProperty("shm").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Execute_AsRoot_RunsEachWorkerInAMemoryCgroupOfItsOwn()
    {
        ServiceRequirement.Require(UnprivilegedCommand.IsRoot, "memory cgroups are made only when the host runs as root");
        await using var sandbox = Create();
        ServiceRequirement.Require(await sandbox.CheckAvailabilityAsync(Ct));
        Assert.True(sandbox.EnforcesMemoryLimit);

        var result = await RunAsync(sandbox, "import os\ndef run():\n    return os.getpid()");

        Assert.Equal(SandboxStatus.Succeeded, result.Status);
        var limits = Directory.EnumerateDirectories(sandbox.Cgroups!.Parent, $"w{Environment.ProcessId}-*")
            .Select(d => File.ReadAllText(Path.Combine(d, File.Exists(Path.Combine(d, "memory.max")) ? "memory.max" : "memory.limit_in_bytes")).Trim())
            .ToList();
        Assert.Contains((256L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), limits);
    }

    /// <summary>
    /// Regression: two tier instances in one process numbered their workers' cgroups alike, so disposing one instance's
    /// worker killed the other's (seen as "the sandbox's fork server exited" in a loaded test run).
    /// </summary>
    [Fact]
    public async Task Dispose_OfOneInstance_LeavesAnotherInstancesWorkersRunning()
    {
        await using var survivor = Create();
        ServiceRequirement.Require(await survivor.CheckAvailabilityAsync(Ct));
        const string Pid = "import os\ndef run():\n    return os.stat('/proc/1').st_ctime";
        var before = await RunAsync(survivor, Pid);

        var other = Create();
        await RunAsync(other, Pid);
        await other.DisposeAsync();
        var after = await RunAsync(survivor, Pid);

        Assert.Equal(SandboxStatus.Succeeded, after.Status);
        Assert.Equal(before.ReturnValue!.Value.GetDouble(), after.ReturnValue!.Value.GetDouble()); // the same fork server
    }

    [Fact]
    public async Task Execute_HighSafetyWithoutAMemoryCgroup_IsRefusedNamingTheOptIn()
    {
        await using var sandbox = Create(cgroupRoot: Path.Combine(Path.GetTempPath(), "no-cgroups-" + Guid.NewGuid().ToString("N")));
        ServiceRequirement.Require(await sandbox.CheckAvailabilityAsync(Ct));

        var refused = await Assert.ThrowsAsync<SandboxRefusedException>(() => RunAsync(sandbox, "def run():\n    return 1", SafetyLevel.High));
        var medium = await RunAsync(sandbox, "def run():\n    return 1");

        Assert.False(sandbox.EnforcesMemoryLimit);
        Assert.Contains(nameof(SandboxOptions.AllowBubblewrapWithoutMemoryCgroup), refused.Message, StringComparison.Ordinal);
        Assert.Equal(SandboxStatus.Succeeded, medium.Status);
    }
}
