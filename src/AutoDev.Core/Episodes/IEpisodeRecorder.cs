namespace AutoDev;

/// <summary>The host's one call to record what an agent did: stores the episode, keeps the agent's counters, graduates it, and publishes the outcome.</summary>
/// <remarks>Thread-safe. The episode is stored before any event is published, so a handler always finds it.</remarks>
public interface IEpisodeRecorder
{
    /// <summary>Records an episode. An agent seen for the first time gets a STUDENT profile.</summary>
    /// <exception cref="ArgumentException">The episode has no tenant, agent or task.</exception>
    ValueTask<EpisodeRecorded> RecordAsync(Episode episode, CancellationToken cancellationToken = default);
}

/// <summary>What recording an episode did.</summary>
/// <param name="Episode">The stored episode.</param>
/// <param name="Agent">The agent's profile after the episode (and any graduation).</param>
/// <param name="Graduation">The graduation attempt that followed.</param>
public sealed record EpisodeRecorded(Episode Episode, AgentProfile Agent, GraduationResult Graduation);

/// <summary>The default <see cref="IEpisodeRecorder"/>.</summary>
/// <remarks>
/// The store adds and counts the episode in one step, so nothing after it can leave the episode stored but uncounted.
/// An episode whose id was recorded before (a host's retry) is not stored or counted again, but its outcome is
/// published again: delivery is at least once, and AutoDev's own handlers are idempotent.
/// </remarks>
internal sealed class EpisodeRecorder(
    IEpisodeStore episodes,
    ICapabilityGate gate,
    IEventBus events,
    TimeProvider time) : IEpisodeRecorder
{
    /// <inheritdoc/>
    public async ValueTask<EpisodeRecorded> RecordAsync(Episode episode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(episode);
        using var activity = AutoDevTelemetry.Source.StartActivity("episode.record")?
            .SetTag("autodev.tenant", episode.TenantId)
            .SetTag("autodev.agent", episode.AgentId)
            .SetTag("autodev.episode.id", episode.Id.ToString())
            .SetTag("autodev.outcome", episode.Success ? "succeeded" : "failed");

        // The store validates the episode (Episode.EnsureValid) before it writes anything.
        var stored = episode.OccurredAt == default ? episode with { OccurredAt = time.GetUtcNow() } : episode;
        var added = await episodes.AddAsync(stored, cancellationToken).ConfigureAwait(false);
        activity?.SetTag("autodev.episode.added", added.Added);
        if (!added.Added)
        {
            stored = await episodes.FindAsync(stored.TenantId, stored.Id, cancellationToken).ConfigureAwait(false) ?? stored;
        }

        var graduation = await TryGraduateAsync(added.Agent, cancellationToken).ConfigureAwait(false);
        if (stored.Success)
        {
            await events.PublishAsync(new TaskSucceeded { TenantId = stored.TenantId, AgentId = stored.AgentId, EpisodeId = stored.Id, TaskDescription = stored.TaskDescription, OccurredAt = stored.OccurredAt }, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await events.PublishAsync(new TaskFailed { TenantId = stored.TenantId, AgentId = stored.AgentId, EpisodeId = stored.Id, TaskDescription = stored.TaskDescription, ErrorTrace = stored.ErrorTrace, OccurredAt = stored.OccurredAt }, cancellationToken).ConfigureAwait(false);
        }

        return new EpisodeRecorded(stored, graduation.Agent, graduation);
    }

    private async ValueTask<GraduationResult> TryGraduateAsync(AgentProfile counted, CancellationToken cancellationToken)
    {
        try
        {
            return await gate.TryGraduateAsync(counted.TenantId, counted.AgentId, cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            // Other episodes of the agent kept changing its profile: the next episode graduates it.
            return new GraduationResult(counted, counted.Maturity, GraduationReadiness.Evaluate(counted), []);
        }
    }
}
