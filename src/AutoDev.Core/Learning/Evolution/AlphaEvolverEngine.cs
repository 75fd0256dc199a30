using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>What asks AlphaEvolver for a mutation: a skill, the agent whose work showed the problem, and the goal.</summary>
/// <param name="TenantId">The workspace.</param>
/// <param name="AgentId">The agent whose maturity the gate checks.</param>
/// <param name="SkillName">The skill.</param>
/// <param name="Trigger">What the mutation aims at.</param>
public sealed record MutationRequest(string TenantId, string AgentId, string SkillName, MutationTrigger Trigger)
{
    /// <summary>The version to mutate; the skill's active version when not given.</summary>
    public Guid? ParentVersionId { get; init; }

    /// <summary>In research: the mutation whose code to mutate further (the current champion).</summary>
    public Guid? ParentMutationId { get; init; }

    /// <summary>Inputs recorded from real executions, replayed on parent and child.</summary>
    public IReadOnlyList<string> RecordedInputs { get; init; } = [];

    /// <summary>What was observed, for the prompt: "took 6.2 s", the error, the retries.</summary>
    public string? Observation { get; init; }

    /// <summary>
    /// Asks for a new child even though a reviewer rejected or rolled back an earlier child of the version for the same
    /// trigger (by default that child comes back and no model call is made). The turned-down children are shown to the
    /// model as what not to write again either way.
    /// </summary>
    public bool RetryAfterTurnDown { get; init; }
}

/// <summary>What AlphaEvolver knows before asking the model.</summary>
public sealed record MutationAnalysis
{
    /// <summary>The request.</summary>
    public required MutationRequest Request { get; init; }

    /// <summary>The skill.</summary>
    public required Skill Skill { get; init; }

    /// <summary>The version mutated (the parent tool).</summary>
    public required SkillVersion ParentVersion { get; init; }

    /// <summary>The code mutated: the version's, or the research champion's.</summary>
    public required string ParentCode { get; init; }

    /// <summary>The goal told to the model, from the trigger.</summary>
    public required string Goal { get; init; }
}

/// <summary>
/// AlphaEvolver: makes slow, costly or flaky skills better. The model writes a child of a skill version aimed at the
/// trigger; parent and child run in the sandbox on the same inputs; <see cref="IFitnessService"/> scores both; the
/// fitter child waits for review and, once approved, becomes the next minor version, with its parent recorded.
/// </summary>
/// <remarks>
/// The gate (SUPERVISED or above, <c>alpha_evolver</c> on, the workspace's daily mutation limit) and the token budget
/// come before any model call. One open mutation per skill version and trigger. Every step is stored before the next
/// starts, so a restart picks up a mutation waiting for the sandbox (<see cref="SandboxExecuteMutationAsync"/>).
/// Research experiments are <see cref="ResearchExperiments"/>, workflow variants <see cref="WorkflowEvolver"/>, delayed
/// external signals <see cref="DelayedSignals"/>. Thread-safe singleton.
/// </remarks>
public class AlphaEvolverEngine : BaseLearningEngine<MutationRequest, MutationAnalysis, ToolMutation>
{
    private readonly ISkillStore _skills;
    private readonly IToolMutationStore _mutations;
    private readonly IFitnessService _fitness;
    private readonly IPromptCatalog _prompts;
    private readonly IEventBus _events;
    private readonly SkillInputRecorder _recorder;
    private readonly AcceptanceCases _acceptance;
    private readonly EvolutionOptions _options;

