namespace AutoDev;

/// <summary>One task an agent attempted, with its outcome: the raw material of learning.</summary>
public sealed record Episode
{
    /// <summary>The episode's id.</summary>
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>The workspace.</summary>
    public required string TenantId { get; init; }

    /// <summary>The agent that attempted the task.</summary>
    public required string AgentId { get; init; }

    /// <summary>What the agent was asked to do, for example "Extract invoice ID from customer emails".</summary>
    public required string TaskDescription { get; init; }

    /// <summary>Whether the task succeeded.</summary>
    public bool Success { get; init; }

    /// <summary>The error or traceback when the task failed.</summary>
    public string? ErrorTrace { get; init; }

    /// <summary>Names of the tools the agent tried.</summary>
    public IReadOnlyList<string> ToolsAttempted { get; init; } = [];

    /// <summary>Free-form context as JSON (the input the agent saw, for example the email), or <see langword="null"/>.</summary>
    public string? ContextJson { get; init; }

    /// <summary>Whether a human had to intervene.</summary>
    public bool HumanIntervention { get; init; }

    /// <summary>How well the agent kept its constitution, 0..1, when measured.</summary>
    public double? ConstitutionalScore { get; init; }

    /// <summary>Feedback from a user or reviewer.</summary>
    public string? Feedback { get; init; }

    /// <summary>
    /// The right outcome, when the person who stepped in knows it: the inputs the agent saw and the value that person
    /// produced or confirmed (or the exception the task should have raised). Held out from the model: a skill learned
    /// from this episode must give that outcome before it is validated, and so must every later mutation of it.
    /// </summary>
    public TestCase? Resolution { get; init; }

    /// <summary>The steps of the episode, in order.</summary>
    public IReadOnlyList<EpisodeSegment> Segments { get; init; } = [];

    /// <summary>When the episode happened.</summary>
    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>
    /// Checks what every store requires: a tenant and agent id, a task, a constitutional score between 0 and 1 when
    /// there is one, segments that are not null, have a kind and content, and have distinct sequence numbers, and no
    /// NUL character in any text.
    /// </summary>
    /// <returns>This episode.</returns>
    /// <exception cref="ArgumentException">Something is missing or out of range; the message names it.</exception>
    public Episode EnsureValid()
    {
        Internal.Guard.Id(TenantId, nameof(TenantId));
        Internal.Guard.Id(AgentId, nameof(AgentId));
        ArgumentException.ThrowIfNullOrWhiteSpace(TaskDescription, nameof(TaskDescription));
        Internal.Guard.Text(TaskDescription, nameof(TaskDescription));
        Internal.Guard.Text(ErrorTrace, nameof(ErrorTrace));
        Internal.Guard.Text(ContextJson, nameof(ContextJson));
        Internal.Guard.Text(Feedback, nameof(Feedback));
        if (ConstitutionalScore is { } score && (double.IsNaN(score) || score is < 0 or > 1))
        {
            throw new ArgumentException($"ConstitutionalScore is {score}; it must be between 0 and 1.", nameof(ConstitutionalScore));
        }

        Resolution?.EnsureValid();
        if (ToolsAttempted is null || ToolsAttempted.Any(t => t is null))
        {
            throw new ArgumentException("ToolsAttempted is null or holds a null name.", nameof(ToolsAttempted));
        }

        foreach (var tool in ToolsAttempted)
        {
            Internal.Guard.Text(tool, nameof(ToolsAttempted));
        }

        if (Segments is null)
        {
            throw new ArgumentException("Segments is null; use an empty list.", nameof(Segments));
        }

        var sequences = new HashSet<int>();
        for (var i = 0; i < Segments.Count; i++)
        {
            var segment = Segments[i] ?? throw new ArgumentException($"Segment {i} is null.", nameof(Segments));
            if (segment.Kind is null || segment.Content is null)
            {
                throw new ArgumentException($"Segment {i} has no {(segment.Kind is null ? "kind" : "content")}.", nameof(Segments));
            }

            Internal.Guard.Text(segment.Kind, nameof(Segments));
            Internal.Guard.Text(segment.Content, nameof(Segments));
            Internal.Guard.Text(segment.ToolName, nameof(Segments));
            if (!sequences.Add(segment.Sequence))
            {
                throw new ArgumentException($"Segments {i} and an earlier one both have sequence {segment.Sequence}; each step needs its own.", nameof(Segments));
            }
        }

        return this;
    }
}

/// <summary>One step of an <see cref="Episode"/>: a tool call, a model turn or an observation.</summary>
public sealed record EpisodeSegment
{
    /// <summary>The position within the episode, from 0.</summary>
    public int Sequence { get; init; }

    /// <summary>What kind of step this was, for example <c>tool_call</c>, <c>llm</c> or <c>observation</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>What happened.</summary>
    public required string Content { get; init; }

    /// <summary>The tool used in this step, if any.</summary>
    public string? ToolName { get; init; }

    /// <summary>Whether the step succeeded.</summary>
    public bool Success { get; init; } = true;
}
