namespace AutoDev.Storage;

// Store contracts, for store-provider authors (hosts use them through AutoDev's services). Every method takes the
// tenant and filters by it: another tenant's id behaves exactly as an unknown id, and ids are keys per tenant, so two
// workspaces may hold the same id, each its own entity. Updates compare ConcurrencyStamp;
// a proposal's status is decided by its own transition methods (MoveTo, Promote, Reject), never by a store.
// Implementations are thread-safe singletons; EF Core providers use a DbContext factory per call.

/// <summary>The result of an add that may find an existing entity instead.</summary>
/// <typeparam name="T">The entity type.</typeparam>
/// <param name="Entity">The entity added, or the existing one that blocked it.</param>
/// <param name="Created">Whether <paramref name="Entity"/> was added by this call.</param>
public readonly record struct AddResult<T>(T Entity, bool Created);

/// <summary>Stores workspace settings.</summary>
public interface IWorkspaceStore
{
    /// <summary>The workspace's settings, or <see cref="WorkspaceSettings.Default"/> when none were saved.</summary>
    ValueTask<WorkspaceSettings> GetSettingsAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>
    /// The ids of every workspace with saved or configured settings, for background services that visit each
    /// workspace in turn (they then query each one by its id).
    /// </summary>
    IAsyncEnumerable<string> ListWorkspacesAsync(CancellationToken cancellationToken);

    /// <summary>Saves the settings after validating them.</summary>
    /// <exception cref="InvalidSettingsException">A value is out of range; nothing was saved.</exception>
    ValueTask SaveSettingsAsync(string tenantId, WorkspaceSettings settings, CancellationToken cancellationToken);
}

