namespace AutoDev;

/// <summary>The base of every error AutoDev raises on purpose. Catch it to handle all of them.</summary>
/// <remarks>Providers translate their own exceptions (EF Core, Docker, HTTP) into subclasses of this type so that none leaks through the abstractions.</remarks>
public abstract class AutoDevException : Exception
{
    /// <summary>Creates the exception with a message that says what to change.</summary>
    protected AutoDevException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>An entity does not exist for the given tenant. Another tenant's id behaves exactly as an unknown id.</summary>
public sealed class EntityNotFoundException : AutoDevException
{
    /// <summary>Creates the exception for an entity kind and id.</summary>
    public EntityNotFoundException(string entityType, string tenantId, object id)
        : base($"No {entityType} with id '{id}' exists in workspace '{tenantId}'.")
    {
        EntityType = entityType;
        TenantId = tenantId;
        Id = id.ToString() ?? string.Empty;
    }

    /// <summary>The kind of entity that was looked up, for example <c>SkillCandidate</c>.</summary>
    public string EntityType { get; }

    /// <summary>The tenant the look-up was made for.</summary>
    public string TenantId { get; }

    /// <summary>The id that was not found.</summary>
    public string Id { get; }
}

/// <summary>An operation mixed entities or requests of two different tenants.</summary>
public sealed class TenantMismatchException : AutoDevException
{
    /// <summary>Creates the exception.</summary>
    public TenantMismatchException(string expectedTenantId, string actualTenantId)
        : base($"The operation is for workspace '{expectedTenantId}' but was given data of workspace '{actualTenantId}'.")
    {
        ExpectedTenantId = expectedTenantId;
        ActualTenantId = actualTenantId;
    }

    /// <summary>The tenant the operation was made for.</summary>
    public string ExpectedTenantId { get; }

    /// <summary>The tenant the offending data belongs to.</summary>
    public string ActualTenantId { get; }
}

/// <summary>A status change that the entity's state machine does not allow, such as approving a failed candidate or promoting twice.</summary>
public sealed class InvalidStateTransitionException : AutoDevException
{
    /// <summary>Creates the exception.</summary>
    public InvalidStateTransitionException(string entityType, object id, string from, string to)
        : base($"{entityType} '{id}' cannot go from {from} to {to}.")
    {
        EntityType = entityType;
        From = from;
        To = to;
    }

    /// <summary>The kind of entity.</summary>
    public string EntityType { get; }

    /// <summary>The current status.</summary>
    public string From { get; }

    /// <summary>The requested status.</summary>
    public string To { get; }
}

/// <summary>A daily limit or budget is used up. Nothing was reserved.</summary>
public sealed class LimitExceededException : AutoDevException
{
    /// <summary>Creates the exception.</summary>
    public LimitExceededException(string capability, string scope, int limit)
        : base($"The daily limit of {limit} for '{capability}' is used up for {scope}. It resets at 00:00 UTC; raise it in the workspace settings.")
    {
        Capability = capability;
        Limit = limit;
    }

    /// <summary>The capability whose limit was reached.</summary>
    public string Capability { get; }

    /// <summary>The limit in force.</summary>
    public int Limit { get; }
}

/// <summary>Someone else changed the entity since it was read (for example two reviewers approving at once). Read it again and retry if still wanted.</summary>
public sealed class ConcurrencyConflictException : AutoDevException
{
    /// <summary>Creates the exception.</summary>
    public ConcurrencyConflictException(string entityType, object id, Exception? innerException = null)
        : base($"{entityType} '{id}' was changed by someone else since it was read; read it again.", innerException)
    {
        EntityType = entityType;
    }

    /// <summary>The kind of entity.</summary>
    public string EntityType { get; }
}

/// <summary>The capability gate refused an operation: the agent's maturity, the workspace settings or a switch forbid it.</summary>
public sealed class CapabilityDeniedException : AutoDevException
{
    /// <summary>Creates the exception from the gate's decision.</summary>
    public CapabilityDeniedException(GateDecision decision)
        : base(decision.Reason)
    {
        Decision = decision;
    }

    /// <summary>The decision with its reason.</summary>
    public GateDecision Decision { get; }
}

/// <summary>Workspace settings or options that are out of their allowed range.</summary>
public sealed class InvalidSettingsException : AutoDevException
{
    /// <summary>Creates the exception with every problem found.</summary>
    public InvalidSettingsException(IReadOnlyList<string> errors)
        : base("Invalid AutoDev settings: " + string.Join(" ", errors))
    {
        Errors = errors;
    }

    /// <summary>Each problem, as a sentence that says what to change.</summary>
    public IReadOnlyList<string> Errors { get; }
}

/// <summary>An entity with the same unique key already exists (a skill name in a workspace, an agent id).</summary>
public sealed class DuplicateEntityException : AutoDevException
{
    /// <summary>Creates the exception.</summary>
    public DuplicateEntityException(string entityType, string tenantId, string key, Exception? innerException = null)
        : base($"A {entityType} '{key}' already exists in workspace '{tenantId}'.", innerException)
    {
        EntityType = entityType;
        Key = key;
    }

    /// <summary>The kind of entity.</summary>
    public string EntityType { get; }

    /// <summary>The duplicated key.</summary>
    public string Key { get; }
}

/// <summary>The workspace's daily token budget is spent: no model call was made.</summary>
public sealed class TokenBudgetExceededException : AutoDevException
{
    /// <summary>Creates the exception.</summary>
    public TokenBudgetExceededException(string tenantId, long budget, long used, long bound = 0)
        : base(used >= budget || bound == 0
            ? $"The workspace '{tenantId}' has used {used:N0} of its daily token budget of {budget:N0}; no model call was made. Raise 'daily_token_budget' or wait until 00:00 UTC."
            : $"The workspace '{tenantId}' has {budget - used:N0} of its daily token budget of {budget:N0} left, less than the call's bound of {bound:N0} tokens; no model call was made. Raise 'daily_token_budget', lower ChatResilienceOptions.MaxOutputTokens, or wait until 00:00 UTC.")
    {
        TenantId = tenantId;
        Budget = budget;
        Used = used;
        Bound = bound;
    }

    /// <summary>The workspace.</summary>
    public string TenantId { get; }

    /// <summary>The budget in force.</summary>
    public long Budget { get; }

    /// <summary>Tokens used today.</summary>
    public long Used { get; }

    /// <summary>The most the refused call could have cost; 0 when the budget is simply spent.</summary>
    public long Bound { get; }
}
