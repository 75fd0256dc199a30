using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>A research experiment: evolve one skill for a number of iterations, keeping the fitter variant at every step.</summary>
/// <param name="TenantId">The workspace.</param>
/// <param name="AgentId">The AUTONOMOUS agent the experiment runs for.</param>
/// <param name="SkillName">The skill.</param>
public sealed record ResearchRequest(string TenantId, string AgentId, string SkillName)
{
    /// <summary>Iterations of mutate → test → keep the fitter; <see cref="EvolutionOptions.ResearchIterations"/> when not given.</summary>
    public int? Iterations { get; init; }

    /// <summary>Children per iteration, written and evaluated in parallel; <see cref="EvolutionOptions.ResearchChildrenPerIteration"/> when not given.</summary>
    public int? ChildrenPerIteration { get; init; }

    /// <summary>Inputs to evaluate on besides the skill's tests; the recorded ones when empty.</summary>
    public IReadOnlyList<string> RecordedInputs { get; init; } = [];
}

/// <summary>Why a research experiment stopped.</summary>
public enum ResearchStopReason
{
    /// <summary>It ran every iteration.</summary>
    Completed = 0,

    /// <summary>The workspace's daily mutation limit was reached.</summary>
    DailyLimitReached = 1,

    /// <summary>The workspace's daily token budget was spent.</summary>
    TokenBudgetExhausted = 2,
}

/// <summary>One iteration of a research experiment.</summary>
/// <param name="Iteration">1 for the first.</param>
/// <param name="ChampionId">The mutation the children were made from; <see langword="null"/> for the skill version itself.</param>
/// <param name="Children">Every child written in the iteration, with its verdict.</param>
/// <param name="WinnerId">The child that became the champion, or <see langword="null"/> when none beat it.</param>
public sealed record ResearchStep(int Iteration, Guid? ChampionId, IReadOnlyList<ToolMutation> Children, Guid? WinnerId);

/// <summary>What a research experiment did.</summary>
/// <param name="Steps">Every iteration run, in order.</param>
/// <param name="Best">The final champion, waiting for review; <see langword="null"/> when no child beat the skill version.</param>
/// <param name="StopReason">Why it stopped.</param>
public sealed record ResearchReport(IReadOnlyList<ResearchStep> Steps, ToolMutation? Best, ResearchStopReason StopReason);

