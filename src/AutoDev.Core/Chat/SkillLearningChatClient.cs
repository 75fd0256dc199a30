using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AutoDev;

/// <summary>Which workspace and agent a chat request belongs to, for <see cref="SkillLearningChatClient"/>.</summary>
/// <param name="TenantId">The workspace whose skills the agent is offered and whose episodes it records.</param>
/// <param name="AgentId">The agent.</param>
public sealed record AgentIdentity(string TenantId, string AgentId)
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key that carries an <see cref="AgentIdentity"/>: <c>autodev.agent</c>. Taken out before the request goes on.</summary>
    public const string OptionsKey = "autodev.agent";

    /// <summary>Whether the middleware records the request as an episode. Set it to false where the host records the outcome itself (<see cref="IEpisodeRecorder"/>), because it knows better.</summary>
    public bool RecordEpisode { get; init; } = true;
}

/// <summary>Options of <see cref="SkillLearningChatClient"/>.</summary>
public sealed class SkillLearningOptions
{
    /// <summary>
    /// Finds the agent of a request that carries no <see cref="AgentIdentity"/> under <see cref="AgentIdentity.OptionsKey"/>
    /// (for example from the signed-in user); <see langword="null"/> when it cannot. A request with no agent is passed on unchanged and recorded nowhere.
    /// </summary>
    public Func<ChatOptions?, AgentIdentity?>? Identify { get; set; }

    /// <summary>Whether the workspace's skills are offered as tools. Default true.</summary>
    public bool OfferSkills { get; set; } = true;

    /// <summary>The longest task description recorded from a user's request, in characters; longer ones are cut. Default 2,000.</summary>
    public int MaxTaskLength { get; set; } = 2_000;
}

/// <summary>
/// Lets an <see cref="IChatClient"/> agent learn with no host code: every request is offered the workspace's skills as
/// <see cref="AIFunction"/> tools, and every request that called tools becomes an episode: failed when a tool threw or
/// reported an error (the task is the user's request, the error what the tool said, the context the call's
/// arguments), succeeded when every call came back cleanly. Two failures of the same kind make Memento-Skills write a
/// skill; once it is promoted, the next request is offered it.
/// </summary>
/// <remarks>
/// Put it outside (before) <c>UseFunctionInvocation()</c>, so the function-invoking client sees the added tools and
/// this client sees their results: <c>builder.UseAutoDev().UseFunctionInvocation()</c>. The model sees nothing else
/// that changed: the caller's options are copied, never mutated, and the <see cref="AgentIdentity.OptionsKey"/> entry
/// is removed. The tool set is cached per agent and dropped when a skill of the workspace is promoted, registered or
/// rolled back. Recording never fails the request: a store that throws is logged. Thread-safe.
/// </remarks>
public sealed class SkillLearningChatClient : DelegatingChatClient
{
    /// <summary>The prefix of what an AutoDev skill tool returns when the skill failed in the sandbox.</summary>
    public const string SkillFailurePrefix = "The skill failed";

