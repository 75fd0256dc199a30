using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AutoDev.Tests;

/// <summary>One Docker tier, warm or cold, shared by the tests of a class; the engine from DOCKER_HOST or the default socket.</summary>
public abstract class DockerFixtureBase : IAsyncLifetime
{
    private Task<SandboxAvailability>? _availability;

    protected DockerFixtureBase(bool warm)
    {
        Sandbox = new DockerSandbox(Options.Create(CreateOptions(warm)), Options.Create(new SandboxOptions()), TimeProvider.System, NullLogger<DockerSandbox>.Instance);
    }

    public DockerSandbox Sandbox { get; }

    public Task<SandboxAvailability> Availability => _availability ??= Sandbox.CheckAvailabilityAsync(CancellationToken.None).AsTask();

    public static DockerSandboxOptions CreateOptions(bool warm) => new()
    {
        Endpoint = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host : DockerSandboxOptions.DefaultEndpoint,
        UseWarmPool = warm,

        // One container per tenant, so a follow-up execution runs where the hostile one ran.
        WarmContainersPerTenant = 1,
    };

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

public sealed class WarmDockerFixture() : DockerFixtureBase(warm: true);

public sealed class ColdDockerFixture() : DockerFixtureBase(warm: false);