/// <summary>Questions about workspaces every surface asks the same way.</summary>
public static class WorkspaceStoreExtensions
{
    /// <summary>Whether <paramref name="tenantId"/> is a workspace with saved or configured settings (one of <see cref="IWorkspaceStore.ListWorkspacesAsync"/>).</summary>
    public static async ValueTask<bool> ExistsAsync(this IWorkspaceStore store, string tenantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await foreach (var id in store.ListWorkspacesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(id, tenantId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Stores agent profiles.</summary>
public interface IAgentProfileStore
{
    /// <summary>The agent's profile, or <see langword="null"/>.</summary>
    ValueTask<AgentProfile?> FindAsync(string tenantId, string agentId, CancellationToken cancellationToken);

    /// <summary>Adds a profile; returns the existing one instead when the agent already has one.</summary>
    ValueTask<AddResult<AgentProfile>> AddAsync(AgentProfile profile, CancellationToken cancellationToken);

    /// <summary>Replaces a profile read earlier and returns it with a new stamp.</summary>
    /// <exception cref="EntityNotFoundException">No such agent in the workspace.</exception>
    /// <exception cref="ConcurrencyConflictException">It changed since it was read.</exception>
    ValueTask<AgentProfile> UpdateAsync(AgentProfile profile, CancellationToken cancellationToken);

    /// <summary>Every agent of the workspace.</summary>
    IAsyncEnumerable<AgentProfile> ListAsync(string tenantId, CancellationToken cancellationToken);
}

/// <summary>What <see cref="IEpisodeStore.AddAsync"/> did.</summary>
/// <param name="Agent">The agent's profile after the episode was counted.</param>
/// <param name="Added">Whether this call added the episode; <see langword="false"/> when the workspace held it already (a retry), which was then not counted again.</param>
public readonly record struct EpisodeAdded(AgentProfile Agent, bool Added);

/// <summary>Stores episodes and their segments.</summary>
public interface IEpisodeStore
{
    /// <summary>
    /// Adds an episode with its segments and counts it in its agent's profile, in one transaction: the profile is
    /// created (a STUDENT) when the agent has none, and its counters are incremented where they are stored, so
    /// concurrent writers never lose a count. An episode whose id the workspace already holds is neither added nor
    /// counted again, so a host may retry a call whose outcome it did not see.
    /// </summary>
    /// <exception cref="ArgumentException">The episode is invalid (see <see cref="Episode.EnsureValid"/>); nothing was saved.</exception>
    ValueTask<EpisodeAdded> AddAsync(Episode episode, CancellationToken cancellationToken);

    /// <summary>The episode, or <see langword="null"/>.</summary>
    ValueTask<Episode?> FindAsync(string tenantId, Guid episodeId, CancellationToken cancellationToken);

    /// <summary>The agent's most recent episodes, newest first, optionally only failures or successes.</summary>
    IAsyncEnumerable<Episode> ListRecentAsync(string tenantId, string agentId, bool? success, int count, CancellationToken cancellationToken);
}

/// <summary>Stores skill candidates.</summary>
public interface ISkillCandidateStore
{
    /// <summary>Adds a candidate unless an open one exists for the same pattern, which is returned instead.</summary>
    ValueTask<AddResult<SkillCandidate>> AddAsync(SkillCandidate candidate, CancellationToken cancellationToken);

    /// <summary>The candidate, or <see langword="null"/>.</summary>
    ValueTask<SkillCandidate?> FindAsync(string tenantId, Guid candidateId, CancellationToken cancellationToken);

    /// <summary>The open candidate for a failure pattern, or <see langword="null"/>.</summary>
    ValueTask<SkillCandidate?> FindOpenByPatternAsync(string tenantId, string patternKey, CancellationToken cancellationToken);

    /// <summary>Replaces a candidate read earlier (its status set by its transition methods) and returns it with a new stamp.</summary>
    /// <exception cref="EntityNotFoundException">No such candidate in the workspace.</exception>
    /// <exception cref="ConcurrencyConflictException">It changed since it was read.</exception>
    ValueTask<SkillCandidate> UpdateAsync(SkillCandidate candidate, CancellationToken cancellationToken);

    /// <summary>The workspace's candidates in a status, oldest first.</summary>
    IAsyncEnumerable<SkillCandidate> ListByStatusAsync(string tenantId, SkillCandidateStatus status, CancellationToken cancellationToken) =>
        ListByStatusAsync(tenantId, status, int.MaxValue, cancellationToken);

    /// <summary>The oldest <paramref name="limit"/> of the workspace's candidates in a status, oldest first: one page of a review queue, read in one query of that size.</summary>
    IAsyncEnumerable<SkillCandidate> ListByStatusAsync(string tenantId, SkillCandidateStatus status, int limit, CancellationToken cancellationToken);
}

/// <summary>Stores the acceptance cases hosts register for skills.</summary>
public interface IAcceptanceCaseStore
{
    /// <summary>Adds a case unless the skill has one with the same inputs, which is returned instead.</summary>
    ValueTask<AddResult<AcceptanceCase>> AddAsync(AcceptanceCase acceptanceCase, CancellationToken cancellationToken);

    /// <summary>The skill's cases, oldest first.</summary>
    IAsyncEnumerable<AcceptanceCase> ListAsync(string tenantId, string skillName, CancellationToken cancellationToken);

    /// <summary>Removes a case; false when the workspace has no such case.</summary>
    ValueTask<bool> RemoveAsync(string tenantId, Guid caseId, CancellationToken cancellationToken);
}

/// <summary>Stores skills and their versions.</summary>
public interface ISkillStore
{
    /// <summary>Adds a skill with its first version, which becomes active.</summary>
    /// <exception cref="DuplicateEntityException">The workspace already has a skill of that name.</exception>
    ValueTask<Skill> AddAsync(Skill skill, SkillVersion firstVersion, CancellationToken cancellationToken);

    /// <summary>The skill, or <see langword="null"/>.</summary>
    ValueTask<Skill?> FindAsync(string tenantId, Guid skillId, CancellationToken cancellationToken);

    /// <summary>The skill of that name, or <see langword="null"/>.</summary>
    ValueTask<Skill?> FindByNameAsync(string tenantId, string name, CancellationToken cancellationToken);

    /// <summary>Every skill of the workspace, by name.</summary>
    IAsyncEnumerable<Skill> ListAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Adds a version to an existing skill, optionally making it active.</summary>
    /// <exception cref="EntityNotFoundException">No such skill, or the parent version is unknown.</exception>
    /// <exception cref="DuplicateEntityException">The skill already has that version number.</exception>
    ValueTask<SkillVersion> AddVersionAsync(SkillVersion version, bool activate, CancellationToken cancellationToken);

    /// <summary>The version, or <see langword="null"/>.</summary>
    ValueTask<SkillVersion?> FindVersionAsync(string tenantId, Guid versionId, CancellationToken cancellationToken);

    /// <summary>
    /// The workspace's versions among <paramref name="versionIds"/>, in no particular order; unknown ids (and other
    /// workspaces' ids) are left out. For a page of skills' active versions: a store should read them in one query
    /// (the default reads them one by one).
    /// </summary>
    async IAsyncEnumerable<SkillVersion> FindVersionsAsync(string tenantId, IReadOnlyCollection<Guid> versionIds, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(versionIds);
        foreach (var id in versionIds.Distinct())
        {
            if (await FindVersionAsync(tenantId, id, cancellationToken).ConfigureAwait(false) is { } version)
            {
                yield return version;
            }
        }
    }

    /// <summary>Every version of the skill, lowest first.</summary>
    IAsyncEnumerable<SkillVersion> ListVersionsAsync(string tenantId, Guid skillId, CancellationToken cancellationToken);

    /// <summary>Makes a version the active one (rollback and promotion).</summary>
    /// <exception cref="EntityNotFoundException">No such skill or version, or the version belongs to another skill.</exception>
    ValueTask<Skill> SetActiveVersionAsync(string tenantId, Guid skillId, Guid versionId, CancellationToken cancellationToken);

    /// <summary>The version's ancestors and descendants.</summary>
    /// <exception cref="EntityNotFoundException">No such version.</exception>
    ValueTask<Lineage<SkillVersion>> GetLineageAsync(string tenantId, Guid versionId, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a promotion in one transaction: the new skill (if any), the version, made active, and the proposal it came
    /// from in its promoted state. Either all of it is saved or nothing is.
    /// </summary>
    /// <returns>The skill after the promotion.</returns>
    /// <exception cref="EntityNotFoundException">No such skill, parent version or proposal in the workspace.</exception>
    /// <exception cref="DuplicateEntityException">The new skill's name, or the version's number, is taken (promote again with a fresh number).</exception>
    /// <exception cref="ConcurrencyConflictException">The proposal changed since it was read (another reviewer decided first).</exception>
    ValueTask<Skill> PromoteAsync(SkillPromotion promotion, CancellationToken cancellationToken);
}

/// <summary>What one promotion writes: a version, the skill it starts (when new), and the proposal it came from.</summary>
public sealed record SkillPromotion
{
    /// <summary>The skill the version starts, when no skill of that name exists yet; otherwise <see langword="null"/>.</summary>
    public Skill? NewSkill { get; init; }

    /// <summary>The version, which becomes the skill's active one.</summary>
    public required SkillVersion Version { get; init; }

    /// <summary>The candidate it came from, in its promoted state, with the stamp it was read with.</summary>
    public SkillCandidate? Candidate { get; init; }

    /// <summary>The mutation it came from, in its promoted state, with the stamp it was read with.</summary>
    public ToolMutation? Mutation { get; init; }
}

/// <summary>Stores tool mutations.</summary>
public interface IToolMutationStore
{
    /// <summary>
    /// Adds a mutation unless an open one exists for the same parent version and trigger (see
    /// <see cref="ToolMutation.OpenKey"/>), which is returned instead.
    /// </summary>
    /// <exception cref="EntityNotFoundException">The parent mutation is unknown in the workspace.</exception>
    ValueTask<AddResult<ToolMutation>> AddAsync(ToolMutation mutation, CancellationToken cancellationToken);

    /// <summary>The open mutation of a parent version for a trigger, or <see langword="null"/>.</summary>
    ValueTask<ToolMutation?> FindOpenAsync(string tenantId, Guid parentVersionId, MutationTrigger trigger, CancellationToken cancellationToken);

    /// <summary>The workspace's most recent mutations, newest first.</summary>
    IAsyncEnumerable<ToolMutation> ListRecentAsync(string tenantId, int count, CancellationToken cancellationToken);

    /// <summary>The mutation, or <see langword="null"/>.</summary>
    ValueTask<ToolMutation?> FindAsync(string tenantId, Guid mutationId, CancellationToken cancellationToken);

    /// <summary>Replaces a mutation read earlier (its status set by its transition methods) and returns it with a new stamp.</summary>
    /// <exception cref="EntityNotFoundException">No such mutation in the workspace.</exception>
    /// <exception cref="ConcurrencyConflictException">It changed since it was read.</exception>
    ValueTask<ToolMutation> UpdateAsync(ToolMutation mutation, CancellationToken cancellationToken);

    /// <summary>The workspace's mutations in a status, oldest first.</summary>
    IAsyncEnumerable<ToolMutation> ListByStatusAsync(string tenantId, ToolMutationStatus status, CancellationToken cancellationToken) =>
        ListByStatusAsync(tenantId, status, int.MaxValue, cancellationToken);

    /// <summary>The oldest <paramref name="limit"/> of the workspace's mutations in a status, oldest first: one page of a review queue, read in one query of that size.</summary>
    IAsyncEnumerable<ToolMutation> ListByStatusAsync(string tenantId, ToolMutationStatus status, int limit, CancellationToken cancellationToken);

    /// <summary>Every mutation of a skill version (its <see cref="ToolMutation.ParentVersionId"/>), oldest first.</summary>
    IAsyncEnumerable<ToolMutation> ListChildrenAsync(string tenantId, Guid parentVersionId, CancellationToken cancellationToken);

    /// <summary>The mutation's research-mode ancestors and descendants (through <see cref="ToolMutation.ParentMutationId"/>).</summary>
    ValueTask<Lineage<ToolMutation>> GetLineageAsync(string tenantId, Guid mutationId, CancellationToken cancellationToken);
}

/// <summary>Stores workflow variants.</summary>
public interface IWorkflowVariantStore
{
    /// <summary>Adds a variant.</summary>
    /// <exception cref="EntityNotFoundException">The parent variant is unknown in the workspace.</exception>
    ValueTask<WorkflowVariant> AddAsync(WorkflowVariant variant, CancellationToken cancellationToken);

    /// <summary>The variant, or <see langword="null"/>.</summary>
    ValueTask<WorkflowVariant?> FindAsync(string tenantId, Guid variantId, CancellationToken cancellationToken);

    /// <summary>Replaces a variant read earlier, checking the status transition.</summary>
    ValueTask<WorkflowVariant> UpdateAsync(WorkflowVariant variant, CancellationToken cancellationToken);

    /// <summary>The agent's evaluated variants, fittest first.</summary>
    IAsyncEnumerable<WorkflowVariant> ListTopAsync(string tenantId, string agentId, int count, CancellationToken cancellationToken);

    /// <summary>The variant's ancestors and descendants.</summary>
    ValueTask<Lineage<WorkflowVariant>> GetLineageAsync(string tenantId, Guid variantId, CancellationToken cancellationToken);
}

/// <summary>Counts uses of limited capabilities per UTC day, with atomic reservations.</summary>
public interface ICapabilityUsageStore
{
    /// <summary>
    /// Adds <paramref name="usage"/> (status <see cref="CapabilityUsageStatus.Reserved"/>) if fewer than
    /// <paramref name="limit"/> reserved or committed usages exist for the same tenant, capability, day and agent;
    /// atomically, so concurrent callers never exceed the limit. At the limit, reservations of that scope whose
    /// <see cref="CapabilityUsage.ExpiresAt"/> is before <paramref name="usage"/>'s <see cref="CapabilityUsage.CreatedAt"/>
    /// are released, in the same transaction, and the reservation is tried again: a crashed owner's reservation does
    /// not count for the rest of the day. (Until then <see cref="CountAsync"/> still counts it.)
    /// </summary>
    /// <returns>Whether the reservation was made.</returns>
    ValueTask<bool> TryReserveAsync(CapabilityUsage usage, int limit, CancellationToken cancellationToken);

    /// <summary>Moves a reservation to committed or released.</summary>
    /// <exception cref="EntityNotFoundException">No such reservation in the workspace.</exception>
    /// <exception cref="InvalidStateTransitionException">It was already committed or released (an expired reservation is released).</exception>
    ValueTask CompleteAsync(string tenantId, Guid usageId, CapabilityUsageStatus status, CancellationToken cancellationToken);

    /// <summary>How many reserved or committed usages count against the limit.</summary>
    ValueTask<int> CountAsync(string tenantId, string capability, string? agentId, DateOnly day, CancellationToken cancellationToken);
}

/// <summary>Stores fitness records.</summary>
public interface IFitnessStore
{
    /// <summary>The record, or <see langword="null"/> when the subject was never scored.</summary>
    ValueTask<FitnessRecord?> FindAsync(string tenantId, Guid subjectId, CancellationToken cancellationToken);

    /// <summary>
    /// Appends the signals whose delivery ids were not seen before, rescores with <paramref name="score"/> over all
    /// signals, and saves; atomically per subject.
    /// </summary>
    ValueTask<FitnessRecord> AppendSignalsAsync(
        string tenantId,
        Guid subjectId,
        FitnessSubjectKind kind,
        IReadOnlyList<FitnessSignal> signals,
        Func<IReadOnlyList<FitnessSignal>, double> score,
        CancellationToken cancellationToken);

    /// <summary>The fittest records of a kind, best first.</summary>
    IAsyncEnumerable<FitnessRecord> ListTopAsync(string tenantId, FitnessSubjectKind kind, int count, CancellationToken cancellationToken);
}

/// <summary>Stores a record of every chat call: token usage for the workspace's budget, and why calls failed.</summary>
public interface IChatCallStore
{
    /// <summary>Adds a record.</summary>
    ValueTask AddAsync(ChatCallRecord record, CancellationToken cancellationToken);

    /// <summary>The workspace's usage over the calls started on a UTC day.</summary>
    ValueTask<TokenUsage> GetUsageAsync(string tenantId, DateOnly day, CancellationToken cancellationToken);

    /// <summary>The workspace's most recent calls, newest first.</summary>
    IAsyncEnumerable<ChatCallRecord> ListRecentAsync(string tenantId, int count, CancellationToken cancellationToken);
}

/// <summary>Builds <see cref="Lineage{T}"/>s; for store providers that fetch a lineage's rows in one query and order them in memory.</summary>
public static class Lineage
{
    /// <summary>Walks parents up and children down (breadth first) from <paramref name="self"/> through <paramref name="all"/>; cycles are cut.</summary>
    public static Lineage<T> Build<T>(T self, Func<T, Guid> id, Func<T, Guid?> parentId, IReadOnlyCollection<T> all) =>
        InMemoryStoreHelpers.BuildLineage(self, id, parentId, all);
}