    /// <summary>M.E.AI's serializer options, written compactly: the arguments become an episode's context JSON.</summary>
    private static readonly JsonSerializerOptions CompactJson = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    private readonly ISkillRunner _skills;
    private readonly IEpisodeRecorder _recorder;
    private readonly SkillLearningOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string Tenant, string Agent), Task<IReadOnlyList<AIFunction>>> _tools = new();
    private readonly IDisposable[] _subscriptions;

    /// <summary>Creates the client over <paramref name="innerClient"/>.</summary>
    public SkillLearningChatClient(IChatClient innerClient, ISkillRunner skills, IEpisodeRecorder recorder, IEventBus events, SkillLearningOptions? options = null, TimeProvider? time = null, ILogger<SkillLearningChatClient>? logger = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(skills);
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentNullException.ThrowIfNull(events);
        (_skills, _recorder, _options, _time, _logger) = (skills, recorder, options ?? new SkillLearningOptions(), time ?? TimeProvider.System, logger ?? (ILogger)NullLogger.Instance);
        _subscriptions =
        [
            events.Subscribe<SkillPromoted>((e, _) => Forget(e.TenantId)),
            events.Subscribe<SkillRegistered>((e, _) => Forget(e.TenantId)),
            events.Subscribe<SkillRolledBack>((e, _) => Forget(e.TenantId)),
        ];
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var identity = Identify(options);
        if (identity is null)
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        var request = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var response = await base.GetResponseAsync(request, await ForwardAsync(identity, options, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await RecordAsync(identity, request, response.Messages).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var identity = Identify(options);
        var request = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var forwarded = identity is null ? options : await ForwardAsync(identity, options, cancellationToken).ConfigureAwait(false);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in base.GetStreamingResponseAsync(request, forwarded, cancellationToken).ConfigureAwait(false))
        {
            if (identity is not null)
            {
                updates.Add(update);
            }

            yield return update;
        }

        if (identity is not null)
        {
            await RecordAsync(identity, request, updates.ToChatResponse().Messages).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private AgentIdentity? Identify(ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(AgentIdentity.OptionsKey, out var value) == true && value is AgentIdentity identity
            ? identity
            : _options.Identify?.Invoke(options);

    /// <summary>A copy of the caller's options with the identity taken out and the skills added (a tool of the same name the caller gave wins).</summary>
    private async Task<ChatOptions> ForwardAsync(AgentIdentity identity, ChatOptions? options, CancellationToken cancellationToken)
    {
        var forwarded = options?.Clone().WithoutProperty(AgentIdentity.OptionsKey) ?? new ChatOptions();

        if (_options.OfferSkills)
        {
            IReadOnlyList<AIFunction> skills;
            try
            {
                skills = await ToolsAsync(identity, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The registry is unreachable: the agent works without its skills rather than not at all.
                Log.SkillToolsUnavailable(_logger, ex, identity.TenantId, identity.AgentId);
                skills = [];
            }

            if (skills.Count > 0)
            {
                var tools = forwarded.Tools is { } given ? new List<AITool>(given) : new List<AITool>(skills.Count);
                foreach (var skill in skills)
                {
                    if (!tools.Exists(t => t.Name == skill.Name))
                    {
                        tools.Add(skill);
                    }
                }

                forwarded.Tools = tools;
            }
        }

        return forwarded;
    }

    private Task<IReadOnlyList<AIFunction>> ToolsAsync(AgentIdentity identity, CancellationToken cancellationToken)
    {
        var key = (identity.TenantId, identity.AgentId);
        var tools = _tools.GetOrAdd(key, _ => _skills.GetToolsAsync(identity.TenantId, identity.AgentId, CancellationToken.None));
        if (tools.IsFaulted || tools.IsCanceled)
        {
            _tools.TryRemove(new(key, tools)); // the next request asks again
        }

        return tools.WaitAsync(cancellationToken);
    }

    private ValueTask Forget(string tenantId)
    {
        foreach (var key in _tools.Keys)
        {
            if (key.Tenant == tenantId)
            {
                _tools.TryRemove(key, out _);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Records the request as an episode when it called tools; never throws.</summary>
    private async Task RecordAsync(AgentIdentity identity, IReadOnlyList<ChatMessage> request, IList<ChatMessage> response)
    {
        if (!identity.RecordEpisode)
        {
            return;
        }

        try
        {
            if (EpisodeOf(identity, request, response) is { } episode)
            {
                await _recorder.RecordAsync(episode, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Log.EpisodeNotRecorded(_logger, ex, identity.TenantId, identity.AgentId);
        }
    }

    private Episode? EpisodeOf(AgentIdentity identity, IReadOnlyList<ChatMessage> request, IList<ChatMessage> response)
    {
        var calls = new Dictionary<string, FunctionCallContent>(StringComparer.Ordinal);
        var steps = new List<EpisodeSegment>();
        string? error = null, errorContext = null;
        foreach (var call in request.SelectMany(m => m.Contents).OfType<FunctionCallContent>())
        {
            calls[call.CallId] = call; // a result in this response may answer a call of an earlier turn
        }

        // Only what this response added is recorded: the request's history was recorded when it happened.
        foreach (var content in response.SelectMany(m => m.Contents))
        {
            if (content is FunctionCallContent call)
            {
                calls[call.CallId] = call;
            }
            else if (content is FunctionResultContent result && calls.TryGetValue(result.CallId, out var called))
            {
                var failure = FailureOf(result);
                var arguments = ArgumentsJson(called);
                steps.Add(new EpisodeSegment { Sequence = steps.Count, Kind = "tool_call", ToolName = called.Name, Content = failure is null ? arguments : $"{arguments} → {failure}", Success = failure is null });
                if (failure is not null && error is null)
                {
                    (error, errorContext) = (failure, arguments);
                }
            }
        }

        if (steps.Count == 0)
        {
            return null; // no tool was called: nothing a skill could have done
        }

        var task = request.LastOrDefault(m => m.Role == ChatRole.User)?.Text;
        if (string.IsNullOrWhiteSpace(task))
        {
            return null;
        }

        return new Episode
        {
            TenantId = identity.TenantId,
            AgentId = identity.AgentId,
            TaskDescription = Internal.Guard.Storable(task.Length <= _options.MaxTaskLength ? task : task[.._options.MaxTaskLength]),
            Success = error is null,
            ErrorTrace = error is null ? null : Internal.Guard.Storable(error),
            ToolsAttempted = [.. steps.Select(s => s.ToolName!).Distinct(StringComparer.Ordinal)],
            ContextJson = errorContext,
            Segments = [.. steps.Select(s => s with { Content = Internal.Guard.Storable(s.Content) })],
            OccurredAt = _time.GetUtcNow(),
        };
    }

    /// <summary>What a tool call's failure said: the exception it threw, or a result that reports an error; null when it came back cleanly.</summary>
    private static string? FailureOf(FunctionResultContent result)
    {
        if (result.Exception is { } exception)
        {
            return $"{exception.GetType().Name}: {exception.Message}";
        }

        var text = result.Result switch
        {
            string s => s,
            JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
            _ => null,
        };
        if (text is not null && (text.StartsWith(SkillFailurePrefix, StringComparison.Ordinal) || text.StartsWith("Error:", StringComparison.OrdinalIgnoreCase)))
        {
            return text;
        }

        return result.Result is JsonElement { ValueKind: JsonValueKind.Object } json && json.TryGetProperty("error", out var reported) && reported.ValueKind != JsonValueKind.Null
            ? reported.ToString()
            : null;
    }

    private static string ArgumentsJson(FunctionCallContent call)
    {
        if (call.Arguments is null)
        {
            return "{}";
        }

        try
        {
            return JsonSerializer.Serialize(call.Arguments, CompactJson.GetTypeInfo(typeof(IDictionary<string, object?>)));
        }
        catch (NotSupportedException)
        {
            return new StringBuilder("{").AppendJoin(", ", call.Arguments.Keys.Select(k => JsonSerializer.Serialize(k))).Append('}').ToString();
        }
    }
}
