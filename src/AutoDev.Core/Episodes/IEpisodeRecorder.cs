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
public sealed class EpisodeRecorder(
    IEpisodeStore episodes,
    IAgentProfileStore agents,
    ICapabilityGate gate,
    IEventBus events,
    TimeProvider time) : IEpisodeRecorder
{
    private const int UpdateAttempts = 5;

    /// <inheritdoc/>
    public async ValueTask<EpisodeRecorded> RecordAsync(Episode episode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(episode);
        Internal.Guard.Id(episode.TenantId);
        Internal.Guard.Id(episode.AgentId);
        ArgumentException.ThrowIfNullOrWhiteSpace(episode.TaskDescription);
        if (episode.ConstitutionalScore is { } score && (double.IsNaN(score) || score is < 0 or > 1))
        {
            throw new ArgumentException($"ConstitutionalScore is {score}; it must be between 0 and 1.", nameof(episode));
        }

        var now = time.GetUtcNow();
        var stored = episode.OccurredAt == default ? episode with { OccurredAt = now } : episode;
        await episodes.AddAsync(stored, cancellationToken).ConfigureAwait(false);
        await UpdateCountersAsync(stored, now, cancellationToken).ConfigureAwait(false);
        var graduation = await gate.TryGraduateAsync(stored.TenantId, stored.AgentId, cancellationToken).ConfigureAwait(false);

        AutoDevEvent outcome = stored.Success
            ? new TaskSucceeded { TenantId = stored.TenantId, AgentId = stored.AgentId, EpisodeId = stored.Id, TaskDescription = stored.TaskDescription, OccurredAt = stored.OccurredAt }
            : new TaskFailed { TenantId = stored.TenantId, AgentId = stored.AgentId, EpisodeId = stored.Id, TaskDescription = stored.TaskDescription, ErrorTrace = stored.ErrorTrace, OccurredAt = stored.OccurredAt };
        if (outcome is TaskFailed failed)
        {
            await events.PublishAsync(failed, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await events.PublishAsync((TaskSucceeded)outcome, cancellationToken).ConfigureAwait(false);
        }

        return new EpisodeRecorded(stored, graduation.Agent, graduation);
    }

    private async ValueTask UpdateCountersAsync(Episode episode, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var profile = await agents.FindAsync(episode.TenantId, episode.AgentId, cancellationToken).ConfigureAwait(false)
                ?? (await agents.AddAsync(new AgentProfile { TenantId = episode.TenantId, AgentId = episode.AgentId, CreatedAt = now }, cancellationToken).ConfigureAwait(false)).Entity;
            var updated = profile with
            {
                EpisodeCount = profile.EpisodeCount + 1,
                InterventionCount = profile.InterventionCount + (episode.HumanIntervention ? 1 : 0),
                ConstitutionalScoreSum = profile.ConstitutionalScoreSum + (episode.ConstitutionalScore ?? 0),
                ConstitutionalScoreCount = profile.ConstitutionalScoreCount + (episode.ConstitutionalScore is null ? 0 : 1),
            };
            try
            {
                await agents.UpdateAsync(updated, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ConcurrencyConflictException) when (attempt < UpdateAttempts)
            {
                // Another episode of the same agent was counted meanwhile: read again and retry.
            }
        }
    }
}
