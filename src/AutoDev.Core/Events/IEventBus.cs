namespace AutoDev;

/// <summary>Carries AutoDev events from publishers (the host, the engines) to handlers.</summary>
/// <remarks>
/// Thread-safe. A handler that throws is logged and the others still run. In the default channel mode
/// <see cref="PublishAsync{TEvent}"/> only queues the event, so a publisher never waits for a handler's LLM call; it
/// waits only when the queue is full.
/// </remarks>
public interface IEventBus
{
    /// <summary>Publishes an event to every handler subscribed to its type.</summary>
    ValueTask PublishAsync<TEvent>(TEvent message, CancellationToken cancellationToken = default)
        where TEvent : AutoDevEvent;

    /// <summary>Subscribes a handler to one event type. Dispose the result to unsubscribe.</summary>
    IDisposable Subscribe<TEvent>(Func<TEvent, CancellationToken, ValueTask> handler)
        where TEvent : AutoDevEvent;
}

/// <summary>How the default <see cref="IEventBus"/> delivers events.</summary>
public enum EventDispatchMode
{
    /// <summary>Through a bounded channel drained by a background worker. The default.</summary>
    Channel = 0,

    /// <summary>On the publisher's call, before <see cref="IEventBus.PublishAsync{TEvent}"/> completes. For tests and simple hosts.</summary>
    Inline = 1,
}
