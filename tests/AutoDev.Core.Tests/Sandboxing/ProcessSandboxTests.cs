using Microsoft.Extensions.Options;

namespace AutoDev.Tests.Sandboxing;

public sealed class ProcessSandboxTests
{
    [Theory]
    [InlineData(SafetyLevel.Medium)]
    [InlineData(SafetyLevel.High)]
    public async Task ExecuteAsync_UntrustedCodeWithoutOptIn_IsRefusedBeforeRunning(SafetyLevel level)
    {
        var sandbox = new ProcessSandbox(Options.Create(new SandboxOptions()), TimeProvider.System);

        var error = await Assert.ThrowsAsync<SandboxRefusedException>(async () => await sandbox.ExecuteAsync(
            new SandboxRequest { TenantId = "t", Code = "open('/tmp/should-not-exist-autodev', 'w')", SafetyLevel = level },
            TestContext.Current.CancellationToken));

        Assert.Equal(SandboxTiers.Process, error.Tier);
        Assert.False(File.Exists("/tmp/should-not-exist-autodev"));
    }

    [Fact]
    public async Task ExecuteAsync_OptedIn_RunsUntrustedCode()
    {
        var sandbox = new ProcessSandbox(Options.Create(new SandboxOptions { AllowProcessTierForUntrustedCode = true }), TimeProvider.System);

        var result = await sandbox.ExecuteAsync(
            new SandboxRequest { TenantId = "t", Code = "def f():\n    return 7", EntryPoint = "f", SafetyLevel = SafetyLevel.High },
            TestContext.Current.CancellationToken);

        Assert.Equal(SandboxStatus.Succeeded, result.Status);
        Assert.Equal(7, result.ReturnValue!.Value.GetInt32());
    }

    [Fact]
    public async Task ExecuteAsync_PythonMissing_ThrowsUnavailable()
    {
        var sandbox = new ProcessSandbox(Options.Create(new SandboxOptions { PythonPath = "/nonexistent/python3" }), TimeProvider.System);

        Assert.False((await sandbox.CheckAvailabilityAsync(TestContext.Current.CancellationToken)).IsAvailable);
        await Assert.ThrowsAsync<SandboxUnavailableException>(async () => await sandbox.ExecuteAsync(
            new SandboxRequest { TenantId = "t", Code = "pass", SafetyLevel = SafetyLevel.Low }, TestContext.Current.CancellationToken));
    }
}
