namespace AutoDev.Storage;

/// <summary>Skills and skill versions in memory. Lost when the process ends.</summary>
/// <remarks>
/// Promotions write the proposal too, so give the store the candidate and mutation stores it promotes from (as
/// <c>AddAutoDev()</c> does); one lock covers the three, which makes a promotion atomic.
/// </remarks>
public sealed class InMemorySkillStore : ISkillStore
{
    private readonly Lock _lock = InMemoryStoreHelpers.LearningLock;
    private readonly Dictionary<(string Tenant, Guid Id), Skill> _skills = [];
    private readonly Dictionary<(string Tenant, Guid Id), SkillVersion> _versions = [];
    private readonly InMemorySkillCandidateStore? _candidates;
    private readonly InMemoryToolMutationStore? _mutations;

    /// <summary>Creates a store that promotes nothing but hand-written and imported skills.</summary>
    public InMemorySkillStore()
    {
    }

    /// <summary>Creates a store that promotes candidates and mutations of the given stores.</summary>
    public InMemorySkillStore(InMemorySkillCandidateStore? candidates, InMemoryToolMutationStore? mutations)
    {
        (_candidates, _mutations) = (candidates, mutations);
    }

    /// <inheritdoc/>
    public ValueTask<Skill> AddAsync(Skill skill, SkillVersion firstVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(skill);
        ArgumentNullException.ThrowIfNull(firstVersion);
        Internal.Guard.Id(skill.TenantId);
        if (firstVersion.TenantId != skill.TenantId)
        {
            throw new TenantMismatchException(skill.TenantId, firstVersion.TenantId);
        }

        lock (_lock)
        {
            if (_skills.Values.Any(s => s.TenantId == skill.TenantId && s.Name == skill.Name))
            {
                throw new DuplicateEntityException(nameof(Skill), skill.TenantId, skill.Name);
            }

            var stored = skill with { ActiveVersionId = firstVersion.Id, ConcurrencyStamp = Guid.NewGuid() };
            _skills[(skill.TenantId, skill.Id)] = stored;
            _versions[(skill.TenantId, firstVersion.Id)] = firstVersion with { SkillId = skill.Id };
            return new(stored);
        }
    }

