namespace AutoDev;

/// <summary>Skills and skill versions in memory. Lost when the process ends.</summary>
public sealed class InMemorySkillStore : ISkillStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Tenant, Guid Id), Skill> _skills = [];
    private readonly Dictionary<(string Tenant, Guid Id), SkillVersion> _versions = [];

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
}
