using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AutoDev;

/// <summary>
/// Scores a workflow variant, for hosts that can try a workflow themselves (replay tasks, run a test suite). When one
/// is registered, <see cref="WorkflowEvolver.SpawnVariantAsync"/> evaluates each new variant at once; otherwise
/// signals arrive later through <see cref="WorkflowEvolver.EvaluateVariantAsync"/> or <see cref="DelayedSignals"/>.
/// </summary>
public interface IWorkflowEvaluator
{
    /// <summary>The signals the variant earned (for example <see cref="FitnessSignalNames.Executed"/>, <see cref="FitnessSignalNames.SuccessRate"/>).</summary>
    ValueTask<IReadOnlyList<FitnessSignal>> EvaluateAsync(WorkflowVariant variant, CancellationToken cancellationToken);
}

/// <summary>
/// AlphaEvolver for workflows: keeps an agent's workflow definition (JSON) as the root of its variants, asks the model
/// for variants aimed at a goal (through the same gate, limit and budget as tool mutations), and scores them.
/// </summary>
/// <remarks>Registered by <c>AddAutoDev()</c>. Thread-safe singleton.</remarks>
public sealed class WorkflowEvolver
{
    private readonly GatedModelCall _model;
    private readonly IWorkflowVariantStore _workflows;
    private readonly IFitnessService _fitness;
    private readonly IPromptCatalog _prompts;
    private readonly IWorkflowEvaluator? _workflowEvaluator;
    private readonly TimeProvider _time;

    /// <summary>Creates the component; the last registered <see cref="IWorkflowEvaluator"/>, if any, scores new variants.</summary>
    public WorkflowEvolver(GatedModelCall model, IWorkflowVariantStore workflows, IFitnessService fitness, IPromptCatalog prompts, IEnumerable<IWorkflowEvaluator> evaluators, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(evaluators);
        (_model, _workflows, _fitness, _prompts, _time) = (model, workflows, fitness, prompts, time);
        _workflowEvaluator = evaluators.LastOrDefault();
    }