    /// <inheritdoc/>
    public ValueTask<Skill?> FindAsync(string tenantId, Guid skillId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return new(_skills.GetValueOrDefault((tenantId, skillId)));
        }
    }

    /// <inheritdoc/>
    public ValueTask<Skill?> FindByNameAsync(string tenantId, string name, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return new(_skills.Values.FirstOrDefault(s => s.TenantId == tenantId && s.Name == name));
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<Skill> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return InMemoryStoreHelpers.ToAsync(_skills.Values.Where(s => s.TenantId == tenantId).OrderBy(s => s.Name, StringComparer.Ordinal).ToList(), cancellationToken);
        }
    }

    /// <inheritdoc/>
    public ValueTask<SkillVersion> AddVersionAsync(SkillVersion version, bool activate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        lock (_lock)
        {
            var skill = _skills.GetValueOrDefault((version.TenantId, version.SkillId))
                ?? throw new EntityNotFoundException(nameof(Skill), version.TenantId, version.SkillId);
            if (version.ParentVersionId is { } parent && !_versions.ContainsKey((version.TenantId, parent)))
            {
                throw new EntityNotFoundException(nameof(SkillVersion), version.TenantId, parent);
            }

            if (_versions.Values.Any(v => v.TenantId == version.TenantId && v.SkillId == version.SkillId && v.Version == version.Version))
            {
                throw new DuplicateEntityException(nameof(SkillVersion), version.TenantId, $"{skill.Name} {version.Version}");
            }

            _versions[(version.TenantId, version.Id)] = version;
            if (activate)
            {
                _skills[(skill.TenantId, skill.Id)] = skill with { ActiveVersionId = version.Id, ConcurrencyStamp = Guid.NewGuid() };
            }

            return new(version);
        }
    }

    /// <inheritdoc/>
    public ValueTask<SkillVersion?> FindVersionAsync(string tenantId, Guid versionId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return new(_versions.GetValueOrDefault((tenantId, versionId)));
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<SkillVersion> FindVersionsAsync(string tenantId, IReadOnlyCollection<Guid> versionIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(versionIds);
        lock (_lock)
        {
            var list = versionIds.Distinct().Select(id => _versions.GetValueOrDefault((tenantId, id))).OfType<SkillVersion>().ToList();
            return InMemoryStoreHelpers.ToAsync(list, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<SkillVersion> ListVersionsAsync(string tenantId, Guid skillId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var list = _versions.Values.Where(v => v.TenantId == tenantId && v.SkillId == skillId).OrderBy(v => v.Version).ToList();
            return InMemoryStoreHelpers.ToAsync(list, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public ValueTask<Skill> SetActiveVersionAsync(string tenantId, Guid skillId, Guid versionId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var skill = _skills.GetValueOrDefault((tenantId, skillId)) ?? throw new EntityNotFoundException(nameof(Skill), tenantId, skillId);
            var version = _versions.GetValueOrDefault((tenantId, versionId));
            if (version is null || version.SkillId != skillId)
            {
                throw new EntityNotFoundException(nameof(SkillVersion), tenantId, versionId);
            }

            var updated = skill with { ActiveVersionId = versionId, ConcurrencyStamp = Guid.NewGuid() };
            _skills[(tenantId, skillId)] = updated;
            return new(updated);
        }
    }

    /// <inheritdoc/>
    public ValueTask<Lineage<SkillVersion>> GetLineageAsync(string tenantId, Guid versionId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var self = _versions.GetValueOrDefault((tenantId, versionId)) ?? throw new EntityNotFoundException(nameof(SkillVersion), tenantId, versionId);
            var all = _versions.Values.Where(v => v.TenantId == tenantId).ToList();
            return new(InMemoryStoreHelpers.BuildLineage(self, v => v.Id, v => v.ParentVersionId, all));
        }
    }

    /// <inheritdoc/>
    public ValueTask<Skill> PromoteAsync(SkillPromotion promotion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(promotion);
        var version = promotion.Version;
        Internal.Guard.Id(version.TenantId);
        lock (_lock)
        {
            // Everything is checked before anything is written.
            if (promotion.Candidate is { } candidate)
            {
                Require(_candidates, nameof(InMemorySkillCandidateStore)).Check(candidate);
            }

            if (promotion.Mutation is { } mutation)
            {
                Require(_mutations, nameof(InMemoryToolMutationStore)).Check(mutation);
            }

            var skill = promotion.NewSkill;
            if (skill is not null)
            {
                if (skill.TenantId != version.TenantId)
                {
                    throw new TenantMismatchException(version.TenantId, skill.TenantId);
                }

                if (_skills.Values.Any(s => s.TenantId == skill.TenantId && s.Name == skill.Name))
                {
                    throw new DuplicateEntityException(nameof(Skill), skill.TenantId, skill.Name);
                }
            }
            else
            {
                skill = _skills.GetValueOrDefault((version.TenantId, version.SkillId)) ?? throw new EntityNotFoundException(nameof(Skill), version.TenantId, version.SkillId);
                if (_versions.Values.Any(v => v.TenantId == version.TenantId && v.SkillId == version.SkillId && v.Version == version.Version))
                {
                    throw new DuplicateEntityException(nameof(SkillVersion), version.TenantId, $"{skill.Name} {version.Version}");
                }
            }

            if (version.ParentVersionId is { } parent && !_versions.ContainsKey((version.TenantId, parent)))
            {
                throw new EntityNotFoundException(nameof(SkillVersion), version.TenantId, parent);
            }

            var stored = skill with { ActiveVersionId = version.Id, ConcurrencyStamp = Guid.NewGuid() };
            _skills[(stored.TenantId, stored.Id)] = stored;
            _versions[(version.TenantId, version.Id)] = version with { SkillId = stored.Id };
            if (promotion.Candidate is { } promoted)
            {
                _candidates!.Apply(promoted);
            }

            if (promotion.Mutation is { } promotedMutation)
            {
                _mutations!.Apply(promotedMutation);
            }

            return new(stored);
        }
    }

    private static T Require<T>(T? store, string name)
        where T : class =>
        store ?? throw new InvalidOperationException($"This InMemorySkillStore was created without an {name}; pass the store it promotes from to its constructor.");
}
