namespace AutoDev;

/// <summary>A named skill of a workspace, available to every agent of it. Its code lives in its <see cref="SkillVersion"/>s.</summary>
public sealed record Skill
{
    /// <summary>The skill's id.</summary>
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>The workspace.</summary>
    public required string TenantId { get; init; }

    /// <summary>The name, unique in the workspace, for example <c>extract_invoice_id</c>.</summary>
    public required string Name { get; init; }

    /// <summary>What the skill does.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>The version agents run.</summary>
    public Guid? ActiveVersionId { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Changes on every save; a save with a stale stamp fails with <see cref="ConcurrencyConflictException"/>.</summary>
    public Guid ConcurrencyStamp { get; init; }
}

/// <summary>One immutable version of a skill's code, with where it came from.</summary>
public sealed record SkillVersion
{
    /// <summary>The version's id.</summary>
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>The workspace.</summary>
    public required string TenantId { get; init; }

    /// <summary>The skill.</summary>
    public required Guid SkillId { get; init; }

    /// <summary>The version number.</summary>
    public required SemanticVersion Version { get; init; }

    /// <summary>The Python source.</summary>
    public required string Code { get; init; }

    /// <summary>The function to call.</summary>
    public required string EntryPoint { get; init; }

    /// <summary>The tests that came with it.</summary>
    public string TestCasesJson { get; init; } = string.Empty;

    /// <summary>The version it was evolved from; <see langword="null"/> for 1.0.0.</summary>
    public Guid? ParentVersionId { get; init; }

    /// <summary>The candidate it was promoted from.</summary>
    public Guid? SourceCandidateId { get; init; }

    /// <summary>The mutation it was promoted from.</summary>
    public Guid? SourceMutationId { get; init; }

    /// <summary>Its fitness when promoted.</summary>
    public double? FitnessScore { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}
