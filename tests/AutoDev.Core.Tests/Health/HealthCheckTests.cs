using AutoDev.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AutoDev.Tests.Health;

/// <summary>AutoDev's health checks through the host's own HealthCheckService: healthy, degraded and unhealthy for each.</summary>
public sealed class HealthCheckTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sandbox_WithBubblewrap_IsHealthy_NamingTheTier()
    {
        await using var services = Create();
        ServiceRequirement.Require(await services.GetRequiredService<BubblewrapSandbox>().CheckAvailabilityAsync(Ct));

        var entry = await CheckAsync(services, AutoDevHealthChecks.Sandbox);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("Untrusted code runs in the bubblewrap tier.", entry.Description);
        Assert.Equal("available", entry.Data[SandboxTiers.Bubblewrap]);
    }

    [Fact]
    public async Task Sandbox_WithTheProcessTierAlone_IsDegraded()
    {
        await using var services = Create(s =>
        {
            s.RemoveAll<ISandboxTier>();
            s.AddSingleton<ISandboxTier>(sp => sp.GetRequiredService<ProcessSandbox>());
        });

        var entry = await CheckAsync(services, AutoDevHealthChecks.Sandbox);

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.StartsWith("Only the process tier is available", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sandbox_ATierAskedForByName_Unavailable_IsUnhealthy_WithItsReason()
    {
        await using var services = Create(s => s.AddSingleton<ISandboxTier>(new MissingTier()));

        var entry = await CheckAsync(services, AutoDevHealthChecks.Sandbox);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("The docker tier was asked for and is unavailable: the engine at unix:///nowhere does not answer", entry.Description);
    }

    [Fact]
    public async Task Store_InMemory_IsHealthy_AndSaysItIsNotDurable()
    {
        await using var services = Create();

        var entry = await CheckAsync(services, AutoDevHealthChecks.Store);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Contains("lost when the process ends", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Model_NoChatClient_IsDegraded_SayingWhatToRegister()
    {
        await using var services = Create();

        var entry = await CheckAsync(services, AutoDevHealthChecks.Model);

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("AddOpenAIChatClient", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Model_ConfiguredThenAnswering_IsHealthy_AndTheCheckMakesNoCall()
    {
        var chat = new ScriptedChatClient("fine");
        await using var services = Create(configure: b => b.UseChatClient(chat));

        var before = await CheckAsync(services, AutoDevHealthChecks.Model);
        await services.GetRequiredService<IChatGateway>().GetResponseAsync(new ChatCallContext("acme", "test"), [new(ChatRole.User, "x")], cancellationToken: Ct);
        var after = await CheckAsync(services, AutoDevHealthChecks.Model);

        Assert.Equal((HealthStatus.Healthy, HealthStatus.Healthy), (before.Status, after.Status));
        Assert.EndsWith("configured; no call yet.", before.Description, StringComparison.Ordinal);
        Assert.EndsWith("the last call succeeded.", after.Description, StringComparison.Ordinal);
        Assert.Single(chat.Calls);
    }

    [Fact]
    public async Task Model_LastCallFailed_IsDegraded_ThenAnOpenCircuit_IsUnhealthy()
    {
        var chat = new ScriptedChatClient((_, _, _) => throw new ChatServiceException(ChatFailureKind.ServerError, "503 from the provider", 503));
        await using var services = Create(configure: b => b.UseChatClient(chat).ConfigureChat(o => (o.MaxRetryAttempts, o.CircuitMinimumThroughput) = (0, 2)));
        var gateway = services.GetRequiredService<IChatGateway>();

        await gateway.GetResponseAsync(new ChatCallContext("acme", "test"), [new(ChatRole.User, "x")], cancellationToken: Ct);
        var failedOnce = await CheckAsync(services, AutoDevHealthChecks.Model);
        await gateway.GetResponseAsync(new ChatCallContext("acme", "test"), [new(ChatRole.User, "x")], cancellationToken: Ct);
        var open = await CheckAsync(services, AutoDevHealthChecks.Model);

        Assert.Equal(HealthStatus.Degraded, failedOnce.Status);
        Assert.Contains("503 from the provider", failedOnce.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Unhealthy, open.Status);
        Assert.Contains("circuit breaker is open", open.Description, StringComparison.Ordinal);
        Assert.Equal("Open", open.Data["circuit"]);
    }

    [Fact]
    public async Task AllChecks_CarryTheAutoDevTag()
    {
        await using var services = Create();

        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains(AutoDevHealthChecks.Tag), Ct);

        Assert.Equal([AutoDevHealthChecks.Model, AutoDevHealthChecks.Sandbox, AutoDevHealthChecks.Store], report.Entries.Keys.Order(StringComparer.Ordinal));
    }

    private static ServiceProvider Create(Action<IServiceCollection>? services = null, Action<IAutoDevBuilder>? configure = null) =>
        TestHost.Create(b =>
        {
            b.Services.AddHealthChecks().AddAutoDevHealthChecks();
            configure?.Invoke(b);
            services?.Invoke(b.Services);
        });

    private static async Task<HealthReportEntry> CheckAsync(IServiceProvider services, string name)
    {
        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == name, Ct);
        return report.Entries[name];
    }

    /// <summary>A Docker-like tier the host asked for by name, whose engine does not answer.</summary>
    private sealed class MissingTier : ISandboxTier
    {
        public string Tier => SandboxTiers.Docker;

        public int Strength => 100;

        public ValueTask<SandboxAvailability> CheckAvailabilityAsync(CancellationToken cancellationToken) =>
            new(SandboxAvailability.Required("the engine at unix:///nowhere does not answer"));

        public Task<SandboxResult> ExecuteAsync(SandboxRequest request, CancellationToken cancellationToken) =>
            throw new SandboxUnavailableException(Tier, "unavailable");
    }
}
