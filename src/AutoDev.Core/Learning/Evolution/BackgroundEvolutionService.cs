using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>
/// Runs research experiments in the background: every <see cref="EvolutionOptions.BackgroundInterval"/> it visits each
/// workspace that switched on <c>background_evolution</c>, and for each AUTONOMOUS agent researches the next skill in
/// turn, within the daily mutation limit and the token budget. Stops cleanly with the host; a mutation cut off
/// mid-evaluation is picked up by <see cref="EvolutionLoop"/> at the next start.
/// </summary>
/// <remarks>Registered by <c>AddAutoDev()</c>; off with <see cref="EvolutionOptions.RunBackgroundEvolution"/> = false.</remarks>
public sealed class BackgroundEvolutionService(
    ResearchExperiments research,
    IWorkspaceStore workspaces,
    IAgentProfileStore agents,
    ISkillStore skills,
    TimeProvider time,
    IOptions<EvolutionOptions> options,
    ILogger<BackgroundEvolutionService> logger) : BackgroundService
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _turns = new(StringComparer.Ordinal);

    /// <summary>One round over every workspace; returns the experiments run.</summary>
    public async Task<IReadOnlyList<ResearchReport>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var reports = new List<ResearchReport>();
        await foreach (var tenant in workspaces.ListWorkspacesAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await RunWorkspaceAsync(tenant, reports, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.ResearchFailed(logger, ex, tenant);
            }
        }

        return reports;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunBackgroundEvolution)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.BackgroundInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private async Task RunWorkspaceAsync(string tenant, List<ResearchReport> reports, CancellationToken cancellationToken)
    {
        var settings = await workspaces.GetSettingsAsync(tenant, cancellationToken).ConfigureAwait(false);
        if (!settings.Enabled || !settings.BackgroundEvolution || !settings.AlphaEvolver)
        {
            return;
        }

        var names = new List<string>();
        await foreach (var skill in skills.ListAsync(tenant, cancellationToken).ConfigureAwait(false))
        {
            names.Add(skill.Name);
        }

        if (names.Count == 0)
        {
            return;
        }

        await foreach (var agent in agents.ListAsync(tenant, cancellationToken).ConfigureAwait(false))
        {
            if (agent.Maturity != AgentMaturity.Autonomous)
            {
                continue;
            }

            var turn = _turns.AddOrUpdate(tenant, 0, (_, last) => last + 1);
            var name = names[turn % names.Count];
            var report = await research.RunAsync(new ResearchRequest(tenant, agent.AgentId, name), cancellationToken).ConfigureAwait(false);
            reports.Add(report);
            Log.ResearchFinished(logger, tenant, name, agent.AgentId, report.StopReason);
            if (report.StopReason != ResearchStopReason.Completed)
            {
                return; // The workspace's limit or budget is spent for today.
            }
        }
    }
}