/// <summary>
/// AlphaEvolver's research mode: evolves one skill for a number of iterations through <see cref="AlphaEvolverEngine"/>,
/// keeping the fitter variant at every step, within the daily mutation limit and the token budget.
/// </summary>
/// <remarks>Registered by <c>AddAutoDev()</c>; <see cref="BackgroundEvolutionService"/> runs it for AUTONOMOUS agents. Thread-safe singleton.</remarks>
public sealed class ResearchExperiments(
    AlphaEvolverEngine alpha,
    ICapabilityGate gate,
    ISkillStore skills,
    IToolMutationStore mutations,
    IOptions<EvolutionOptions> options,
    TimeProvider time,
    ILogger<ResearchExperiments> logger)
{
    /// <summary>Who closes research children that lost: <c>autodev-research</c>.</summary>
    public const string ResearchReviewer = "autodev-research";

    private readonly EvolutionOptions _options = options.Value;

    /// <summary>
    /// Runs a research experiment: each iteration writes several children of the current champion (the skill version
    /// at first), evaluates them against it in parallel, and keeps the fittest child that beats it. Every child is
    /// stored with its parent mutation, so the lineage records each step; children that lost are failed or rejected, and
    /// only the final champion waits for review. Stops early at the daily mutation limit or the token budget.
    /// </summary>
    /// <exception cref="EntityNotFoundException">No such skill or agent in the workspace.</exception>
    /// <exception cref="CapabilityDeniedException">The agent is not AUTONOMOUS, or the workspace has not opted in to <c>background_evolution</c> or <c>alpha_evolver</c>.</exception>
    public async Task<ResearchReport> RunAsync(ResearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var iterations = request.Iterations ?? _options.ResearchIterations;
        var width = request.ChildrenPerIteration ?? _options.ResearchChildrenPerIteration;
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1, nameof(request));
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1, nameof(request));
        foreach (var capability in (string[])[CapabilityNames.BackgroundEvolution, CapabilityNames.AlphaEvolver])
        {
            var decision = await gate.CheckAsync(request.TenantId, request.AgentId, capability, cancellationToken).ConfigureAwait(false);
            if (decision.Denial is not (GateDenial.None or GateDenial.DailyLimitReached))
            {
                throw new CapabilityDeniedException(decision);
            }
        }

        var skill = await skills.FindByNameAsync(request.TenantId, request.SkillName, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(Skill), request.TenantId, request.SkillName);
        var steps = new List<ResearchStep>();
        ToolMutation? champion = null;
        var stop = ResearchStopReason.Completed;
        for (var iteration = 1; iteration <= iterations && stop == ResearchStopReason.Completed; iteration++)
        {
            using var activity = AutoDevTelemetry.Start("research.iterate", request.TenantId)?
                .SetTag("autodev.skill", request.SkillName)
                .SetTag("autodev.research.iteration", iteration);
            var (children, stopped) = await GenerateChildrenAsync(request, skill, champion, width, cancellationToken).ConfigureAwait(false);
            stop = stopped;
            if (children.Count == 0)
            {
                break;
            }

            var evaluated = await Task.WhenAll(children.Select(c => c.Status == ToolMutationStatus.Pending
                ? alpha.SandboxExecuteMutationAsync(c.TenantId, c.Id, cancellationToken)
                : Task.FromResult(c))).ConfigureAwait(false);

            var winner = evaluated.Where(c => c.Status == ToolMutationStatus.Passed).MaxBy(c => c.FitnessScore);
            var closed = new List<ToolMutation>();
            foreach (var child in evaluated)
            {
                closed.Add(child.Status == ToolMutationStatus.Passed && child.Id != winner?.Id
                    ? await CloseAsync(child, $"A sibling was fitter ({winner?.FitnessScore:0.0000} against {child.FitnessScore:0.0000}).", cancellationToken).ConfigureAwait(false)
                    : child);
            }

            if (winner is not null && champion is not null)
            {
                await CloseAsync(champion, $"Superseded by a fitter descendant, {winner.Id}.", cancellationToken).ConfigureAwait(false);
            }

            steps.Add(new ResearchStep(iteration, champion?.Id, closed, winner?.Id));
            champion = winner ?? champion;
            activity?.SetTag("autodev.research.children", closed.Count).SetTag("autodev.outcome", winner is null ? "no_winner" : "winner");
            Log.ResearchStep(logger, request.TenantId, skill.Name, iteration, closed.Count, winner is not null);
        }

        var best = champion is null ? null : await mutations.FindAsync(request.TenantId, champion.Id, cancellationToken).ConfigureAwait(false);
        return new ResearchReport(steps, best, stop);
    }

    private async Task<(List<ToolMutation> Children, ResearchStopReason Stop)> GenerateChildrenAsync(
        ResearchRequest request, Skill skill, ToolMutation? champion, int width, CancellationToken cancellationToken)
    {
        var mutationRequest = new MutationRequest(request.TenantId, request.AgentId, skill.Name, MutationTrigger.Research)
        {
            ParentVersionId = champion?.ParentVersionId,
            ParentMutationId = champion?.Id,
            RecordedInputs = request.RecordedInputs,
        };
        var attempts = await Task.WhenAll(Enumerable.Range(0, width).Select(async _ =>
        {
            try
            {
                return (Child: await alpha.GenerateToolMutationAsync(mutationRequest, cancellationToken).ConfigureAwait(false), Stop: ResearchStopReason.Completed);
            }
            catch (LimitExceededException)
            {
                return (Child: (ToolMutation?)null, Stop: ResearchStopReason.DailyLimitReached);
            }
            catch (TokenBudgetExceededException)
            {
                return (Child: (ToolMutation?)null, Stop: ResearchStopReason.TokenBudgetExhausted);
            }
        })).ConfigureAwait(false);

        var stop = attempts.Select(a => a.Stop).FirstOrDefault(s => s != ResearchStopReason.Completed);
        return ([.. attempts.Select(a => a.Child).OfType<ToolMutation>()], stop);
    }

    private async Task<ToolMutation> CloseAsync(ToolMutation mutation, string reason, CancellationToken cancellationToken)
    {
        var current = await mutations.FindAsync(mutation.TenantId, mutation.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(ToolMutation), mutation.TenantId, mutation.Id);
        return current.Status != ToolMutationStatus.Passed
            ? current
            : await mutations.UpdateAsync(current.Reject(Review.Create(ResearchReviewer, ReviewDecision.Rejected, reason, time.GetUtcNow())), cancellationToken).ConfigureAwait(false);
    }
}
