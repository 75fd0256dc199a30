using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>How urgent a piece of guidance is.</summary>
public enum GuidanceSeverity
{
    /// <summary>Worth knowing.</summary>
    Info = 0,

    /// <summary>Worth acting on soon.</summary>
    Warning = 1,

    /// <summary>Learning is stopped or harmed until someone acts.</summary>
    Critical = 2,
}

/// <summary>Where a piece of guidance came from.</summary>
public enum GuidanceSource
{
    /// <summary>A rule over the workspace's data.</summary>
    Heuristic = 0,

    /// <summary>The chat client.</summary>
    Ai = 1,
}

/// <summary>The kinds of heuristic guidance.</summary>
public static class GuidanceKinds
{
    /// <summary>The agent fails many of its recent tasks.</summary>
    public const string HighFailureRate = "high_failure_rate";

    /// <summary>The agent's recent mutations stopped beating their parents.</summary>
    public const string FitnessPlateau = "fitness_plateau";

    /// <summary>A skill's active version scores below the version it was promoted over.</summary>
    public const string RegressionAfterPromotion = "regression_after_promotion";

    /// <summary>Candidates and mutations wait for reviewers.</summary>
    public const string ReviewBacklog = "review_backlog";

    /// <summary>A daily limit is used up.</summary>
    public const string LimitReached = "limit_reached";

    /// <summary>The daily token budget is spent, or nearly.</summary>
    public const string TokenBudget = "token_budget";

    /// <summary>Advice from the chat client.</summary>
    public const string Ai = "ai";
}

/// <summary>One piece of guidance.</summary>
/// <param name="Kind">What it is about, one of <see cref="GuidanceKinds"/>.</param>
/// <param name="Severity">How urgent it is.</param>
/// <param name="Title">A short headline.</param>
/// <param name="Detail">What the data says and what to do.</param>
/// <param name="Source">A rule, or the chat client.</param>
public sealed record GuidanceItem(string Kind, GuidanceSeverity Severity, string Title, string Detail, GuidanceSource Source);

/// <summary>Guidance for one agent of a workspace.</summary>
/// <param name="TenantId">The workspace.</param>
/// <param name="AgentId">The agent.</param>
/// <param name="Items">Every item, most severe first.</param>
/// <param name="AiGuidanceProblem">Why there is no AI guidance (no chat client, the budget, a failed call, an unusable answer); <see langword="null"/> when it came.</param>
public sealed record AdvisorReport(string TenantId, string AgentId, IReadOnlyList<GuidanceItem> Items, string? AiGuidanceProblem);

/// <summary>The thresholds of the advisor's rules.</summary>
public sealed class AdvisorOptions
{
    /// <summary>Recent episodes the failure rate is computed over; at least <see cref="MinEpisodes"/> must exist. Default 50.</summary>
    public int EpisodeWindow { get; set; } = 50;

    /// <summary>Fewest episodes for a failure rate to mean anything. Default 10.</summary>
    public int MinEpisodes { get; set; } = 10;

    /// <summary>Failure rate that raises a warning (critical at <see cref="CriticalFailureRate"/>). Default 0.5.</summary>
    public double HighFailureRate { get; set; } = 0.5;

    /// <summary>Failure rate that is critical. Default 0.8.</summary>
    public double CriticalFailureRate { get; set; } = 0.8;

    /// <summary>How many of the agent's latest evaluated mutations must all fail to beat their parents to call it a plateau. Default 5.</summary>
    public int PlateauWindow { get; set; } = 5;

    /// <summary>How far below its parent's score an active version must fall to count as a regression. Default 0.05.</summary>
    public double RegressionMargin { get; set; } = 0.05;

    /// <summary>Items waiting for review that make a backlog. Default 5.</summary>
    public int ReviewBacklog { get; set; } = 5;

