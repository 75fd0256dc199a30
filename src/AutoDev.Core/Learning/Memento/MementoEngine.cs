using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>What starts Memento-Skills: a failed episode, and optionally the failure pattern reflection found for it.</summary>
/// <param name="TenantId">The workspace.</param>
/// <param name="AgentId">The agent that failed.</param>
/// <param name="EpisodeId">The failed episode.</param>
public sealed record MementoRequest(string TenantId, string AgentId, Guid EpisodeId)
{
    /// <summary>The failure pattern's key; the agent's key of the episode's task (<see cref="FailurePatterns.KeyOf"/>) when not given.</summary>
    public string? PatternKey { get; init; }

    /// <summary>The pattern's failed episodes; the agent's recent similar failures when not given.</summary>
    public IReadOnlyList<Guid> SourceEpisodeIds { get; init; } = [];
}

/// <summary>What Memento-Skills learned from the failures before asking the model.</summary>
public sealed record FailureAnalysis
{
    /// <summary>The workspace.</summary>
    public required string TenantId { get; init; }

    /// <summary>The agent.</summary>
    public required string AgentId { get; init; }

    /// <summary>The failure pattern's key.</summary>
    public required string PatternKey { get; init; }

    /// <summary>The task the agent failed.</summary>
    public required string TaskDescription { get; init; }

    /// <summary>The skill's name, derived from the task: <c>extract_invoice_id</c>.</summary>
    public required string SuggestedName { get; init; }

    /// <summary>The error traces and failed steps (segments), distinct, at most <see cref="MementoEngine.MaxErrorTraces"/>.</summary>
    public IReadOnlyList<string> ErrorTraces { get; init; } = [];

    /// <summary>The tools the agent tried (its tools attempted and the tools of its steps), distinct.</summary>
    public IReadOnlyList<string> ToolsTried { get; init; } = [];

    /// <summary>The episodes' inputs (their context JSON), for test cases.</summary>
    public IReadOnlyList<string> Examples { get; init; } = [];

    /// <summary>The failed episodes, oldest first.</summary>
    public IReadOnlyList<Guid> SourceEpisodeIds { get; init; } = [];
}

/// <summary>A skill candidate's validation: the candidate with the answer kept and every case's result.</summary>
/// <param name="Passed">Whether the kept answer passed its own tests and every held-out case.</param>
/// <param name="FailureReason">Why not.</param>
/// <param name="Sandbox">The kept answer's sandbox result.</param>
/// <param name="Signals">The proxy fitness signals it earned.</param>
/// <param name="Candidate">The candidate as validated: <see cref="SkillCandidate.TestResults"/>, <see cref="SkillCandidate.HeldOutResults"/>, <see cref="SkillCandidate.OtherSamples"/>.</param>
public sealed record CandidateValidation(bool Passed, string? FailureReason, SandboxResult? Sandbox, IReadOnlyList<FitnessSignal> Signals, SkillCandidate Candidate)
    : LearningValidation(Passed, FailureReason, Sandbox, Signals);

/// <summary>
/// Memento-Skills: turns a failure pattern into a skill candidate (the model writes a typed, documented Python
/// function and its test cases) and validates it in the sandbox; review and promotion belong to <see cref="IReviewService"/>.
/// </summary>
/// <remarks>
/// Gate checks (INTERN or above, <c>memento_skills</c> on, the agent's daily limit) come before any model call. A
/// pattern with an open candidate gets no second one. Broken model output becomes a failed candidate with the reason,
/// never a promoted skill. Every step is stored before the next one starts, so a restart can pick up a candidate
/// waiting for validation (see <see cref="ValidateCandidateAsync"/>). Thread-safe singleton; subclass it to change a step.
/// </remarks>
public class MementoEngine : BaseLearningEngine<MementoRequest, FailureAnalysis, SkillCandidate>
{
    /// <summary>The most error traces (episode errors and failed steps, distinct) put in one prompt.</summary>
    public const int MaxErrorTraces = 20;

    /// <summary>The longest error trace put in a prompt, in characters; longer ones are cut.</summary>
    public const int MaxErrorTraceLength = 2_000;

