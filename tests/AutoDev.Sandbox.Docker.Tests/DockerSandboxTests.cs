using AutoDev.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AutoDev.Tests;

public sealed class DockerSandboxTests
{
    [Fact]
    public async Task CheckAvailabilityAsync_NoEngine_SaysHowToStartOne()
    {
        await using var sandbox = new DockerSandbox(Options.Create(new DockerSandboxOptions { Endpoint = "unix:///nonexistent/docker.sock" }), Options.Create(new SandboxOptions()), TimeProvider.System, NullLogger<DockerSandbox>.Instance);

        var availability = await sandbox.CheckAvailabilityAsync(TestContext.Current.CancellationToken);

        Assert.False(availability.IsAvailable);
        Assert.False(availability.FallbackAllowed);
        Assert.Contains("start dockerd", availability.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_NoEngine_ThrowsUnavailable()
    {
        await using var sandbox = new DockerSandbox(Options.Create(new DockerSandboxOptions { Endpoint = "unix:///nonexistent/docker.sock" }), Options.Create(new SandboxOptions()), TimeProvider.System, NullLogger<DockerSandbox>.Instance);

        await Assert.ThrowsAsync<SandboxUnavailableException>(async () =>
            await sandbox.ExecuteAsync(new SandboxRequest { TenantId = "t", Code = "pass" }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ExecuteAsync_MissingImage_ReportedUnavailableWithBuildHint()
    {
        var options = WarmDockerFixture.CreateOptions(warm: true);
        options.Image = "autodev/does-not-exist:0";
        await using var sandbox = new DockerSandbox(Options.Create(options), Options.Create(new SandboxOptions()), TimeProvider.System, NullLogger<DockerSandbox>.Instance);
        await using var fixture = new WarmDockerFixture();
        var engine = await fixture.Availability;
        ServiceRequirement.Require(engine);

        var availability = await sandbox.CheckAvailabilityAsync(TestContext.Current.CancellationToken);

        Assert.False(availability.IsAvailable);
        Assert.Contains("docker import", availability.Reason, StringComparison.Ordinal);
    }

    /// <summary>Regression (sandbox hardening, defect 6): with the image missing, a host that added the Docker tier started and ran code in bubblewrap.</summary>
    [Fact]
    public async Task AddDockerSandbox_ImageMissing_HostFailsToStartSayingHowToBuildOne()
    {
        using var host = await HostWithMissingImageAsync(allowFallback: false);

        var error = await Assert.ThrowsAsync<SandboxUnavailableException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(SandboxTiers.Docker, error.Tier);
        Assert.Contains("'autodev/does-not-exist:0' is not on the Docker engine", error.Message, StringComparison.Ordinal);
        Assert.Contains("docker import", error.Message, StringComparison.Ordinal);
        Assert.Contains("AllowFallback", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SandboxUnavailableException>(() => host.Services.GetRequiredService<ISandbox>().ExecuteAsync(
            new SandboxRequest { TenantId = "t", Code = "pass" }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AddDockerSandbox_ImageMissingWithFallbackAllowed_StartsAndRunsInTheNextTier()
    {
        using var host = await HostWithMissingImageAsync(allowFallback: true);

        await host.StartAsync(TestContext.Current.CancellationToken);
        var result = await host.Services.GetRequiredService<ISandbox>().ExecuteAsync(
            new SandboxRequest { TenantId = "t", Code = "def f():\n    return 1", EntryPoint = "f" }, TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(SandboxStatus.Succeeded, result.Status);
        Assert.Equal(SandboxTiers.Bubblewrap, result.Tier);
    }

    /// <summary>A host with the Docker tier added for an image the engine does not have.</summary>
    private static async Task<IHost> HostWithMissingImageAsync(bool allowFallback)
    {
        await using (var fixture = new WarmDockerFixture())
        {
            ServiceRequirement.Require(await fixture.Availability);
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddHealthChecks().AddAutoDevHealthChecks();
        builder.Services.AddAutoDev().AddDockerSandbox(o =>
        {
            o.Endpoint = WarmDockerFixture.CreateOptions(true).Endpoint;
            o.Image = "autodev/does-not-exist:0";
            o.AllowFallback = allowFallback;
        });
        return builder.Build();
    }

    [Theory]
    [InlineData(false, HealthStatus.Unhealthy)]
    [InlineData(true, HealthStatus.Healthy)]
    public async Task HealthCheck_DockerAskedForWithoutItsImage_IsUnhealthy_UnlessFallbackIsAllowed(bool allowFallback, HealthStatus expected)
    {
        using var host = await HostWithMissingImageAsync(allowFallback);

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == AutoDevHealthChecks.Sandbox, TestContext.Current.CancellationToken);
        var entry = report.Entries[AutoDevHealthChecks.Sandbox];

        Assert.Equal(expected, entry.Status);
        Assert.Contains("autodev/does-not-exist:0", entry.Data[SandboxTiers.Docker].ToString(), StringComparison.Ordinal);
        if (!allowFallback)
        {
            Assert.StartsWith("The docker tier was asked for and is unavailable", entry.Description, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AddDockerSandbox_EngineAvailable_IsTheTierChosenForUntrustedCode()
    {
        var services = new ServiceCollection();
        services.AddAutoDev().AddDockerSandbox(o => o.Endpoint = WarmDockerFixture.CreateOptions(true).Endpoint).AddDockerSandbox();
        await using var provider = services.BuildServiceProvider();
        ServiceRequirement.Require(await provider.GetRequiredService<DockerSandbox>().CheckAvailabilityAsync(TestContext.Current.CancellationToken));

        var result = await provider.GetRequiredService<ISandbox>().ExecuteAsync(
            new SandboxRequest { TenantId = "t", Code = "def f():\n    return 'in docker'", EntryPoint = "f", SafetyLevel = SafetyLevel.High },
            TestContext.Current.CancellationToken);

        Assert.Equal(SandboxTiers.Docker, result.Tier);
        Assert.Single(services, d => d.ServiceType == typeof(DockerSandbox));
    }
}

/// <summary>The warm Docker tier's containers preload <see cref="SandboxOptions.PreloadedModules"/>.</summary>
public sealed class DockerPreloadTests : WarmTierPreloadTests
{
    protected override ISandboxTier CreateSandbox(SandboxOptions options) => new DockerSandbox(Options.Create(WarmDockerFixture.CreateOptions(warm: true)), Options.Create(options), TimeProvider.System, NullLogger<DockerSandbox>.Instance);
}
