using AutoDev.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging.Testing;

namespace AutoDev.Tests.Events;

public sealed class EventBusTests
{
    private static TaskFailed Failure(int n) => new() { TenantId = "t", AgentId = "a", EpisodeId = Guid.NewGuid(), TaskDescription = $"task {n}" };

    private static EventBus NewBus(EventDispatchMode mode, ILogger<EventBus>? logger = null, int capacity = 1000) =>
        new(Options.Create(new AutoDevOptions { EventDispatchMode = mode, EventChannelCapacity = capacity }), logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<EventBus>.Instance);

    [Fact]
    public async Task PublishAsync_Inline_RunsEveryHandlerOfTheTypeBeforeReturning()
    {
        await using var bus = NewBus(EventDispatchMode.Inline);
        var seen = new List<string>();
        bus.Subscribe<TaskFailed>((e, _) => { seen.Add("h1:" + e.TaskDescription); return default; });
        bus.Subscribe<TaskFailed>(async (e, _) => { await Task.Yield(); seen.Add("h2:" + e.TaskDescription); });
        bus.Subscribe<TaskSucceeded>((e, _) => { seen.Add("wrong type"); return default; });

        await bus.PublishAsync(Failure(1), TestContext.Current.CancellationToken);

        Assert.Equal(["h1:task 1", "h2:task 1"], seen);
    }

    [Fact]
    public async Task PublishAsync_HandlerThrows_OthersStillRunAndErrorIsLogged()
    {
        var logger = new FakeLogger<EventBus>();
        await using var bus = NewBus(EventDispatchMode.Inline, logger);
        var ran = 0;
        bus.Subscribe<TaskFailed>((_, _) => throw new InvalidOperationException("sync boom"));
        bus.Subscribe<TaskFailed>(async (_, _) => { await Task.Yield(); throw new InvalidOperationException("async boom"); });
        bus.Subscribe<TaskFailed>((_, _) => { ran++; return default; });

        await bus.PublishAsync(Failure(1), TestContext.Current.CancellationToken);

        Assert.Equal(1, ran);
        Assert.Equal(["sync boom", "async boom"], logger.Collector.GetSnapshot().Where(e => e.Level == LogLevel.Error).Select(e => e.Exception!.Message));
    }

    [Fact]
    public async Task PublishAsync_HandlerThrows_TheLogNamesTheHandler()
    {
        var logger = new FakeLogger<EventBus>();
        await using var bus = NewBus(EventDispatchMode.Inline, logger);
        var handlers = new ThrowingHandlers();
        bus.Subscribe<TaskFailed>(handlers.OnTaskFailedAsync);
        bus.Subscribe<TaskFailed>((_, _) => throw new InvalidOperationException("lambda boom"));

        await bus.PublishAsync(Failure(1), TestContext.Current.CancellationToken);

        Assert.Equal(1, handlers.Calls);
        Assert.Equal(
            [
                "Event handler AutoDev.Tests.Events.EventBusTests+ThrowingHandlers.OnTaskFailedAsync failed on TaskFailed; the other handlers still ran.",
                "Event handler AutoDev.Tests.Events.EventBusTests.PublishAsync_HandlerThrows_TheLogNamesTheHandler (a lambda) failed on TaskFailed; the other handlers still ran.",
            ],
            logger.Collector.GetSnapshot().Where(e => e.Level == LogLevel.Error).Select(e => e.Message));
    }

    private sealed class ThrowingHandlers
    {
        public int Calls { get; private set; }

        public ValueTask OnTaskFailedAsync(TaskFailed failed, CancellationToken cancellationToken)
        {
            Calls++;
            throw new InvalidOperationException($"method boom {Calls}");
        }
    }

    [Fact]
    public async Task Subscribe_Disposed_HandlerNoLongerRuns()
    {
        await using var bus = NewBus(EventDispatchMode.Inline);
        var count = 0;
        var subscription = bus.Subscribe<TaskFailed>((_, _) => { count++; return default; });
        await bus.PublishAsync(Failure(1), TestContext.Current.CancellationToken);

        subscription.Dispose();
        subscription.Dispose();
        await bus.PublishAsync(Failure(2), TestContext.Current.CancellationToken);

        Assert.Equal(1, count);
    }

    [Fact]
    public async Task PublishAsync_Channel_ReturnsBeforeSlowHandlerFinishes()
    {
        await using var bus = NewBus(EventDispatchMode.Channel);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bus.Subscribe<TaskFailed>(async (_, _) => { await release.Task; handled.SetResult(); });

        // Inline dispatch would wait for the handler, which waits for the release below: fail instead of hanging.
        var published = bus.PublishAsync(Failure(1), TestContext.Current.CancellationToken).AsTask();
        var returned = await Task.WhenAny(published, Task.Delay(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)) == published;
        var handledBeforeRelease = handled.Task.IsCompleted;
        release.SetResult();

        Assert.True(returned, "PublishAsync waited for the handler: the channel path dispatched inline.");
        Assert.False(handledBeforeRelease);
        await handled.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task DrainAsync_Channel_HandlesEveryQueuedEventInOrder()
    {
        var bus = NewBus(EventDispatchMode.Channel, capacity: 64);
        var seen = new List<string>();
        bus.Subscribe<TaskFailed>(async (e, _) => { await Task.Yield(); seen.Add(e.TaskDescription); });

        for (var i = 0; i < 500; i++)
        {
            await bus.PublishAsync(Failure(i), TestContext.Current.CancellationToken);
        }

        await bus.DrainAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"task {i}"), seen);
        await bus.DisposeAsync();
    }

    [Fact]
    public async Task PublishAsync_AfterDrain_DispatchesInlineSoNothingIsLost()
    {
        await using var bus = NewBus(EventDispatchMode.Channel);
        var count = 0;
        bus.Subscribe<TaskFailed>((_, _) => { Interlocked.Increment(ref count); return default; });
        await bus.DrainAsync(TestContext.Current.CancellationToken);

        await bus.PublishAsync(Failure(1), TestContext.Current.CancellationToken);

        Assert.Equal(1, count);
    }

    [Fact]
    public async Task HostStop_Channel_DrainsQueuedEvents()
    {
        var seen = 0;
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAutoDev(o => o.EventChannelCapacity = 16);
        using var host = builder.Build();
        var bus = host.Services.GetRequiredService<IEventBus>();
        bus.Subscribe<TaskFailed>(async (_, _) => { await Task.Delay(1, CancellationToken.None); Interlocked.Increment(ref seen); });
        await host.StartAsync(TestContext.Current.CancellationToken);

        for (var i = 0; i < 50; i++)
        {
            await bus.PublishAsync(Failure(i), TestContext.Current.CancellationToken);
        }

        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(50, seen);
    }
}
