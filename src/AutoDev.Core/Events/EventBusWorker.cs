using Microsoft.Extensions.Hosting;

namespace AutoDev;

/// <summary>Starts the event bus pump with the host and drains the queue when the host stops.</summary>
internal sealed class EventBusWorker(IEventBus bus) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        (bus as EventBus)?.EnsurePumpStarted();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        bus is EventBus eventBus ? eventBus.DrainAsync(cancellationToken) : Task.CompletedTask;
}
