using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>The default <see cref="IEventBus"/>: inline dispatch, or a bounded channel drained by one background pump.</summary>
/// <remarks>
/// In channel mode the pump starts with the host (through a hosted service) or at the first publish, whichever comes
/// first. Handlers run one event at a time, in publish order. Stopping the host, or <see cref="DisposeAsync"/>, drains what
/// is queued; events published after that are dispatched inline so nothing is lost.
/// </remarks>
internal sealed class EventBus : IEventBus, IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<Type, HandlerList> _handlers = new();
    private readonly Channel<QueuedEvent>? _channel;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _abort = new();
    private Task? _pump;
    private int _pumpStarted;
    private volatile bool _completed;

    /// <summary>Creates the bus from options.</summary>
    public EventBus(IOptions<AutoDevOptions> options, ILogger<EventBus> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        var value = options.Value;
        if (value.EventDispatchMode == EventDispatchMode.Channel)
        {
            _channel = Channel.CreateBounded<QueuedEvent>(new BoundedChannelOptions(value.EventChannelCapacity)
            {
                SingleReader = true,
                SingleWriter = false,
                FullMode = BoundedChannelFullMode.Wait,
                AllowSynchronousContinuations = false,
            });
        }

        AutoDevTelemetry.Observe(this);
    }

    /// <summary>How many events wait in the channel; for the queue-depth gauge.</summary>
    public int Queued => _channel?.Reader.Count ?? 0;

    /// <summary>The dispatch mode in force.</summary>
    public EventDispatchMode Mode => _channel is null ? EventDispatchMode.Inline : EventDispatchMode.Channel;

    /// <inheritdoc/>
    public ValueTask PublishAsync<TEvent>(TEvent message, CancellationToken cancellationToken = default)
        where TEvent : AutoDevEvent
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_channel is null || _completed)
        {
            return DispatchAsync(message, cancellationToken);
        }

        EnsurePumpStarted();
        // The event carries its publisher's trace, so the handlers' spans join it.
        var queued = new QueuedEvent(message, Activity.Current?.Context ?? default);
        return _channel.Writer.TryWrite(queued) ? default : WriteSlowAsync(queued, cancellationToken);
    }

    /// <inheritdoc/>
    public IDisposable Subscribe<TEvent>(Func<TEvent, CancellationToken, ValueTask> handler)
        where TEvent : AutoDevEvent
    {
        ArgumentNullException.ThrowIfNull(handler);
        var entry = new Handler<TEvent>(handler);
        _handlers.GetOrAdd(typeof(TEvent), static _ => new HandlerList()).Add(entry);
        return new Subscription(this, typeof(TEvent), entry);
    }

    /// <summary>Starts the background pump if it is not running. Called by the hosted worker; idempotent.</summary>
    public void EnsurePumpStarted()
    {
        if (_channel is not null && Volatile.Read(ref _pumpStarted) == 0 && Interlocked.Exchange(ref _pumpStarted, 1) == 0)
        {
            _pump = Task.Run(PumpAsync);
        }
    }

    /// <summary>Stops accepting queued events and waits until every queued event has been handled.</summary>
    /// <param name="cancellationToken">When it fires, handlers still running are cancelled and the rest of the queue is dropped (logged).</param>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        _completed = true;
        if (_channel is null)
        {
            return;
        }

        _channel.Writer.TryComplete();
        if (_pump is not { } pump)
        {
            EnsurePumpStarted();
            pump = _pump!;
        }

        using var registration = cancellationToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), _abort);
        await pump.ConfigureAwait(false);
    }

    /// <summary>Stops accepting queued events without waiting: the pump finishes the queue in the background. Prefer <see cref="DisposeAsync"/> or stopping the host, which wait.</summary>
    public void Dispose()
    {
        _completed = true;
        _channel?.Writer.TryComplete();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await DrainAsync(CancellationToken.None).ConfigureAwait(false);
        _abort.Dispose();
    }

    private async ValueTask WriteSlowAsync(QueuedEvent queued, CancellationToken cancellationToken)
    {
        try
        {
            await _channel!.Writer.WriteAsync(queued, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            await DispatchAsync(queued.Event, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PumpAsync()
    {
        var reader = _channel!.Reader;
        var dropped = 0;
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (reader.TryRead(out var queued))
            {
                if (_abort.IsCancellationRequested)
                {
                    dropped++;
                    continue;
                }

                // A span per dispatched event, in the trace of the code that published it.
                var activity = AutoDevTelemetry.Source.StartActivity("event.dispatch", ActivityKind.Consumer, queued.Parent)?
                    .SetTag("autodev.event", queued.Event.GetType().Name)
                    .SetTag("autodev.tenant", queued.Event.TenantId);
                try
                {
                    var pending = DispatchAsync(queued.Event, _abort.Token);
                    if (!pending.IsCompletedSuccessfully)
                    {
                        await pending.ConfigureAwait(false);
                    }
                }
                finally
                {
                    activity?.Dispose();
                }
            }
        }

        if (dropped > 0)
        {
            Log.EventsDropped(_logger, dropped);
        }
    }

    /// <summary>Runs every handler of the event's type. Allocation-free while handlers complete synchronously.</summary>
    internal ValueTask DispatchAsync(AutoDevEvent @event, CancellationToken cancellationToken)
    {
        if (!_handlers.TryGetValue(@event.GetType(), out var list))
        {
            return default;
        }

        var handlers = list.Snapshot;
        for (var i = 0; i < handlers.Length; i++)
        {
            ValueTask pending;
            try
            {
                pending = handlers[i].InvokeAsync(@event, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                HandlerFailed(ex, handlers[i], @event);
                continue;
            }

            if (!pending.IsCompletedSuccessfully)
            {
                return DispatchSlowAsync(pending, @event, handlers, i, cancellationToken);
            }
        }

        return default;
    }

    private async ValueTask DispatchSlowAsync(ValueTask pending, AutoDevEvent @event, HandlerBase[] handlers, int index, CancellationToken cancellationToken)
    {
        for (var i = index; i < handlers.Length; i++)
        {
            try
            {
                if (i > index)
                {
                    pending = handlers[i].InvokeAsync(@event, cancellationToken);
                }

                await pending.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                HandlerFailed(ex, handlers[i], @event);
            }
        }
    }

    private void HandlerFailed(Exception exception, HandlerBase handler, AutoDevEvent @event)
    {
        Log.HandlerFailed(_logger, exception, handler.Name, @event.GetType().Name);
        AutoDevTelemetry.HandlerFailures.Add(1, new KeyValuePair<string, object?>("autodev.event", @event.GetType().Name));
    }

    private void Unsubscribe(Type type, HandlerBase handler)
    {
        if (_handlers.TryGetValue(type, out var list))
        {
            list.Remove(handler);
        }
    }

    private abstract class HandlerBase(Delegate callback)
    {
        /// <summary>Who the handler is, for the log: <c>AutoDev.MementoLoop.HandleAsync</c>, or the method a lambda was written in.</summary>
        public string Name { get; } = NameOf(callback);

        public abstract ValueTask InvokeAsync(AutoDevEvent @event, CancellationToken cancellationToken);

        /// <summary>The handler's type and method; for a lambda, the type and method it was written in (not the compiler's closure names).</summary>
        internal static string NameOf(Delegate callback)
        {
            var method = callback.Method;
            var type = callback.Target?.GetType() ?? method.DeclaringType;
            while (type is { DeclaringType: { } outer } && type.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute), false))
            {
                type = outer;
            }

            // A lambda's method is named <Enclosing>b__0_0: keep the enclosing method's name.
            var name = method.Name;
            if (name.StartsWith('<') && name.IndexOf('>', StringComparison.Ordinal) is > 1 and var end)
            {
                name = name[1..end] + " (a lambda)";
            }

            return $"{type?.FullName ?? "?"}.{name}";
        }
    }

    private sealed class Handler<TEvent>(Func<TEvent, CancellationToken, ValueTask> callback) : HandlerBase(callback)
        where TEvent : AutoDevEvent
    {
        public override ValueTask InvokeAsync(AutoDevEvent @event, CancellationToken cancellationToken) =>
            callback((TEvent)@event, cancellationToken);
    }

    /// <summary>Copy-on-write array: publishing reads without a lock.</summary>
    private sealed class HandlerList
    {
        private readonly Lock _lock = new();
        private HandlerBase[] _snapshot = [];

        public HandlerBase[] Snapshot => Volatile.Read(ref _snapshot);

        public void Add(HandlerBase handler)
        {
            lock (_lock)
            {
                Volatile.Write(ref _snapshot, [.. _snapshot, handler]);
            }
        }

        public void Remove(HandlerBase handler)
        {
            lock (_lock)
            {
                Volatile.Write(ref _snapshot, Array.FindAll(_snapshot, h => !ReferenceEquals(h, handler)));
            }
        }
    }

    private sealed class Subscription(EventBus bus, Type type, HandlerBase handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                bus.Unsubscribe(type, handler);
            }
        }
    }
}

/// <summary>An event in the channel, with the trace context of the code that published it.</summary>
internal readonly record struct QueuedEvent(AutoDevEvent Event, ActivityContext Parent);
