using AutoDev.Storage;

namespace AutoDev;

/// <summary>
/// The held-out ground truth: cases whose right outcome a person knows, which a learned skill must give but the model
/// never sees. They come from two places: an episode's <see cref="Episode.Resolution"/> (the person who stepped in),
/// and the <see cref="AcceptanceCase"/>s a host registers here for a skill, by its name or by the task it is learned from.
/// </summary>
/// <remarks>
/// A candidate is checked against the resolutions of its source episodes and the cases registered for its name; a
/// mutation against the cases registered for the skill and those its learned versions were checked against. Thread-safe
/// singleton, registered by <c>AddAutoDev()</c>.
/// </remarks>
public sealed class AcceptanceCases
{
    private readonly IAcceptanceCaseStore _store;
    private readonly IEpisodeStore _episodes;
    private readonly ISkillCandidateStore _candidates;
    private readonly ISkillStore _skills;
    private readonly TimeProvider _time;

    /// <summary>Creates the component.</summary>
    public AcceptanceCases(IAcceptanceCaseStore store, IEpisodeStore episodes, ISkillCandidateStore candidates, ISkillStore skills, TimeProvider time) =>
        (_store, _episodes, _candidates, _skills, _time) = (store, episodes, candidates, skills, time);

    /// <summary>
    /// Registers a case for the skill <paramref name="skillName"/> (learned already or not yet). A case with the same
    /// inputs registered earlier stands and is returned instead.
    /// </summary>
    /// <exception cref="ArgumentException">The name is no skill name, or the case is malformed.</exception>
    public async Task<AcceptanceCase> AddAsync(string tenantId, string skillName, TestCase testCase, string? addedBy = null, CancellationToken cancellationToken = default)
    {
        Internal.Guard.Id(tenantId);
        SkillNames.Ensure(skillName);
        ArgumentNullException.ThrowIfNull(testCase);
        Internal.Guard.Text(addedBy);
        var added = await _store.AddAsync(
            new AcceptanceCase
            {
                TenantId = tenantId,
                SkillName = skillName,
                Case = testCase.EnsureValid() with { Source = testCase.Source ?? (addedBy is null ? "registered" : $"registered by {addedBy}") },
                AddedBy = addedBy,
                CreatedAt = _time.GetUtcNow(),
            },
            cancellationToken).ConfigureAwait(false);
        return added.Entity;
    }

    /// <summary>
    /// Registers a case for the skill Memento-Skills will learn from failures of <paramref name="taskDescription"/>:
    /// the skill named after the task (<see cref="MementoEngine.SuggestName"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The task is empty, or the case is malformed.</exception>
    public Task<AcceptanceCase> AddForTaskAsync(string tenantId, string taskDescription, TestCase testCase, string? addedBy = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskDescription);
        return AddAsync(tenantId, MementoEngine.SuggestName(taskDescription), testCase, addedBy, cancellationToken);
    }

    /// <summary>The cases registered for a skill, oldest first.</summary>
    public async Task<IReadOnlyList<AcceptanceCase>> ListAsync(string tenantId, string skillName, CancellationToken cancellationToken = default)
    {
        var cases = new List<AcceptanceCase>();
        await foreach (var item in _store.ListAsync(tenantId, skillName, cancellationToken).ConfigureAwait(false))
        {
            cases.Add(item);
        }

        return cases;
    }

    /// <summary>Removes a registered case.</summary>
    /// <exception cref="EntityNotFoundException">No such case in the workspace.</exception>
    public async Task RemoveAsync(string tenantId, Guid caseId, CancellationToken cancellationToken = default)
    {
        if (!await _store.RemoveAsync(tenantId, caseId, cancellationToken).ConfigureAwait(false))
        {
            throw new EntityNotFoundException(nameof(AcceptanceCase), tenantId, caseId);
        }
    }

    /// <summary>The held-out cases of a candidate: its source episodes' resolutions, then the cases registered for its name; one per inputs.</summary>
    internal async Task<IReadOnlyList<TestCase>> ForCandidateAsync(SkillCandidate candidate, CancellationToken cancellationToken)
    {
        var cases = new Distinct();
        foreach (var id in candidate.SourceEpisodeIds)
        {
            if (await _episodes.FindAsync(candidate.TenantId, id, cancellationToken).ConfigureAwait(false) is { Resolution: { } resolution })
            {
                cases.Add(resolution.EnsureValid() with { Source = resolution.Source ?? $"episode {id}" });
            }
        }

        await AddRegisteredAsync(cases, candidate.TenantId, candidate.Name, cancellationToken).ConfigureAwait(false);
        return cases.List;
    }

    /// <summary>The held-out cases of a skill: those registered for it, then those its learned versions' candidates were checked against; one per inputs.</summary>
    internal async Task<IReadOnlyList<TestCase>> ForSkillAsync(string tenantId, Guid skillId, CancellationToken cancellationToken)
    {
        var cases = new Distinct();
        if (await _skills.FindAsync(tenantId, skillId, cancellationToken).ConfigureAwait(false) is not { } skill)
        {
            return cases.List;
        }

        await AddRegisteredAsync(cases, tenantId, skill.Name, cancellationToken).ConfigureAwait(false);
        await foreach (var version in _skills.ListVersionsAsync(tenantId, skillId, cancellationToken).ConfigureAwait(false))
        {
            if (version.SourceCandidateId is { } candidateId && await _candidates.FindAsync(tenantId, candidateId, cancellationToken).ConfigureAwait(false) is { } candidate)
            {
                foreach (var result in candidate.HeldOutResults)
                {
                    cases.Add(result.Case);
                }
            }
        }

        return cases.List;
    }

    private async Task AddRegisteredAsync(Distinct cases, string tenantId, string skillName, CancellationToken cancellationToken)
    {
        await foreach (var registered in _store.ListAsync(tenantId, skillName, cancellationToken).ConfigureAwait(false))
        {
            cases.Add(registered.Case);
        }
    }

    /// <summary>Cases in order, the first one for each inputs kept.</summary>
    private sealed class Distinct
    {
        private readonly HashSet<string> _inputs = new(StringComparer.Ordinal);

        public List<TestCase> List { get; } = [];

        public void Add(TestCase testCase)
        {
            if (_inputs.Add(testCase.InputsJson))
            {
                List.Add(testCase);
            }
        }
    }
}
