using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AutoDev.Tests;

/// <summary>One Docker tier, warm or cold, shared by the tests of a class; the engine from DOCKER_HOST or the default socket.</summary>
public abstract class DockerFixtureBase : IAsyncLifetime
{
    private Task<SandboxAvailability>? _availability;

    protected DockerFixtureBase(bool warm, string? runtime = null)
    {
        var options = CreateOptions(warm);
        options.Runtime = runtime;
        if (runtime is not null)
        {
            // gVisor's kernel (the sentry) runs inside the container's cgroup: its threads and memory count too.
            options.PidsLimit = 256;
            options.MemoryBytes = 512L * 1024 * 1024;
        }
        Sandbox = new DockerSandbox(Options.Create(options), Options.Create(new SandboxOptions()), TimeProvider.System, NullLogger<DockerSandbox>.Instance);
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

/// <summary>The warm Docker tier under gVisor (<see cref="DockerSandboxOptions.GVisorRuntime"/>), as build/start-docker.sh registers it.</summary>
public sealed class GVisorDockerFixture() : DockerFixtureBase(warm: true, DockerSandboxOptions.GVisorRuntime);