    /// <summary>Stores an agent's current workflow definition as the root of its variants.</summary>
    /// <exception cref="ArgumentException">The definition is not a JSON object.</exception>
    public async Task<WorkflowVariant> AddWorkflowAsync(string tenantId, string agentId, string workflowDefinitionJson, CancellationToken cancellationToken = default)
    {
        Internal.Guard.Id(tenantId);
        Internal.Guard.Id(agentId);
        if (WorkflowProblem(workflowDefinitionJson) is { } problem)
        {
            throw new ArgumentException($"The workflow definition is unusable: {problem}", nameof(workflowDefinitionJson));
        }

        return await _workflows.AddAsync(new WorkflowVariant
        {
            TenantId = tenantId,
            AgentId = agentId,
            WorkflowDefinitionJson = workflowDefinitionJson,
            CreatedAt = _time.GetUtcNow(),
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks the model for a variant of a workflow definition aimed at <paramref name="goal"/>, stores it as a child of
    /// <paramref name="parentVariantId"/> and evaluates it when an <see cref="IWorkflowEvaluator"/> is registered. An
    /// unusable answer becomes a failed variant with the reason.
    /// </summary>
    /// <exception cref="EntityNotFoundException">No such variant in the workspace, or no such agent.</exception>
    /// <exception cref="CapabilityDeniedException">The agent or workspace may not evolve; no model call was made.</exception>
    /// <exception cref="LimitExceededException">The daily mutation limit is used up; no model call was made.</exception>
    /// <exception cref="TokenBudgetExceededException">The daily token budget is spent; no model call was made.</exception>
    public async Task<WorkflowVariant> SpawnVariantAsync(string tenantId, Guid parentVariantId, string? goal = null, CancellationToken cancellationToken = default)
    {
        var parent = await _workflows.FindAsync(tenantId, parentVariantId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(WorkflowVariant), tenantId, parentVariantId);
        var prompt = await _prompts.GetAsync(tenantId, PromptNames.AlphaWorkflow, cancellationToken).ConfigureAwait(false);
        var text = prompt.Render(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["goal"] = goal ?? "complete the agent's tasks more reliably, with fewer steps and fewer tokens",
            ["fitness"] = parent.FitnessScore is { } score ? score.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "not scored yet",
            ["workflow"] = parent.WorkflowDefinitionJson,
        });
        var answer = await _model.AskAsync(
            new GatedModelRequest(tenantId, parent.AgentId, CapabilityNames.AlphaEvolver, PromptNames.AlphaWorkflow, text) { Temperature = 0.7f },
            cancellationToken).ConfigureAwait(false);

        var json = answer.Succeeded ? ModelAnswers.ExtractJson(answer.Text) : null;
        var problem = !answer.Succeeded ? $"The model call failed after {answer.Record.Attempts} attempt(s): {answer.Record.FailureReason}"
            : !json!.Succeeded ? json.Reason
            : WorkflowProblem(json.Json);
        var variant = await _workflows.AddAsync(new WorkflowVariant
        {
            TenantId = tenantId,
            AgentId = parent.AgentId,
            ParentVariantId = parent.Id,
            WorkflowDefinitionJson = problem is null ? json!.Json! : JsonSerializer.Serialize(answer.Text),
            EvaluationStatus = problem is null ? WorkflowEvaluationStatus.Pending : WorkflowEvaluationStatus.Failed,
            FailureReason = problem,
            CreatedAt = _time.GetUtcNow(),
        }, cancellationToken).ConfigureAwait(false);

        if (variant.EvaluationStatus == WorkflowEvaluationStatus.Pending && _workflowEvaluator is not null)
        {
            var signals = await _workflowEvaluator.EvaluateAsync(variant, cancellationToken).ConfigureAwait(false);
            variant = await EvaluateVariantAsync(tenantId, variant.Id, signals, cancellationToken).ConfigureAwait(false);
        }

        return variant;
    }

    /// <summary>Scores a variant from signals (the host's own evaluation) and marks it evaluated; rescoring an evaluated variant adds to its signals.</summary>
    /// <exception cref="EntityNotFoundException">No such variant in the workspace.</exception>
    /// <exception cref="InvalidStateTransitionException">It failed, or was promoted or rejected.</exception>
    public async Task<WorkflowVariant> EvaluateVariantAsync(string tenantId, Guid variantId, IReadOnlyList<FitnessSignal> signals, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signals);
        var variant = await _workflows.FindAsync(tenantId, variantId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(WorkflowVariant), tenantId, variantId);
        if (!variant.EvaluationStatus.CanTransitionTo(WorkflowEvaluationStatus.Evaluated))
        {
            throw new InvalidStateTransitionException(nameof(WorkflowVariant), variantId, variant.EvaluationStatus.ToString(), nameof(WorkflowEvaluationStatus.Evaluated));
        }

        var record = await _fitness.RecordSignalsAsync(tenantId, variantId, FitnessSubjectKind.WorkflowVariant, signals, cancellationToken).ConfigureAwait(false);
        return await _workflows.UpdateAsync(variant with
        {
            EvaluationStatus = WorkflowEvaluationStatus.Evaluated,
            FitnessScore = record.Score,
            FitnessSignals = record.Signals,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The agent's evaluated workflow variants, fittest first.</summary>
    public IAsyncEnumerable<WorkflowVariant> GetTopVariantsAsync(string tenantId, string agentId, int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return _workflows.ListTopAsync(tenantId, agentId, count, cancellationToken);
    }

    private static string? WorkflowProblem(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return "it is empty.";
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object ? null : $"it is a JSON {document.RootElement.ValueKind}, not an object.";
        }
        catch (JsonException ex)
        {
            return $"it is not valid JSON: {ex.Message}";
        }
    }
}