    /// <summary>Age of the oldest waiting item that makes a backlog however short. Default 3 days.</summary>
    public TimeSpan ReviewMaxAge { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Share of the token budget used that raises an early notice. Default 0.8.</summary>
    public double BudgetNotice { get; set; } = 0.8;

    /// <summary>Whether to ask the chat client for guidance beyond the rules. Default <see langword="true"/>.</summary>
    public bool UseAi { get; set; } = true;
}

/// <summary>Tells the people who run a workspace what its learning data says and what to do about it.</summary>
public interface IAdvisorService
{
    /// <summary>
    /// Heuristic guidance for the agent (high failure rate, fitness plateau, regression after promotion, review
    /// backlog, limits or budget used up) and, when a chat client is registered and the budget allows, AI guidance.
    /// </summary>
    /// <exception cref="EntityNotFoundException">No such agent in the workspace.</exception>
    Task<AdvisorReport> GenerateGuidanceAsync(string tenantId, string agentId, CancellationToken cancellationToken = default);
}

/// <summary>The default <see cref="IAdvisorService"/>.</summary>
internal sealed class AdvisorService(
    IChatGateway chat,
    IAgentProfileStore agents,
    IEpisodeStore episodes,
    IToolMutationStore mutations,
    ISkillCandidateStore candidates,
    ISkillStore skills,
    IFitnessStore fitness,
    ICapabilityGate gate,
    TokenBudget budget,
    IPromptCatalog prompts,
    TimeProvider timeProvider,
    IOptions<AdvisorOptions> options) : IAdvisorService
{
    private readonly AdvisorOptions _options = options.Value;

    /// <inheritdoc/>
    public async Task<AdvisorReport> GenerateGuidanceAsync(string tenantId, string agentId, CancellationToken cancellationToken = default)
    {
        Internal.Guard.Id(tenantId);
        Internal.Guard.Id(agentId);
        var agent = await agents.FindAsync(tenantId, agentId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(AgentProfile), tenantId, agentId);
        var items = new List<GuidanceItem>();
        var facts = new List<string>();
        await FailureRateAsync(agent, items, facts, cancellationToken).ConfigureAwait(false);
        await PlateauAsync(agent, items, facts, cancellationToken).ConfigureAwait(false);
        await RegressionsAsync(tenantId, items, facts, cancellationToken).ConfigureAwait(false);
        await BacklogAsync(tenantId, items, facts, cancellationToken).ConfigureAwait(false);
        var status = await LimitsAsync(agent, items, facts, cancellationToken).ConfigureAwait(false);

        string? problem = null;
        if (!_options.UseAi)
        {
            problem = "AI guidance is switched off (AdvisorOptions.UseAi).";
        }
        else if (status.IsExhausted)
        {
            problem = "The daily token budget is spent.";
        }
        else
        {
            problem = await AskModelAsync(agent, items, facts, cancellationToken).ConfigureAwait(false);
        }

        return new AdvisorReport(tenantId, agentId, [.. items.OrderByDescending(i => i.Severity)], problem);
    }

    private async Task FailureRateAsync(AgentProfile agent, List<GuidanceItem> items, List<string> facts, CancellationToken cancellationToken)
    {
        var (total, failed) = (0, 0);
        await foreach (var episode in episodes.ListRecentAsync(agent.TenantId, agent.AgentId, null, _options.EpisodeWindow, cancellationToken).ConfigureAwait(false))
        {
            total++;
            failed += episode.Success ? 0 : 1;
        }

        var rate = total == 0 ? 0 : (double)failed / total;
        facts.Add($"Recent episodes: {total}, of which {failed} failed ({rate:P0}).");
        if (total >= _options.MinEpisodes && rate >= _options.HighFailureRate)
        {
            items.Add(new(
                GuidanceKinds.HighFailureRate,
                rate >= _options.CriticalFailureRate ? GuidanceSeverity.Critical : GuidanceSeverity.Warning,
                $"{agent.AgentId} fails {rate:P0} of its recent tasks",
                $"{failed} of its last {total} episodes failed. Look at the failure patterns: Memento-Skills turns a repeated one into a skill candidate (needs INTERN and 'memento_skills').",
                GuidanceSource.Heuristic));
        }
    }

    private async Task PlateauAsync(AgentProfile agent, List<GuidanceItem> items, List<string> facts, CancellationToken cancellationToken)
    {
        var evaluated = new List<ToolMutation>();
        await foreach (var mutation in mutations.ListRecentAsync(agent.TenantId, _options.PlateauWindow * 10, cancellationToken).ConfigureAwait(false))
        {
            if (mutation.AgentId == agent.AgentId && mutation.Evaluation is not null)
            {
                evaluated.Add(mutation);
                if (evaluated.Count == _options.PlateauWindow)
                {
                    break;
                }
            }
        }

        var winners = evaluated.Count(m => m.Evaluation!.ChildWins);
        facts.Add($"Latest evaluated mutations for this agent: {evaluated.Count}, of which {winners} beat their parents.");
        if (evaluated.Count == _options.PlateauWindow && winners == 0)
        {
            var best = evaluated.Max(m => m.ParentFitnessScore ?? 0);
            items.Add(new(
                GuidanceKinds.FitnessPlateau,
                GuidanceSeverity.Info,
                "Fitness has plateaued",
                $"None of the last {evaluated.Count} mutations beat its parent (best parent fitness {best:0.000}). Further research spends tokens for little: add recorded inputs, new tests or delayed signals so fitness can tell variants apart, or pause background evolution.",
                GuidanceSource.Heuristic));
        }
    }

    private async Task RegressionsAsync(string tenantId, List<GuidanceItem> items, List<string> facts, CancellationToken cancellationToken)
    {
        await foreach (var skill in skills.ListAsync(tenantId, cancellationToken).ConfigureAwait(false))
        {
            if (skill.ActiveVersionId is not { } activeId
                || await skills.FindVersionAsync(tenantId, activeId, cancellationToken).ConfigureAwait(false) is not { ParentVersionId: { } parentId } active
                || await skills.FindVersionAsync(tenantId, parentId, cancellationToken).ConfigureAwait(false) is not { } parent
                || await fitness.FindAsync(tenantId, active.Id, cancellationToken).ConfigureAwait(false) is not { } activeScore
                || await fitness.FindAsync(tenantId, parent.Id, cancellationToken).ConfigureAwait(false) is not { } parentScore)
            {
                continue;
            }

            facts.Add($"Skill {skill.Name}: active {active.Version} scores {activeScore.Score:0.000}; its parent {parent.Version} scored {parentScore.Score:0.000}.");
            if (activeScore.Score < parentScore.Score - _options.RegressionMargin)
            {
                items.Add(new(
                    GuidanceKinds.RegressionAfterPromotion,
                    GuidanceSeverity.Warning,
                    $"{skill.Name} {active.Version} does worse than {parent.Version}",
                    $"Since promotion its fitness is {activeScore.Score:0.000} against {parentScore.Score:0.000} for {parent.Version}. Roll back with ISkillRegistry.RollbackAsync(\"{skill.Name}\", {parent.Version}) and review what changed.",
                    GuidanceSource.Heuristic));
            }
        }
    }

    private async Task BacklogAsync(string tenantId, List<GuidanceItem> items, List<string> facts, CancellationToken cancellationToken)
    {
        var waiting = new List<DateTimeOffset>();
        await foreach (var candidate in candidates.ListByStatusAsync(tenantId, SkillCandidateStatus.Validated, cancellationToken).ConfigureAwait(false))
        {
            waiting.Add(candidate.UpdatedAt);
        }

        await foreach (var mutation in mutations.ListByStatusAsync(tenantId, ToolMutationStatus.Passed, cancellationToken).ConfigureAwait(false))
        {
            waiting.Add(mutation.UpdatedAt);
        }

        var age = waiting.Count == 0 ? TimeSpan.Zero : timeProvider.GetUtcNow() - waiting.Min();
        facts.Add($"Waiting for review: {waiting.Count}, the oldest for {age.TotalHours:0} hours.");
        if (waiting.Count >= _options.ReviewBacklog || (waiting.Count > 0 && age >= _options.ReviewMaxAge))
        {
            items.Add(new(
                GuidanceKinds.ReviewBacklog,
                age >= _options.ReviewMaxAge ? GuidanceSeverity.Warning : GuidanceSeverity.Info,
                $"{waiting.Count} item(s) wait for review",
                $"The oldest has waited {age.TotalDays:0.#} days. Validated candidates and passed mutations help nobody until someone approves or rejects them (IReviewService).",
                GuidanceSource.Heuristic));
        }
    }

    private async Task<TokenBudgetStatus> LimitsAsync(AgentProfile agent, List<GuidanceItem> items, List<string> facts, CancellationToken cancellationToken)
    {
        foreach (var capability in (string[])[CapabilityNames.MementoSkills, CapabilityNames.AlphaEvolver])
        {
            var decision = await gate.CheckAsync(agent.TenantId, agent.AgentId, capability, cancellationToken).ConfigureAwait(false);
            facts.Add($"{capability}: {decision.Reason}");
            if (decision.Denial == GateDenial.DailyLimitReached)
            {
                items.Add(new(
                    GuidanceKinds.LimitReached,
                    GuidanceSeverity.Warning,
                    $"The daily limit of {capability} is used up",
                    $"{decision.Reason} Raise '{(capability == CapabilityNames.AlphaEvolver ? "max_mutations_per_day" : "max_skill_candidates_per_day")}' if the work is worth it.",
                    GuidanceSource.Heuristic));
            }
        }

        var status = await budget.GetAsync(agent.TenantId, cancellationToken).ConfigureAwait(false);
        facts.Add($"Tokens today: {status.Used:N0} of {status.Budget:N0}.");
        if (status.IsExhausted || status.Used >= status.Budget * _options.BudgetNotice)
        {
            items.Add(new(
                GuidanceKinds.TokenBudget,
                status.IsExhausted ? GuidanceSeverity.Critical : GuidanceSeverity.Info,
                status.IsExhausted ? "The daily token budget is spent" : "The daily token budget is nearly spent",
                $"{status.Used:N0} of {status.Budget:N0} tokens used today; model calls are refused at the budget until 00:00 UTC. Raise 'daily_token_budget' if the learning is worth it.",
                GuidanceSource.Heuristic));
        }

        return status;
    }

    private async Task<string?> AskModelAsync(AgentProfile agent, List<GuidanceItem> items, List<string> facts, CancellationToken cancellationToken)
    {
        var prompt = await prompts.GetAsync(agent.TenantId, PromptNames.AdvisorGuidance, cancellationToken).ConfigureAwait(false);
        var text = prompt.Render(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["tenant"] = agent.TenantId,
            ["agent"] = agent.AgentId,
            ["maturity"] = agent.Maturity.ToString().ToUpperInvariant(),
            ["facts"] = string.Join('\n', facts.Select(f => "- " + f)),
            ["findings"] = items.Count == 0 ? "(none)" : string.Join('\n', items.Select(i => $"- [{i.Severity}] {i.Title}")),
        });

        ChatCallResult answer;
        try
        {
            answer = await chat.GetResponseAsync(
                new ChatCallContext(agent.TenantId, PromptNames.AdvisorGuidance) { AgentId = agent.AgentId },
                [new ChatMessage(ChatRole.User, text)],
                new ChatOptions { Temperature = 0.2f },
                cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            return ex.Message; // No chat client registered.
        }

        if (!answer.Succeeded)
        {
            return $"The model call failed after {answer.Record.Attempts} attempt(s): {answer.Record.FailureReason}";
        }

        var json = ModelAnswers.ExtractJson(answer.Text);
        if (!json.Succeeded)
        {
            return json.Reason;
        }

        return ReadAiItems(json.Json!, items);
    }

    private static string? ReadAiItems(string json, List<GuidanceItem> items)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return "The model's guidance is not a JSON array.";
            }

            foreach (var item in document.RootElement.EnumerateArray().Take(5))
            {
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("title", out var title) || title.ValueKind != JsonValueKind.String
                    || !item.TryGetProperty("detail", out var detail) || detail.ValueKind != JsonValueKind.String)
                {
                    return "An item of the model's guidance has no title or detail.";
                }

                var severity = item.TryGetProperty("severity", out var s) && s.ValueKind == JsonValueKind.String
                    && Enum.TryParse<GuidanceSeverity>(s.GetString(), ignoreCase: true, out var parsed) ? parsed : GuidanceSeverity.Info;
                items.Add(new(GuidanceKinds.Ai, severity, title.GetString()!, detail.GetString()!, GuidanceSource.Ai));
            }

            return null;
        }
        catch (JsonException ex)
        {
            return $"The model's guidance is not valid JSON: {ex.Message}";
        }
    }
}
