using AutoDev;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AutoDev.Benchmarks;

/// <summary>Publishing one event to three handlers. Baseline: calling the three handlers directly.</summary>
[MemoryDiagnoser]
public class EventBusInlineBenchmarks
{
    private readonly TaskFailed _event = new() { TenantId = "t", AgentId = "a", EpisodeId = Guid.NewGuid(), TaskDescription = "task" };
    private EventBus _bus = null!;
    private Func<TaskFailed, CancellationToken, ValueTask>[] _handlers = null!;
    private long _count;

    [GlobalSetup]
    public void Setup()
    {
        _bus = new EventBus(Options.Create(new AutoDevOptions { EventDispatchMode = EventDispatchMode.Inline }), NullLogger<EventBus>.Instance);
        _handlers = [Handle, Handle, Handle];
        foreach (var handler in _handlers)
        {
            _bus.Subscribe(handler);
        }
    }

    [Benchmark(Baseline = true)]
    public async ValueTask DirectCalls()
    {
        foreach (var handler in _handlers)
        {
            await handler(_event, CancellationToken.None);
        }
    }

    [Benchmark]
    public ValueTask PublishInline() => _bus.PublishAsync(_event);

    private ValueTask Handle(TaskFailed e, CancellationToken ct)
    {
        _count++;
        return default;
    }
}

/// <summary>
/// Throughput through the channel: publish a batch of events to three handlers and wait until the pump has handled them.
/// Baseline: the same batch dispatched inline on the publishing thread.
/// </summary>
[MemoryDiagnoser]
public class EventBusChannelBenchmarks
{
    private const int Batch = 100_000;
    private readonly TaskFailed _event = new() { TenantId = "t", AgentId = "a", EpisodeId = Guid.NewGuid(), TaskDescription = "task" };
    private EventBus _inline = null!;
    private EventBus _channel = null!;
    private long _handled;
    private long _target;
    private TaskCompletionSource _done = new();

    [GlobalSetup]
    public void Setup()
    {
        _inline = Create(EventDispatchMode.Inline);
        _channel = Create(EventDispatchMode.Channel);
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _channel.DisposeAsync();

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public async Task InlineBatch()
    {
        Arm();
        for (var i = 0; i < Batch; i++)
        {
            await _inline.PublishAsync(_event);
        }

        await _done.Task;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public async Task ChannelBatch()
    {
        Arm();
        for (var i = 0; i < Batch; i++)
        {
            await _channel.PublishAsync(_event);
        }

        await _done.Task;
    }

    private void Arm()
    {
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _target = Volatile.Read(ref _handled) + (3L * Batch);
    }

    private EventBus Create(EventDispatchMode mode)
    {
        var bus = new EventBus(Options.Create(new AutoDevOptions { EventDispatchMode = mode, EventChannelCapacity = 10_000 }), NullLogger<EventBus>.Instance);
        bus.Subscribe<TaskFailed>(Count);
        bus.Subscribe<TaskFailed>(Count);
        bus.Subscribe<TaskFailed>(Count);
        return bus;
    }

    private ValueTask Count(TaskFailed e, CancellationToken ct)
    {
        // One reader at a time: the pump, or the publisher in inline mode.
        if (++_handled == _target)
        {
            _done.TrySetResult();
        }

        return default;
    }
}