    private static readonly HashSet<string> NameStopWords = new(StringComparer.Ordinal) { "from", "for", "in", "of", "on", "to", "with", "by", "at", "into", "when", "using" };
    private readonly IEpisodeStore _episodes;
    private readonly ISkillCandidateStore _candidates;
    private readonly IFitnessService _fitness;
    private readonly IPromptCatalog _prompts;
    private readonly ITaskSimilarity _similarity;
    private readonly IEventBus _events;
    private readonly AcceptanceCases _acceptance;
    private readonly AutoDevOptions _options;

    /// <summary>Creates the engine.</summary>
    public MementoEngine(
        GatedModelCall model,
        ISandbox sandbox,
        TimeProvider timeProvider,
        ILogger<MementoEngine> logger,
        IEpisodeStore episodes,
        ISkillCandidateStore candidates,
        IFitnessService fitness,
        IPromptCatalog prompts,
        ITaskSimilarity similarity,
        IEventBus events,
        AcceptanceCases acceptance,
        IOptions<AutoDevOptions> options)
        : base(model, sandbox, timeProvider, logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_episodes, _candidates, _fitness, _prompts, _similarity, _events, _acceptance, _options) =
            (episodes, candidates, fitness, prompts, similarity, events, acceptance, options.Value);
    }

    /// <summary>Generates a candidate for the failure pattern of <paramref name="episodeId"/>; see <see cref="GenerateSkillCandidateAsync(MementoRequest, CancellationToken)"/>.</summary>
    public Task<SkillCandidate> GenerateSkillCandidateAsync(string tenantId, string agentId, Guid episodeId, CancellationToken cancellationToken = default) =>
        GenerateSkillCandidateAsync(new MementoRequest(tenantId, agentId, episodeId), cancellationToken);

    /// <summary>
    /// Analyzes the failures and asks the model for a skill and its tests. Returns the stored candidate: pending
    /// validation, failed (with the reason) when the answer was unusable, or the pattern's open candidate when it already had one.
    /// </summary>
    /// <exception cref="EntityNotFoundException">No such episode of that agent in the workspace.</exception>
    /// <exception cref="CapabilityDeniedException">The agent or workspace may not learn skills; no model call was made.</exception>
    /// <exception cref="LimitExceededException">The agent's daily limit is used up; no model call was made.</exception>
    /// <exception cref="TokenBudgetExceededException">The workspace's daily token budget is spent; no model call was made.</exception>
    public async Task<SkillCandidate> GenerateSkillCandidateAsync(MementoRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var activity = AutoDevTelemetry.Start("candidate.generate", request.TenantId)?.SetTag("autodev.agent", request.AgentId);
        SkillCandidate candidate;
        try
        {
            candidate = await GenerateAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (AutoDevTelemetry.Failed(activity, ex))
        {
            throw;
        }

        activity?.SetTag("autodev.candidate.id", candidate.Id.ToString()).SetTag("autodev.skill", candidate.Name).SetTag("autodev.outcome", candidate.Status.ToString());
        return candidate;
    }

    /// <summary>
    /// Runs a pending candidate's tests in the sandbox and stores the outcome: validated, or failed with the reason.
    /// A candidate that is no longer pending comes back unchanged, so a restart never validates twice.
    /// </summary>
    /// <exception cref="EntityNotFoundException">No such candidate in the workspace.</exception>
    public async Task<SkillCandidate> ValidateCandidateAsync(string tenantId, Guid candidateId, CancellationToken cancellationToken = default)
    {
        using var activity = AutoDevTelemetry.Source.StartActivity("candidate.validate")?
            .SetTag("autodev.tenant", tenantId)
            .SetTag("autodev.candidate.id", candidateId.ToString());
        var candidate = await FindCandidateAsync(tenantId, candidateId, cancellationToken).ConfigureAwait(false);
        if (candidate.Status != SkillCandidateStatus.Pending)
        {
            return candidate;
        }

        var validation = await ValidateAsync(candidate, cancellationToken).ConfigureAwait(false);
        var checkedCandidate = validation is CandidateValidation { Candidate: { } c } ? c : candidate;
        var own = checkedCandidate.TestResults;
        IReadOnlyList<FitnessSignal> signals = [.. validation.Signals, new(FitnessSignalNames.TestsPassed, own.Count == 0 ? 0 : (double)own.Count(r => r.Passed) / own.Count)];
        var fitness = await _fitness.RecordSignalsAsync(tenantId, candidate.Id, FitnessSubjectKind.SkillCandidate, signals, cancellationToken).ConfigureAwait(false);
        try
        {
            var validated = await _candidates.UpdateAsync(checkedCandidate.MoveTo(validation.Passed ? SkillCandidateStatus.Validated : SkillCandidateStatus.Failed, TimeProvider.GetUtcNow()) with
            {
                FailureReason = validation.FailureReason,
                Validation = validation.Sandbox,
                FitnessScore = fitness.Score,
            }, cancellationToken).ConfigureAwait(false);
            Log.CandidateValidated(Logger, tenantId, validated.Name, validated.Status, validated.FailureReason);
            activity?.SetTag("autodev.outcome", validated.Status.ToString());
            await _events.PublishAsync(new SkillCandidateValidated { TenantId = tenantId, Candidate = validated, OccurredAt = validated.UpdatedAt }, cancellationToken).ConfigureAwait(false);
            return validated;
        }
        catch (ConcurrencyConflictException)
        {
            // Another instance validated (or a reviewer rejected) it meanwhile: theirs stands.
            return await FindCandidateAsync(tenantId, candidateId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    protected override async Task<FailureAnalysis> AnalyzeAsync(MementoRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.PatternKey is not null)
        {
            Internal.Guard.Key(request.PatternKey, nameof(request.PatternKey));
        }

        var episode = await _episodes.FindAsync(request.TenantId, request.EpisodeId, cancellationToken).ConfigureAwait(false);
        if (episode is null || episode.AgentId != request.AgentId)
        {
            throw new EntityNotFoundException(nameof(Episode), request.TenantId, request.EpisodeId);
        }

        var signature = await _similarity.SignAsync(episode.TaskDescription, cancellationToken).ConfigureAwait(false);
        var sources = new List<Episode>();
        if (request.SourceEpisodeIds.Count > 0)
        {
            foreach (var id in request.SourceEpisodeIds.Distinct())
            {
                if (await _episodes.FindAsync(request.TenantId, id, cancellationToken).ConfigureAwait(false) is { Success: false } source)
                {
                    sources.Add(source);
                }
            }
        }
        else
        {
            await foreach (var recent in _episodes.ListRecentAsync(request.TenantId, request.AgentId, success: false, _options.FailureWindow, cancellationToken).ConfigureAwait(false))
            {
                if (_similarity.Similarity(signature, await _similarity.SignAsync(recent.TaskDescription, cancellationToken).ConfigureAwait(false)) >= _similarity.Threshold)
                {
                    sources.Add(recent);
                }
            }
        }

        if (!sources.Exists(e => e.Id == episode.Id))
        {
            sources.Add(episode);
        }

        // The pattern's first wording names the skill, so every later wording of the same task agrees on it.
        sources.Sort((a, b) => a.OccurredAt.CompareTo(b.OccurredAt));
        var task = sources[0].TaskDescription;
        return new FailureAnalysis
        {
            TenantId = request.TenantId,
            AgentId = request.AgentId,
            PatternKey = request.PatternKey ?? FailurePatterns.KeyOf(request.AgentId, signature.Key),
            TaskDescription = task,
            SuggestedName = SuggestName(task),
            ErrorTraces = [.. sources.SelectMany(ErrorsOf).Distinct().Take(MaxErrorTraces)],
            ToolsTried = [.. sources.SelectMany(e => e.ToolsAttempted.Concat(e.Segments.Select(s => s.ToolName).OfType<string>())).Where(t => t.Length > 0).Distinct()],
            Examples = [.. sources.Select(e => e.ContextJson).OfType<string>().Where(c => c.Length > 0).Distinct()],
            SourceEpisodeIds = [.. sources.Select(e => e.Id)],
        };
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The candidate is claimed (stored as <see cref="SkillCandidateStatus.Generating"/>) after the daily use is reserved
    /// and before the model is called, so a second instance working on the same pattern finds the claim and makes no call.
    /// </remarks>
    protected override async Task<SkillCandidate> ProposeAsync(FailureAnalysis analysis, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var open = await Model.FindOpenAsync(
            analysis.TenantId,
            ct => _candidates.FindOpenByPatternAsync(analysis.TenantId, analysis.PatternKey, ct),
            c => c.Status == SkillCandidateStatus.Generating ? c.UpdatedAt : null,
            FailAsync,
            cancellationToken).ConfigureAwait(false);
        if (open is not null)
        {
            return open;
        }

        var prompt = await _prompts.GetAsync(analysis.TenantId, PromptNames.MementoGenerate, cancellationToken).ConfigureAwait(false);
        var text = prompt.Render(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["task"] = analysis.TaskDescription,
            ["errors"] = analysis.ErrorTraces.Count == 0 ? "(none recorded)" : string.Join('\n', analysis.ErrorTraces.Select(e => "- " + e)),
            ["tools"] = analysis.ToolsTried.Count == 0 ? "(none)" : string.Join(", ", analysis.ToolsTried),
            ["examples"] = analysis.Examples.Count == 0 ? "(none recorded)" : string.Join('\n', analysis.Examples),
            ["name"] = analysis.SuggestedName,
        });
        var now = TimeProvider.GetUtcNow();
        var claim = new SkillCandidate
        {
            TenantId = analysis.TenantId,
            AgentId = analysis.AgentId,
            Name = analysis.SuggestedName,
            EntryPoint = analysis.SuggestedName,
            PatternKey = analysis.PatternKey,
            SourceEpisodeIds = analysis.SourceEpisodeIds,
            Description = Describe(analysis, prompt),
            Status = SkillCandidateStatus.Generating,
            TraceParent = AutoDevTelemetry.CurrentTraceParent,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var request = new GatedModelRequest(analysis.TenantId, analysis.AgentId, CapabilityNames.MementoSkills, PromptNames.MementoGenerate, text);
        if (_options.CandidatesPerPattern > 1)
        {
            request = request with { Temperature = _options.SampleTemperature };
        }

        var asked = await Model.AskAsync(
            request,
            ct => _candidates.AddAsync(claim, ct),
            FailAsync,
            cancellationToken).ConfigureAwait(false);
        if (asked.Answer is not { } answer)
        {
            return asked.Proposal;
        }

        var answers = await SampleAsync(request, answer, asked.Proposal, cancellationToken).ConfigureAwait(false);
        var generated = await _candidates.UpdateAsync(Parse(answers, analysis.SuggestedName, asked.Proposal, TimeProvider.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        Log.CandidateGenerated(Logger, analysis.TenantId, generated.Name, generated.Status, generated.FailureReason);
        await _events.PublishAsync(new SkillCandidateGenerated { TenantId = analysis.TenantId, Candidate = generated, OccurredAt = generated.UpdatedAt }, cancellationToken).ConfigureAwait(false);
        return generated;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Runs the candidate's own tests and its held-out cases (<see cref="AcceptanceCases"/>) in one sandbox execution,
    /// and the same for each of its <see cref="SkillCandidate.OtherSamples"/>; keeps the answer that passes the most
    /// held-out cases, then the most of its own tests, then is the shortest. Returns a <see cref="CandidateValidation"/>
    /// holding the candidate with the kept answer and every case's result.
    /// </remarks>
    protected override async Task<LearningValidation> ValidateAsync(SkillCandidate proposal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var heldOut = await _acceptance.ForCandidateAsync(proposal, cancellationToken).ConfigureAwait(false);
        var checks = new List<SampleCheck> { await CheckAsync(proposal, proposal.Code, proposal.TestCasesJson, heldOut, cancellationToken).ConfigureAwait(false) };
        var unusable = new List<CandidateSample>();
        foreach (var sample in proposal.OtherSamples)
        {
            if (sample.Reason is not null)
            {
                unusable.Add(sample);
                continue;
            }

            checks.Add(await CheckAsync(proposal, sample.Code, sample.TestCasesJson, heldOut, cancellationToken).ConfigureAwait(false));
        }

        var ranked = checks.Index()
            .OrderByDescending(c => c.Item.HeldOutPassed)
            .ThenByDescending(c => c.Item.Own.Count > 0 && c.Item.OwnPassed == c.Item.Own.Count)
            .ThenByDescending(c => c.Item.OwnPassed)
            .ThenBy(c => c.Item.Code.Length)
            .ThenBy(c => c.Index)
            .Select(c => c.Item)
            .ToList();
        var kept = ranked[0];
        var others = ranked.Skip(1).Select(c => c.AsSample(NotChosen(c, kept, heldOut.Count))).Concat(unusable).ToList();
        var validated = proposal with
        {
            Code = kept.Code,
            TestCasesJson = kept.TestsJson,
            TestResults = kept.Own,
            HeldOutResults = kept.HeldOut,
            OtherSamples = others,
        };
        var basis = LearningValidation.FromSandbox(kept.Sandbox);
        return new CandidateValidation(kept.Reason is null, kept.Reason, kept.Sandbox, basis.Signals, validated);
    }

    private async Task<SampleCheck> CheckAsync(SkillCandidate proposal, string code, string testsJson, IReadOnlyList<TestCase> heldOut, CancellationToken cancellationToken)
    {
        var own = TestCase.ListOf(testsJson);
        IReadOnlyList<TestCase> cases = [.. own, .. heldOut];
        var result = await Sandbox.ExecuteAsync(new SandboxRequest
        {
            TenantId = proposal.TenantId,
            Code = SkillTests.Harness(code, proposal.EntryPoint, cases),
            EntryPoint = SkillTests.HarnessEntryPoint,
            SafetyLevel = SafetyLevel.High,
            Timeout = _options.ValidationTimeout,
        }, cancellationToken).ConfigureAwait(false);
        var run = SkillTests.Read(result, cases);
        var ownResults = run.Results.Take(own.Count).ToList();
        var heldOutResults = run.Results.Skip(own.Count).ToList();
        var reason = run.Failure
            ?? SkillTests.Problem(ownResults, "tests")
            ?? SkillTests.Problem(heldOutResults, "held-out cases", named: 1);
        return new(code, testsJson, result, ownResults, heldOutResults, reason);
    }

    private static string NotChosen(SampleCheck sample, SampleCheck kept, int heldOutCount)
    {
        var why = sample.HeldOutPassed < kept.HeldOutPassed || sample.OwnPassed < kept.OwnPassed || sample.Reason is not null && kept.Reason is null
            ? $"Not chosen: it passed {sample.HeldOutPassed} of {heldOutCount} held-out cases and {sample.OwnPassed} of {sample.Own.Count} of its own tests; the kept answer {kept.HeldOutPassed} and {kept.OwnPassed} of {kept.Own.Count}."
            : $"Not chosen: it passed as many cases as the kept answer, which is shorter or came first ({kept.Code.Length} characters against {sample.Code.Length}).";
        return sample.Reason is null ? why : $"{why} {sample.Reason}";
    }

    /// <summary>One answer's validation: its own tests' and the held-out cases' results, and why it failed (null when it passed).</summary>
    private sealed record SampleCheck(string Code, string TestsJson, SandboxResult Sandbox, IReadOnlyList<CaseResult> Own, IReadOnlyList<CaseResult> HeldOut, string? Reason)
    {
        public int OwnPassed => Own.Count(r => r.Passed);

        public int HeldOutPassed => HeldOut.Count(r => r.Passed);

        public CandidateSample AsSample(string reason) => new() { Code = Code, TestCasesJson = TestsJson, TestResults = Own, HeldOutResults = HeldOut, Reason = reason };
    }

    /// <summary>
    /// The answers beyond the first that <see cref="AutoDevOptions.CandidatesPerPattern"/> asks for, each a gated model
    /// call of its own. A limit or budget reached on the way ends the sampling with the answers so far; any other
    /// exception (the host stopping) closes the claim first.
    /// </summary>
    private async Task<List<ChatCallResult>> SampleAsync(GatedModelRequest request, ChatCallResult first, SkillCandidate claim, CancellationToken cancellationToken)
    {
        var answers = new List<ChatCallResult> { first };
        while (answers.Count < _options.CandidatesPerPattern && answers[^1].Succeeded)
        {
            try
            {
                answers.Add(await Model.AskAsync(request, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is LimitExceededException or TokenBudgetExceededException or CapabilityDeniedException)
            {
                Log.SamplingStopped(Logger, request.TenantId, answers.Count, _options.CandidatesPerPattern, ex.Message);
                break;
            }
            catch (Exception ex)
            {
                await FailAsync(claim, $"Asking for answer {answers.Count + 1} of {_options.CandidatesPerPattern} failed: {ex.GetType().Name}.").ConfigureAwait(false);
                throw;
            }
        }

        return answers;
    }

    /// <summary>
    /// What went wrong in an episode: its error trace, then every failed step (a tool call that threw, an observation
    /// of an error), each cut to <see cref="MaxErrorTraceLength"/> characters.
    /// </summary>
    private static IEnumerable<string> ErrorsOf(Episode episode)
    {
        if (!string.IsNullOrWhiteSpace(episode.ErrorTrace))
        {
            yield return Cut(episode.ErrorTrace);
        }

        foreach (var step in episode.Segments.Where(s => !s.Success && s.Content.Length > 0).OrderBy(s => s.Sequence))
        {
            yield return Cut(step.ToolName is { Length: > 0 } tool ? $"{step.Kind} {tool} failed: {step.Content}" : $"{step.Kind} failed: {step.Content}");
        }

        static string Cut(string text) => text.Length <= MaxErrorTraceLength ? text : text[..MaxErrorTraceLength] + " …";
    }

    /// <summary><c>Extract invoice ID from customer emails</c> → <c>extract_invoice_id</c>: the words before the first preposition (leading ones skipped), at most five.</summary>
    public static string SuggestName(string taskDescription)
    {
        ArgumentNullException.ThrowIfNull(taskDescription);
        var words = new List<string>();
        foreach (var raw in taskDescription.Split((char[])[' ', '\t', '\n', '-', '/', ',', '.', ':', ';', '(', ')'], StringSplitOptions.RemoveEmptyEntries))
        {
            var word = new string([.. raw.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '_')]);
            if (word.Length == 0)
            {
                continue;
            }

            if (word is "the" or "a" or "an")
            {
                continue;
            }

            if (NameStopWords.Contains(word))
            {
                if (words.Count > 0)
                {
                    break;
                }

                continue;
            }

            words.Add(word);
            if (words.Count == 5)
            {
                break;
            }
        }

        var name = words.Count == 0 ? "learned_skill" : string.Join('_', words);
        name = char.IsAsciiDigit(name[0]) ? "skill_" + name : name;
        return name.Length <= SkillNames.MaxLength ? name : name[..SkillNames.MaxLength].TrimEnd('_');
    }

    private static SkillCandidate Parse(List<ChatCallResult> answers, string name, SkillCandidate claim, DateTimeOffset at)
    {
        var samples = answers.Select(a => ParseSample(a, name)).ToList();
        var usable = samples.FindIndex(s => s.Reason is null);
        if (usable < 0)
        {
            // Keep what the model said, so a reviewer sees why.
            var first = samples[0];
            var failed = answers[0].Succeeded ? claim.MoveTo(SkillCandidateStatus.Pending, at).Fail(first.Reason!, at) : claim.Fail(first.Reason!, at);
            return failed with { Code = first.Code, TestCasesJson = first.TestCasesJson, OtherSamples = samples[1..] };
        }

        var kept = samples[usable];
        samples.RemoveAt(usable);
        return claim.MoveTo(SkillCandidateStatus.Pending, at) with { Code = kept.Code, TestCasesJson = kept.TestCasesJson, OtherSamples = samples };
    }

    /// <summary>The function and test cases in one answer, or the answer with the reason it is unusable.</summary>
    private static CandidateSample ParseSample(ChatCallResult answer, string name)
    {
        if (!answer.Succeeded)
        {
            return new() { Reason = $"The model call failed after {answer.Record.Attempts} attempt(s): {answer.Record.FailureReason}" };
        }

        var code = ModelAnswers.ExtractFunction(answer.Text, name);
        if (!code.Succeeded)
        {
            return new() { Code = answer.Text, Reason = code.Reason };
        }

        var (tests, problem) = SkillTests.Extract(answer.Text, code.Code);
        return tests is null ? new() { Code = code.Code, Reason = problem ?? "The answer has no tests." } : new() { Code = code.Code, TestCasesJson = tests };
    }

    private async ValueTask FailAsync(SkillCandidate claim, string reason) =>
        await _candidates.UpdateAsync(claim.Fail(reason, TimeProvider.GetUtcNow()), CancellationToken.None).ConfigureAwait(false);

    private static string Describe(FailureAnalysis analysis, PromptTemplate prompt) =>
        new StringBuilder()
            .Append("Learned from ").Append(analysis.SourceEpisodeIds.Count).Append(" failure(s) of \"").Append(analysis.TaskDescription).Append('"')
            .Append(" (prompt ").Append(prompt.Name).Append('@').Append(prompt.Version).Append(").")
            .ToString();

    private async Task<SkillCandidate> FindCandidateAsync(string tenantId, Guid candidateId, CancellationToken cancellationToken) =>
        await _candidates.FindAsync(tenantId, candidateId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(SkillCandidate), tenantId, candidateId);
}
