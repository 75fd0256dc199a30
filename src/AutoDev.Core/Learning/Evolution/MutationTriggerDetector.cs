using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>What <see cref="MutationTriggerDetector"/> did with one skill execution.</summary>
public enum EvolutionAction
{
    /// <summary>No trigger fired.</summary>
    None = 0,

    /// <summary>A trigger fired, but the version already has an open mutation for it.</summary>
    AlreadyOpen = 1,

    /// <summary>A trigger fired, but the gate, the limit or the budget refused; no model call was made.</summary>
    Refused = 2,

    /// <summary>A mutation was written.</summary>
    Generated = 3,

    /// <summary>
    /// A trigger fired, but a reviewer already turned down a child of the version for it (rejected it, or rolled it
    /// back); no model call was made. <see cref="EvolutionDecision.Mutation"/> is that child.
    /// </summary>
    TurnedDown = 4,
}

/// <summary>The decision on one skill execution.</summary>
/// <param name="Action">What happened.</param>
/// <param name="Trigger">The trigger that fired, if any.</param>
/// <param name="Mutation">The mutation written, or the open one.</param>
/// <param name="Reason">Why it was refused.</param>
public sealed record EvolutionDecision(EvolutionAction Action, MutationTrigger? Trigger = null, ToolMutation? Mutation = null, string? Reason = null);

/// <summary>
/// Watches skill executions for slow, costly or flaky skills: latency above <see cref="EvolutionOptions.LatencyThreshold"/>,
/// tokens above <see cref="EvolutionOptions.TokenThreshold"/>, a failure, or retries above
/// <see cref="EvolutionOptions.RetryThreshold"/>; and asks <see cref="AlphaEvolverEngine"/> for a mutation aimed at the
/// trigger. One open mutation per skill version and trigger: repeats cost no model call.
/// </summary>
/// <remarks>Records the inputs executions carry, for mutations to replay. Thread-safe singleton.</remarks>
public sealed class MutationTriggerDetector(
    AlphaEvolverEngine alpha,
    IToolMutationStore mutations,
    SkillInputRecorder recorder,
    IOptions<EvolutionOptions> options,
    ILogger<MutationTriggerDetector> logger)
{
    /// <summary>
    /// The trigger an execution fires under <paramref name="options"/>, or <see langword="null"/>. Failure comes first
    /// (not a refusal its tests expect: <see cref="SkillExecuted.RefusedAsTested"/>), then retries, latency and tokens.
    /// </summary>
    public static MutationTrigger? TriggerOf(SkillExecuted execution, EvolutionOptions options)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(options);
        return !execution.Success && !execution.RefusedAsTested && options.TriggerOnFailure ? MutationTrigger.Failure
            : execution.Retries > options.RetryThreshold ? MutationTrigger.Retries
            : execution.Duration > options.LatencyThreshold ? MutationTrigger.Latency
            : execution.TokensUsed > options.TokenThreshold ? MutationTrigger.Tokens
            : null;
    }

    /// <summary>Records the execution's inputs and, when a trigger fires, asks for a mutation (unless one is open).</summary>
    /// <remarks>Refusals (the gate, the daily limit, the budget, an execution with no agent) come back as <see cref="EvolutionAction.Refused"/>, not as exceptions.</remarks>
    public async Task<EvolutionDecision> ObserveAsync(SkillExecuted execution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(execution);
        recorder.Record(execution);
        if (TriggerOf(execution, options.Value) is not { } trigger)
        {
            return new EvolutionDecision(EvolutionAction.None);
        }

        if (await mutations.FindOpenAsync(execution.TenantId, execution.SkillVersionId, trigger, cancellationToken).ConfigureAwait(false) is { } open)
        {
            return new EvolutionDecision(EvolutionAction.AlreadyOpen, trigger, open);
        }

        if (execution.AgentId is not { Length: > 0 } agentId)
        {
            return Refuse(execution, trigger, "the execution names no agent, so no maturity can be checked.");
        }

        try
        {
            var mutation = await alpha.GenerateToolMutationAsync(
                new MutationRequest(execution.TenantId, agentId, execution.SkillName, trigger)
                {
                    ParentVersionId = execution.SkillVersionId,
                    RecordedInputs = recorder.Get(execution.TenantId, execution.SkillVersionId),
                    Observation = Observation(execution, trigger),
                },
                cancellationToken).ConfigureAwait(false);
            return mutation.Status is ToolMutationStatus.Rejected or ToolMutationStatus.Promoted
                ? new EvolutionDecision(EvolutionAction.TurnedDown, trigger, mutation)
                : new EvolutionDecision(EvolutionAction.Generated, trigger, mutation);
        }
        catch (Exception ex) when (ex is CapabilityDeniedException or LimitExceededException or TokenBudgetExceededException or EntityNotFoundException)
        {
            return Refuse(execution, trigger, ex.Message);
        }
    }

    private EvolutionDecision Refuse(SkillExecuted execution, MutationTrigger trigger, string reason)
    {
        Log.MutationRefused(logger, execution.TenantId, execution.SkillName, reason);
        return new EvolutionDecision(EvolutionAction.Refused, trigger, Reason: reason);
    }

    private static string Observation(SkillExecuted execution, MutationTrigger trigger) => trigger switch
    {
        MutationTrigger.Latency => $"An execution took {execution.Duration.TotalSeconds:0.###} s.",
        MutationTrigger.Tokens => $"An execution cost {execution.TokensUsed:N0} tokens.",
        MutationTrigger.Retries => $"An execution needed {execution.Retries} retries.",
        _ => "An execution failed.",
    };
}
