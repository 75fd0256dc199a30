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

    /// <summary>The steps of the episode, in order.</summary>
    public IReadOnlyList<EpisodeSegment> Segments { get; init; } = [];

    /// <summary>When the episode happened.</summary>
    public DateTimeOffset OccurredAt { get; init; }
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
