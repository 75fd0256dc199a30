using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>What reflection decided about a new failure.</summary>
public enum ReflectionAction
{
    /// <summary>Not enough similar failures yet.</summary>
    Wait = 0,

    /// <summary>The pattern already has an open candidate; the failure was attached to it, and no LLM call is needed.</summary>
    Attach = 1,

    /// <summary>The pattern reached the threshold and has no open candidate: generate one.</summary>
    Trigger = 2,
}

/// <summary>What reflection decided, with the failure pattern.</summary>
/// <param name="Action">What to do.</param>
/// <param name="PatternKey">The failure pattern's key (see <see cref="FailurePatterns.KeyOf"/>): the agent's, never shared with another agent.</param>
/// <param name="Count">How many of the agent's recent failures are in the pattern.</param>
/// <param name="EpisodeIds">Those failures, oldest first (empty for <see cref="ReflectionAction.Wait"/>).</param>
/// <param name="OpenCandidate">The open candidate the failure was attached to, for <see cref="ReflectionAction.Attach"/>.</param>
public sealed record ReflectionDecision(ReflectionAction Action, string PatternKey, int Count, IReadOnlyList<Guid> EpisodeIds, SkillCandidate? OpenCandidate = null);

/// <summary>
/// Groups each agent's recent failures into patterns and decides when a pattern deserves a new skill: at
/// <see cref="AutoDevOptions.FailureThreshold"/> similar failures (default 2), unless an open candidate exists, which
/// the failure is then attached to.
/// </summary>
/// <remarks>
/// Failures count once: after a trigger, the pattern needs the threshold's worth of new failures before the next one
/// (an index rebuilt after a restart counts the recent failures afresh).
/// The failures themselves are episodes in <see cref="IEpisodeStore"/>; the engine keeps an index per agent (exact
/// pattern key in a dictionary, then similarity against the agent's few patterns, never all failures pairwise) and
/// rebuilds it from the store the first time it sees an agent, so a restart loses nothing. Thread-safe singleton.
/// </remarks>
public sealed class FailurePatternDetector(
    ITaskSimilarity similarity,
    IEpisodeStore episodes,
    ISkillCandidateStore candidates,
    IOptions<AutoDevOptions> options,
    ILogger<FailurePatternDetector> logger)
{
    private const int AttachAttempts = 5;
    private readonly ConcurrentDictionary<(string Tenant, string Agent), Lazy<Task<AgentFailures>>> _agents = new();
    private readonly int _threshold = options.Value.FailureThreshold;
    private readonly int _window = options.Value.FailureWindow;

    /// <summary>Adds a failure (an episode already stored) to its agent's patterns and decides what to do.</summary>
    /// <exception cref="ArgumentException">The episode is a success.</exception>
    public async ValueTask<ReflectionDecision> ObserveFailureAsync(Episode failure, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (failure.Success)
        {
            throw new ArgumentException($"Episode '{failure.Id}' succeeded; reflection looks at failures only.", nameof(failure));
        }

        using var activity = AutoDevTelemetry.Start("reflection.decide", failure.TenantId)?
            .SetTag("autodev.agent", failure.AgentId)
            .SetTag("autodev.episode.id", failure.Id.ToString());
        var decision = await DecideAsync(failure, cancellationToken).ConfigureAwait(false);
        activity?.SetTag("autodev.outcome", decision.Action.ToString()).SetTag("autodev.reflection.failures", decision.Count);
        return decision;
    }

    private async ValueTask<ReflectionDecision> DecideAsync(Episode failure, CancellationToken cancellationToken)
    {
        var agent = await GetAgentAsync(failure.TenantId, failure.AgentId, cancellationToken).ConfigureAwait(false);
        var signature = await similarity.SignAsync(failure.TaskDescription, cancellationToken).ConfigureAwait(false);
        var taskKey = agent.Add(failure.Id, signature);
        var key = FailurePatterns.KeyOf(failure.AgentId, taskKey);
        var open = await candidates.FindOpenByPatternAsync(failure.TenantId, key, cancellationToken).ConfigureAwait(false);
        if (open is not null)
        {
            var ids = agent.Episodes(taskKey);
            var attached = await AttachAsync(open, failure.Id, cancellationToken).ConfigureAwait(false);
            Log.FailureAttached(logger, failure.TenantId, failure.AgentId, failure.Id, attached.Id, attached.Name);
            return new ReflectionDecision(ReflectionAction.Attach, key, ids.Count, ids, attached);
        }

        // Failures that already led to a candidate (promoted, failed or rejected) do not count twice: the next
        // candidate of the pattern needs the threshold's worth of new failures.
        var (fresh, due) = agent.TryConsume(taskKey, _threshold);
        return due is not null
            ? new ReflectionDecision(ReflectionAction.Trigger, key, due.Count, due)
            : new ReflectionDecision(ReflectionAction.Wait, key, fresh, []);
    }

    private async ValueTask<SkillCandidate> AttachAsync(SkillCandidate open, Guid episodeId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (open.SourceEpisodeIds.Contains(episodeId))
            {
                return open;
            }

            try
            {
                return await candidates.UpdateAsync(open with { SourceEpisodeIds = [.. open.SourceEpisodeIds, episodeId] }, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException) when (attempt < AttachAttempts)
            {
                open = await candidates.FindAsync(open.TenantId, open.Id, cancellationToken).ConfigureAwait(false) ?? open;
            }
        }
    }

    private async ValueTask<AgentFailures> GetAgentAsync(string tenantId, string agentId, CancellationToken cancellationToken)
    {
        var lazy = _agents.GetOrAdd((tenantId, agentId), key => new Lazy<Task<AgentFailures>>(() => LoadAsync(key.Tenant, key.Agent)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            _agents.TryRemove(new KeyValuePair<(string, string), Lazy<Task<AgentFailures>>>((tenantId, agentId), lazy));
            throw;
        }
    }

    /// <summary>Rebuilds an agent's index from its recent failures in the store, oldest first.</summary>
    private async Task<AgentFailures> LoadAsync(string tenantId, string agentId)
    {
        var agent = new AgentFailures(similarity, _window);
        var recent = new List<Episode>();
        await foreach (var episode in episodes.ListRecentAsync(tenantId, agentId, success: false, _window, CancellationToken.None).ConfigureAwait(false))
        {
            recent.Add(episode);
        }

        for (var i = recent.Count - 1; i >= 0; i--)
        {
            agent.Add(recent[i].Id, await similarity.SignAsync(recent[i].TaskDescription).ConfigureAwait(false));
        }

        return agent;
    }

    /// <summary>One agent's recent failures, grouped into patterns. A sliding window: the oldest failure leaves when a new one comes.</summary>
    internal sealed class AgentFailures(ITaskSimilarity similarity, int window)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, Pattern> _byKey = new(StringComparer.Ordinal);
        private readonly List<Pattern> _patterns = [];
        private readonly Queue<(Guid Episode, Pattern Pattern)> _recent = new();
        private readonly Dictionary<Guid, Pattern> _byEpisode = [];

        /// <summary>Adds a failure to its pattern (once; the oldest leaves the window); returns the pattern's key.</summary>
        public string Add(Guid episodeId, TaskSignature signature)
        {
            lock (_lock)
            {
                if (_byEpisode.TryGetValue(episodeId, out var known))
                {
                    return known.Key;
                }

                var pattern = Match(signature);
                pattern.Episodes.Add(episodeId);
                pattern.Fresh++;
                _byEpisode[episodeId] = pattern;
                _recent.Enqueue((episodeId, pattern));
                if (_recent.Count > window)
                {
                    var (oldest, oldPattern) = _recent.Dequeue();
                    _byEpisode.Remove(oldest);
                    oldPattern.Episodes.Remove(oldest);
                    if (!oldPattern.Consumed.Remove(oldest))
                    {
                        oldPattern.Fresh--;
                    }

                    if (oldPattern.Episodes.Count == 0)
                    {
                        _patterns.Remove(oldPattern);
                        foreach (var key in oldPattern.Keys)
                        {
                            _byKey.Remove(key);
                        }
                    }
                }

                return pattern.Key;
            }
        }

        /// <summary>
        /// How many of the pattern's failures no candidate used yet; and, when there are at least
        /// <paramref name="threshold"/>, those failures, now marked as used.
        /// </summary>
        public (int Fresh, IReadOnlyList<Guid>? Due) TryConsume(string key, int threshold)
        {
            lock (_lock)
            {
                if (!_byKey.TryGetValue(key, out var pattern) || pattern.Fresh < threshold)
                {
                    return (pattern?.Fresh ?? 0, null);
                }

                var due = pattern.Episodes.Where(e => !pattern.Consumed.Contains(e)).ToList();
                pattern.Consumed.UnionWith(due);
                pattern.Fresh = 0;
                return (due.Count, due);
            }
        }

        /// <summary>The pattern's failures in the window, oldest first.</summary>
        public IReadOnlyList<Guid> Episodes(string key)
        {
            lock (_lock)
            {
                return _byKey.TryGetValue(key, out var pattern) ? [.. pattern.Episodes] : [];
            }
        }

        /// <summary>The pattern with the same key, else the most similar one above the threshold, else a new one.</summary>
        private Pattern Match(TaskSignature signature)
        {
            if (_byKey.TryGetValue(signature.Key, out var exact))
            {
                return exact;
            }

            Pattern? best = null;
            var bestScore = similarity.Threshold;
            foreach (var pattern in _patterns)
            {
                var score = similarity.Similarity(signature, pattern.Signature);
                if (score >= bestScore)
                {
                    (best, bestScore) = (pattern, score);
                }
            }

            if (best is not null)
            {
                // The next failure worded this way finds the pattern by its key at once.
                best.Keys.Add(signature.Key);
                _byKey[signature.Key] = best;
                return best;
            }

            var created = new Pattern(signature.Key, signature);
            created.Keys.Add(signature.Key);
            _patterns.Add(created);
            _byKey[created.Key] = created;
            return created;
        }

        private sealed class Pattern(string key, TaskSignature signature)
        {
            public string Key { get; } = key;

            public TaskSignature Signature { get; } = signature;

            public List<Guid> Episodes { get; } = [];

            /// <summary>How many failures in the window no candidate used yet.</summary>
            public int Fresh { get; set; }

            /// <summary>The failures a candidate was already generated from.</summary>
            public HashSet<Guid> Consumed { get; } = [];

            /// <summary>Every task key that led here: the pattern's own and those of similar wordings.</summary>
            public List<string> Keys { get; } = [];
        }
    }
}
