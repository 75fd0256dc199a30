using AutoDev.AspNetCore;
using AutoDev.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Cli;

/// <summary>
/// What the operator commands do to one workspace, over a store connection (<see cref="StoreOperator"/>) or a running
/// <c>MapAutoDev</c> API (<see cref="HttpOperator"/>); both answer in the API's shapes, so <c>--json</c> reads the same.
/// </summary>
internal interface IOperator : IAsyncDisposable
{
    /// <summary>Whether the workspace exists (for the API: whether the signed-in user reaches it).</summary>
    Task<bool> WorkspaceExistsAsync(CancellationToken cancellationToken);

    Task<PendingReviews> PendingAsync(int limit, CancellationToken cancellationToken);

    Task<ReviewItem> CandidateAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Approves a candidate. Over the API the reviewer is the signed-in user and <paramref name="reviewer"/> is not sent.</summary>
    Task<SkillVersion> ApproveAsync(Guid id, string reviewer, string? reason, CancellationToken cancellationToken);

    Task<SkillCandidate> RejectAsync(Guid id, string reviewer, string reason, CancellationToken cancellationToken);

    Task<IReadOnlyList<SkillSummary>> SkillsAsync(int limit, CancellationToken cancellationToken);

    Task<SkillDetails> SkillAsync(string name, CancellationToken cancellationToken);

    Task<Lineage<SkillVersion>> LineageAsync(string name, CancellationToken cancellationToken);

    Task<Skill> RollbackAsync(string name, SemanticVersion version, CancellationToken cancellationToken);

    Task ExportAsync(string name, Stream destination, CancellationToken cancellationToken);

    Task<SkillCandidate> ImportAsync(Stream package, CancellationToken cancellationToken);

    Task<IReadOnlyList<AgentSummary>> AgentsAsync(int limit, CancellationToken cancellationToken);

    Task<AgentSummary> AgentAsync(string agentId, CancellationToken cancellationToken);

    Task<WorkspaceUsage> UsageAsync(CancellationToken cancellationToken);
}

/// <summary>The operator commands on AutoDev's services over a store: <see cref="WorkspaceOverview"/> to read, Core's services to decide.</summary>
internal sealed class StoreOperator(ServiceProvider services, string workspace) : IOperator
{
    private WorkspaceOverview Overview => services.GetRequiredService<WorkspaceOverview>();

    private ISkillRegistry Registry => services.GetRequiredService<ISkillRegistry>();

    private IReviewService Review => services.GetRequiredService<IReviewService>();

    public async Task<bool> WorkspaceExistsAsync(CancellationToken cancellationToken) =>
        await services.GetRequiredService<IWorkspaceStore>().ExistsAsync(workspace, cancellationToken).ConfigureAwait(false);

    public Task<PendingReviews> PendingAsync(int limit, CancellationToken cancellationToken) => Overview.PendingAsync(workspace, limit, cancellationToken);

    public Task<ReviewItem> CandidateAsync(Guid id, CancellationToken cancellationToken) => Overview.CandidateAsync(workspace, id, cancellationToken);

    public Task<SkillVersion> ApproveAsync(Guid id, string reviewer, string? reason, CancellationToken cancellationToken) =>
        Review.ApproveAsync(workspace, id, reviewer, reason, cancellationToken);

    public Task<SkillCandidate> RejectAsync(Guid id, string reviewer, string reason, CancellationToken cancellationToken) =>
        Review.RejectAsync(workspace, id, reviewer, reason, cancellationToken);

    public Task<IReadOnlyList<SkillSummary>> SkillsAsync(int limit, CancellationToken cancellationToken) => Overview.SkillsAsync(workspace, limit, cancellationToken);

    public Task<SkillDetails> SkillAsync(string name, CancellationToken cancellationToken) => Overview.SkillAsync(workspace, name, cancellationToken);

    public Task<Lineage<SkillVersion>> LineageAsync(string name, CancellationToken cancellationToken) =>
        Registry.GetLineageAsync(workspace, name, cancellationToken: cancellationToken);

    public Task<Skill> RollbackAsync(string name, SemanticVersion version, CancellationToken cancellationToken) =>
        Registry.RollbackAsync(workspace, name, version, cancellationToken);

    public Task ExportAsync(string name, Stream destination, CancellationToken cancellationToken) => Registry.ExportAsync(workspace, name, destination, cancellationToken);

    public Task<SkillCandidate> ImportAsync(Stream package, CancellationToken cancellationToken) => Registry.ImportAsync(workspace, package, cancellationToken: cancellationToken);

    public Task<IReadOnlyList<AgentSummary>> AgentsAsync(int limit, CancellationToken cancellationToken) => Overview.AgentsAsync(workspace, limit, cancellationToken);

    public Task<AgentSummary> AgentAsync(string agentId, CancellationToken cancellationToken) => Overview.AgentAsync(workspace, agentId, cancellationToken);

    public Task<WorkspaceUsage> UsageAsync(CancellationToken cancellationToken) => Overview.UsageAsync(workspace, cancellationToken);

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