    /// <summary>Creates the engine.</summary>
    public AlphaEvolverEngine(
        GatedModelCall model,
        ISandbox sandbox,
        TimeProvider timeProvider,
        ILogger<AlphaEvolverEngine> logger,
        ISkillStore skills,
        IToolMutationStore mutations,
        IFitnessService fitness,
        IPromptCatalog prompts,
        IEventBus events,
        SkillInputRecorder recorder,
        AcceptanceCases acceptance,
        IOptions<EvolutionOptions> options)
        : base(model, sandbox, timeProvider, logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_skills, _mutations, _fitness, _prompts, _events, _recorder, _acceptance, _options) =
            (skills, mutations, fitness, prompts, events, recorder, acceptance, options.Value);
    }

    /// <summary>
    /// Asks the model for a child of the skill version aimed at the trigger. Returns the stored mutation: pending its
    /// sandbox run, failed (with the reason) when the answer was unusable, or, with no model call, the open mutation of
    /// the same version and trigger when there is one, or the child a reviewer turned down for it (rejected, or
    /// promoted and rolled back; see <see cref="MutationRequest.RetryAfterTurnDown"/>).
    /// </summary>
    /// <exception cref="EntityNotFoundException">No such skill, version or parent mutation in the workspace, or no such agent.</exception>
    /// <exception cref="CapabilityDeniedException">The agent or workspace may not evolve skills; no model call was made.</exception>
    /// <exception cref="LimitExceededException">The workspace's daily mutation limit is used up; no model call was made.</exception>
    /// <exception cref="TokenBudgetExceededException">The workspace's daily token budget is spent; no model call was made.</exception>
    public async Task<ToolMutation> GenerateToolMutationAsync(MutationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var activity = AutoDevTelemetry.Start("mutation.generate", request.TenantId)?
            .SetTag("autodev.agent", request.AgentId)
            .SetTag("autodev.skill", request.SkillName)
            .SetTag("autodev.mutation.trigger", request.Trigger.ToString());
        ToolMutation mutation;
        try
        {
            mutation = await GenerateAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (AutoDevTelemetry.Failed(activity, ex))
        {
            throw;
        }

        activity?.SetTag("autodev.mutation.id", mutation.Id.ToString()).SetTag("autodev.outcome", mutation.Status.ToString());
        return mutation;
    }

    /// <summary>
    /// Runs a pending mutation's parent and child in the sandbox on the same inputs and stores the verdict: passed (the
    /// child kept behaviour and is fitter; it waits for review) or failed with the reason. A mutation that is no longer
    /// pending comes back unchanged, so a restart never evaluates twice.
    /// </summary>
    /// <exception cref="EntityNotFoundException">No such mutation in the workspace.</exception>
    public async Task<ToolMutation> SandboxExecuteMutationAsync(string tenantId, Guid mutationId, CancellationToken cancellationToken = default)
    {
        using var activity = AutoDevTelemetry.Source.StartActivity("mutation.evaluate")?
            .SetTag("autodev.tenant", tenantId)
            .SetTag("autodev.mutation.id", mutationId.ToString());
        var mutation = await FindMutationAsync(tenantId, mutationId, cancellationToken).ConfigureAwait(false);
        if (mutation.Status != ToolMutationStatus.Pending)
        {
            return mutation;
        }

        var validation = await ValidateAsync(mutation, cancellationToken).ConfigureAwait(false);
        var outcome = validation is MutationValidation evaluated ? evaluated.Outcome : null;
        var score = outcome is null ? (double?)null
            : (await _fitness.RecordSignalsAsync(tenantId, mutation.Id, FitnessSubjectKind.ToolMutation, outcome.ChildSignals, cancellationToken).ConfigureAwait(false)).Score;
        try
        {
            var stored = await _mutations.UpdateAsync(mutation.MoveTo(validation.Passed ? ToolMutationStatus.Passed : ToolMutationStatus.Failed, TimeProvider.GetUtcNow()) with
            {
                FailureReason = validation.FailureReason,
                Evaluation = outcome?.Evaluation,
                FitnessScore = score,
                ParentFitnessScore = outcome?.Evaluation.Parent.Fitness,
            }, cancellationToken).ConfigureAwait(false);
            Log.MutationEvaluated(Logger, tenantId, stored.Id, stored.Status, stored.FailureReason);
            activity?.SetTag("autodev.outcome", stored.Status.ToString()).SetTag("autodev.mutation.child_wins", stored.Evaluation?.ChildWins);
            await _events.PublishAsync(new ToolMutationEvaluated { TenantId = tenantId, Mutation = stored, OccurredAt = stored.UpdatedAt }, cancellationToken).ConfigureAwait(false);
            return stored;
        }
        catch (ConcurrencyConflictException)
        {
            // Another instance evaluated it meanwhile: theirs stands.
            return await FindMutationAsync(tenantId, mutationId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    protected override async Task<MutationAnalysis> AnalyzeAsync(MutationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Internal.Guard.Id(request.TenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.AgentId);
        var skill = await _skills.FindByNameAsync(request.TenantId, request.SkillName, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(Skill), request.TenantId, request.SkillName);
        var versionId = request.ParentVersionId ?? skill.ActiveVersionId ?? throw new EntityNotFoundException(nameof(SkillVersion), request.TenantId, $"{skill.Name} (no active version)");
        var version = await _skills.FindVersionAsync(request.TenantId, versionId, cancellationToken).ConfigureAwait(false);
        if (version is null || version.SkillId != skill.Id)
        {
            throw new EntityNotFoundException(nameof(SkillVersion), request.TenantId, versionId);
        }

        var code = version.Code;
        if (request.ParentMutationId is { } parentMutationId)
        {
            var parentMutation = await FindMutationAsync(request.TenantId, parentMutationId, cancellationToken).ConfigureAwait(false);
            code = parentMutation.SkillId == skill.Id ? parentMutation.Code : throw new EntityNotFoundException(nameof(ToolMutation), request.TenantId, parentMutationId);
        }

        return new MutationAnalysis { Request = request, Skill = skill, ParentVersion = version, ParentCode = code, Goal = GoalOf(request.Trigger) };
    }

    /// <inheritdoc/>
    protected override async Task<ToolMutation> ProposeAsync(MutationAnalysis analysis, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var request = analysis.Request;
        var open = request.Trigger == MutationTrigger.Research ? null : await Model.FindOpenAsync(
            request.TenantId,
            ct => _mutations.FindOpenAsync(request.TenantId, analysis.ParentVersion.Id, request.Trigger, ct),
            m => m.Status == ToolMutationStatus.Generating ? m.UpdatedAt : null,
            FailAsync,
            cancellationToken).ConfigureAwait(false);
        if (open is not null)
        {
            return open;
        }

        var turnedDown = request.Trigger == MutationTrigger.Research ? [] : await TurnedDownChildrenAsync(analysis.Skill, analysis.ParentVersion.Id, cancellationToken).ConfigureAwait(false);
        if (!request.RetryAfterTurnDown && turnedDown.LastOrDefault(c => c.Trigger == request.Trigger) is { } decided)
        {
            return decided;
        }

        var recorded = request.RecordedInputs.Count > 0 ? request.RecordedInputs : _recorder.Get(request.TenantId, analysis.ParentVersion.Id);
        var inputs = MutationEvaluator.Inputs(recorded, analysis.ParentVersion.TestCasesJson, _options.MaxEvaluationInputs);
        var prompt = await _prompts.GetAsync(request.TenantId, PromptNames.AlphaMutate, cancellationToken).ConfigureAwait(false);
        var text = prompt.Render(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["goal"] = analysis.Goal,
            ["reason"] = request.Observation ?? ReasonOf(request.Trigger),
            ["name"] = analysis.Skill.Name,
            ["entry_point"] = analysis.ParentVersion.EntryPoint,
            ["code"] = analysis.ParentCode.TrimEnd(),
            ["tests"] = string.IsNullOrWhiteSpace(analysis.ParentVersion.TestCasesJson) ? "(none)" : analysis.ParentVersion.TestCasesJson,
            ["inputs"] = inputs.Count == 0 ? "(none recorded)" : string.Join('\n', inputs.Take(8)),
        }) + DoNotRepeat(turnedDown);
        var now = TimeProvider.GetUtcNow();
        var claim = new ToolMutation
        {
            TenantId = request.TenantId,
            SkillId = analysis.Skill.Id,
            ParentVersionId = analysis.ParentVersion.Id,
            ParentMutationId = request.ParentMutationId,
            Trigger = request.Trigger,
            AgentId = request.AgentId,
            EvaluationInputs = inputs,
            Status = ToolMutationStatus.Generating,
            TraceParent = AutoDevTelemetry.CurrentTraceParent,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var asked = await Model.AskAsync(
            new GatedModelRequest(request.TenantId, request.AgentId, CapabilityNames.AlphaEvolver, PromptNames.AlphaMutate, text)
            {
                Temperature = request.Trigger == MutationTrigger.Research ? 0.7f : 0.2f,
            },
            ct => _mutations.AddAsync(claim, ct),
            FailAsync,
            cancellationToken).ConfigureAwait(false);
        if (asked.Answer is not { } answer)
        {
            return asked.Proposal;
        }

        var generated = await _mutations.UpdateAsync(
            Parse(answer, analysis, asked.Proposal with { GenerationTokens = answer.Record.TotalTokens }, TimeProvider.GetUtcNow()),
            cancellationToken).ConfigureAwait(false);
        Log.MutationGenerated(Logger, request.TenantId, analysis.Skill.Name, request.Trigger, generated.Status, generated.FailureReason);
        await _events.PublishAsync(new ToolMutationGenerated { TenantId = request.TenantId, Mutation = generated, OccurredAt = generated.UpdatedAt }, cancellationToken).ConfigureAwait(false);
        return generated;
    }

    /// <inheritdoc/>
    protected override async Task<LearningValidation> ValidateAsync(ToolMutation proposal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var parent = await _skills.FindVersionAsync(proposal.TenantId, proposal.ParentVersionId, cancellationToken).ConfigureAwait(false);
        if (parent is null)
        {
            return LearningValidation.Failed($"The parent version {proposal.ParentVersionId} no longer exists.");
        }

        var parentCode = parent.Code;
        if (proposal.ParentMutationId is { } championId)
        {
            parentCode = (await FindMutationAsync(proposal.TenantId, championId, cancellationToken).ConfigureAwait(false)).Code;
        }

        var inputs = proposal.EvaluationInputs.Count > 0 ? proposal.EvaluationInputs : MutationEvaluator.Inputs([], parent.TestCasesJson, _options.MaxEvaluationInputs);
        if (inputs.Count == 0)
        {
            return LearningValidation.Failed("Nothing to compare parent and child on: the skill has no tests and no inputs were recorded (set SkillRunRequest.RecordInputs).");
        }

        var heldOut = await _acceptance.ForSkillAsync(proposal.TenantId, proposal.SkillId, cancellationToken).ConfigureAwait(false);
        var outcome = await new MutationEvaluator(Sandbox, _fitness, _options)
            .EvaluateAsync(proposal.TenantId, parentCode, proposal.Code, parent.EntryPoint, parent.TestCasesJson, heldOut, inputs, cancellationToken).ConfigureAwait(false);
        return new MutationValidation(outcome);
    }

    private static ToolMutation Parse(ChatCallResult answer, MutationAnalysis analysis, ToolMutation claim, DateTimeOffset at)
    {
        if (!answer.Succeeded)
        {
            return claim.Fail($"The model call failed after {answer.Record.Attempts} attempt(s): {answer.Record.FailureReason}", at);
        }

        var mutation = claim.MoveTo(ToolMutationStatus.Pending, at);

        var code = ModelAnswers.ExtractFunction(answer.Text, analysis.ParentVersion.EntryPoint);
        if (!code.Succeeded)
        {
            // Keep what the model said, so a reviewer sees why.
            return mutation.Fail(code.Reason, at) with { Code = answer.Text };
        }

        return Normalize(code.Code) == Normalize(analysis.ParentCode)
            ? mutation.Fail("The model returned the parent's code unchanged.", at) with { Code = code.Code }
            : mutation with { Code = code.Code };
    }

    /// <summary>
    /// The version's children a reviewer turned down: rejected ones (research losers aside), and promoted ones that were
    /// rolled back, whose version is neither the skill's active one nor an ancestor of it. Oldest first.
    /// </summary>
    private async Task<List<ToolMutation>> TurnedDownChildrenAsync(Skill skill, Guid parentVersionId, CancellationToken cancellationToken)
    {
        var turnedDown = new List<ToolMutation>();
        HashSet<Guid>? live = null;
        await foreach (var child in _mutations.ListChildrenAsync(skill.TenantId, parentVersionId, cancellationToken).ConfigureAwait(false))
        {
            if (child.Trigger == MutationTrigger.Research)
            {
                continue;
            }

            if (child.Status == ToolMutationStatus.Promoted && child.PromotedVersionId is { } promoted)
            {
                live ??= await LiveVersionsAsync(skill, cancellationToken).ConfigureAwait(false);
                if (!live.Contains(promoted))
                {
                    turnedDown.Add(child);
                }
            }
            else if (child.Status == ToolMutationStatus.Rejected)
            {
                turnedDown.Add(child);
            }
        }

        return turnedDown;
    }

    /// <summary>The skill's active version and its ancestors: the versions a rollback has not left behind.</summary>
    private async Task<HashSet<Guid>> LiveVersionsAsync(Skill skill, CancellationToken cancellationToken)
    {
        var current = await _skills.FindAsync(skill.TenantId, skill.Id, cancellationToken).ConfigureAwait(false);
        if (current?.ActiveVersionId is not { } active)
        {
            return [];
        }

        var lineage = await _skills.GetLineageAsync(skill.TenantId, active, cancellationToken).ConfigureAwait(false);
        return [active, .. lineage.Ancestors.Select(v => v.Id)];
    }

    /// <summary>The prompt's last section: the turned-down children, so the model does not write them again.</summary>
    private static string DoNotRepeat(List<ToolMutation> turnedDown)
    {
        if (turnedDown.Count == 0)
        {
            return string.Empty;
        }

        var text = new System.Text.StringBuilder("\n\nA reviewer turned these earlier versions down; do not write them again:\n");
        foreach (var child in turnedDown.TakeLast(3))
        {
            var why = child.Status == ToolMutationStatus.Rejected ? $"rejected: {child.ReviewReason ?? child.FailureReason ?? "no reason given"}" : "promoted, then rolled back";
            text.Append("\n(").Append(why).Append(")\n```python\n").Append(child.Code.TrimEnd()).Append("\n```\n");
        }

        return text.ToString();
    }

    private static string Normalize(string code) =>
        string.Join('\n', code.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0));

    /// <summary>The goal told to the model for a trigger.</summary>
    public static string GoalOf(MutationTrigger trigger) => trigger switch
    {
        MutationTrigger.Latency => "reduce execution time",
        MutationTrigger.Tokens => "use fewer tokens: hand back less text (print and log less) while returning the same values",
        MutationTrigger.Failure => "fix the failure",
        MutationTrigger.Retries => "fix intermittent failures",
        _ => "make it better: faster, leaner and more reliable, with the same answers",
    };

    private static string ReasonOf(MutationTrigger trigger) => trigger switch
    {
        MutationTrigger.Latency => "Executions took longer than the latency threshold.",
        MutationTrigger.Tokens => "Executions cost more tokens than the token threshold.",
        MutationTrigger.Failure => "An execution failed.",
        MutationTrigger.Retries => "Executions needed retries.",
        _ => "A research experiment explores better versions.",
    };

    private async ValueTask FailAsync(ToolMutation claim, string reason) =>
        await _mutations.UpdateAsync(claim.Fail(reason, TimeProvider.GetUtcNow()), CancellationToken.None).ConfigureAwait(false);

    private async Task<ToolMutation> FindMutationAsync(string tenantId, Guid mutationId, CancellationToken cancellationToken) =>
        await _mutations.FindAsync(tenantId, mutationId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(ToolMutation), tenantId, mutationId);

    /// <summary>A validation that carries the whole side-by-side outcome.</summary>
    private sealed record MutationValidation(MutationEvaluator.Outcome Outcome)
        : LearningValidation(Outcome.FailureReason is null, Outcome.FailureReason, null, Outcome.ChildSignals);
}
