using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AutoDev.Sandbox.Docker.Internal;

/// <summary>
/// Checks, before any hosted service starts, that the Docker tier the host added can run code: a missing engine or
/// image stops the host with a message that says what to do, unless <see cref="DockerSandboxOptions.AllowFallback"/>
/// is set, when it is logged and the next strongest tier runs the code.
/// </summary>
internal sealed class DockerStartupCheck(DockerSandbox sandbox, ILogger<DockerStartupCheck> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var availability = await sandbox.CheckAvailabilityAsync(cancellationToken).ConfigureAwait(false);
        if (availability.IsAvailable)
        {
            return;
        }

        if (!availability.FallbackAllowed)
        {
            throw new SandboxUnavailableException(sandbox.Tier, availability.Reason);
        }

        Log.FallingBack(logger, availability.Reason);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
