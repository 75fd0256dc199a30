using AutoDev.EntityFrameworkCore.Configuration;
using Microsoft.EntityFrameworkCore;

namespace AutoDev.EntityFrameworkCore.Stores;

internal sealed class EfSkillCandidateStore<TContext>(IDbContextFactory<TContext> factory)
    : EfStoreBase<TContext>(factory), ISkillCandidateStore
    where TContext : DbContext
{
    public async ValueTask<AddResult<SkillCandidate>> AddAsync(SkillCandidate candidate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        AutoDev.Internal.Guard.Id(candidate.TenantId);
        AutoDev.Internal.Guard.Key(candidate.PatternKey);

        // No look-up first: the unique index on (tenant_id, open_pattern_key) refuses a second open candidate.
        return await AddOpenAsync(
            candidate with { ConcurrencyStamp = Guid.NewGuid() },
            candidate.TenantId,
            candidate.Id,
            e => SkillCandidateConfiguration.Shadows(e),
            candidate.IsOpen ? () => FindOpenByPatternAsync(candidate.TenantId, candidate.PatternKey, cancellationToken) : null,
            cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<SkillCandidate?> FindAsync(string tenantId, Guid candidateId, CancellationToken cancellationToken) =>
        FindAsync<SkillCandidate>(tenantId, candidateId, cancellationToken);

    public async ValueTask<SkillCandidate?> FindOpenByPatternAsync(string tenantId, string patternKey, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<SkillCandidate>().AsNoTracking()
            .FirstOrDefaultAsync(c => c.TenantId == tenantId && EF.Property<string?>(c, SkillCandidateConfiguration.OpenPatternKey) == patternKey, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<SkillCandidate> UpdateAsync(SkillCandidate candidate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return await UpdateAsync(candidate with { ConcurrencyStamp = Guid.NewGuid() }, candidate.TenantId, candidate.Id, candidate.ConcurrencyStamp, e => SkillCandidateConfiguration.Shadows(e), cancellationToken).ConfigureAwait(false);
    }

    public IAsyncEnumerable<SkillCandidate> ListByStatusAsync(string tenantId, SkillCandidateStatus status, int limit, CancellationToken cancellationToken) =>
        StreamAsync(db => db.Set<SkillCandidate>().Where(c => c.TenantId == tenantId && c.Status == status).OrderBy(c => c.CreatedAt).Take(limit), cancellationToken);
}

internal sealed class EfSkillStore<TContext>(IDbContextFactory<TContext> factory)
    : EfStoreBase<TContext>(factory), ISkillStore
    where TContext : DbContext
{
    public async ValueTask<Skill> AddAsync(Skill skill, SkillVersion firstVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(skill);
        ArgumentNullException.ThrowIfNull(firstVersion);
        AutoDev.Internal.Guard.Id(skill.TenantId);
        if (firstVersion.TenantId != skill.TenantId)
        {
            throw new TenantMismatchException(skill.TenantId, firstVersion.TenantId);
        }

        var saved = skill with { ActiveVersionId = firstVersion.Id, ConcurrencyStamp = Guid.NewGuid() };
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        db.Add(saved);
        db.Add(firstVersion with { SkillId = skill.Id });
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException ex)
        {
            if (await FindByNameAsync(skill.TenantId, skill.Name, cancellationToken).ConfigureAwait(false) is not null)
            {
                throw new DuplicateEntityException(nameof(Skill), skill.TenantId, skill.Name, ex);
            }

            throw;
        }

        return saved;
    }

    public ValueTask<Skill?> FindAsync(string tenantId, Guid skillId, CancellationToken cancellationToken) =>
        FindAsync<Skill>(tenantId, skillId, cancellationToken);

    public async ValueTask<Skill?> FindByNameAsync(string tenantId, string name, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<Skill>().AsNoTracking().FirstOrDefaultAsync(s => s.TenantId == tenantId && s.Name == name, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<Skill> ListAsync(string tenantId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Sorted here, ordinally, so every database lists names in the same order whatever its collation.
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var skills = await db.Set<Skill>().AsNoTracking().Where(s => s.TenantId == tenantId).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var skill in skills.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            yield return skill;
        }
    }

    public async ValueTask<SkillVersion> AddVersionAsync(SkillVersion version, bool activate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var skill = await db.Set<Skill>().FirstOrDefaultAsync(s => s.TenantId == version.TenantId && s.Id == version.SkillId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(Skill), version.TenantId, version.SkillId);
        await EnsureParentAsync(db, version, cancellationToken).ConfigureAwait(false);
        if (await db.Set<SkillVersion>().AnyAsync(v => v.TenantId == version.TenantId && v.SkillId == skill.Id && v.Version == version.Version, cancellationToken).ConfigureAwait(false))
        {
            throw new DuplicateEntityException(nameof(SkillVersion), version.TenantId, $"{skill.Name} {version.Version}");
        }

        if (activate)
        {
            Activate(db, skill, version.Id);
        }

        db.Add(version);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException ex)
        {
            throw new DuplicateEntityException(nameof(SkillVersion), version.TenantId, $"{skill.Name} {version.Version}", ex);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return version;
    }

    public ValueTask<SkillVersion?> FindVersionAsync(string tenantId, Guid versionId, CancellationToken cancellationToken) =>
        FindAsync<SkillVersion>(tenantId, versionId, cancellationToken);

    public IAsyncEnumerable<SkillVersion> FindVersionsAsync(string tenantId, IReadOnlyCollection<Guid> versionIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(versionIds);
        var ids = versionIds.Distinct().ToArray();
        return StreamAsync(db => db.Set<SkillVersion>().Where(v => v.TenantId == tenantId && ids.Contains(v.Id)), cancellationToken);
    }

    public IAsyncEnumerable<SkillVersion> ListVersionsAsync(string tenantId, Guid skillId, CancellationToken cancellationToken) =>
        StreamAsync(db => db.Set<SkillVersion>().Where(v => v.TenantId == tenantId && v.SkillId == skillId).OrderBy(v => v.Version), cancellationToken);

    public async ValueTask<Skill> SetActiveVersionAsync(string tenantId, Guid skillId, Guid versionId, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var skill = await db.Set<Skill>().FirstOrDefaultAsync(s => s.TenantId == tenantId && s.Id == skillId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(Skill), tenantId, skillId);
        if (!await db.Set<SkillVersion>().AnyAsync(v => v.TenantId == tenantId && v.Id == versionId && v.SkillId == skillId, cancellationToken).ConfigureAwait(false))
        {
            throw new EntityNotFoundException(nameof(SkillVersion), tenantId, versionId);
        }

        Activate(db, skill, versionId);
        await SaveAsync(db, nameof(Skill), skillId, cancellationToken).ConfigureAwait(false);
        return skill;
    }

    public async ValueTask<Lineage<SkillVersion>> GetLineageAsync(string tenantId, Guid versionId, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        return await LineageAsync<SkillVersion>(db, tenantId, versionId, nameof(SkillVersion.ParentVersionId), v => v.Id, v => v.ParentVersionId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(SkillVersion), tenantId, versionId);
    }

    public async ValueTask<Skill> PromoteAsync(SkillPromotion promotion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(promotion);
        var version = promotion.Version;
        var tenantId = version.TenantId;
        AutoDev.Internal.Guard.Id(tenantId);
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // The proposal first: a stale stamp means another reviewer decided, and nothing is written.
        (string Type, Guid Id)? proposal = null;
        if (promotion.Candidate is { } candidate)
        {
            await EnsureCurrentAsync<SkillCandidate>(db, tenantId, candidate.Id, candidate.ConcurrencyStamp, cancellationToken).ConfigureAwait(false);
            SkillCandidateConfiguration.Shadows(Track(db, candidate with { ConcurrencyStamp = Guid.NewGuid() }, candidate.ConcurrencyStamp));
            proposal = (nameof(SkillCandidate), candidate.Id);
        }

        if (promotion.Mutation is { } mutation)
        {
            await EnsureCurrentAsync<ToolMutation>(db, tenantId, mutation.Id, mutation.ConcurrencyStamp, cancellationToken).ConfigureAwait(false);
            ToolMutationConfiguration.Shadows(Track(db, mutation with { ConcurrencyStamp = Guid.NewGuid() }, mutation.ConcurrencyStamp));
            proposal = (nameof(ToolMutation), mutation.Id);
        }

        Skill skill;
        if (promotion.NewSkill is { } fresh)
        {
            if (fresh.TenantId != tenantId)
            {
                throw new TenantMismatchException(tenantId, fresh.TenantId);
            }

            db.Add(skill = fresh with { ActiveVersionId = version.Id, ConcurrencyStamp = Guid.NewGuid() });
        }
        else
        {
            skill = await db.Set<Skill>().FirstOrDefaultAsync(s => s.TenantId == tenantId && s.Id == version.SkillId, cancellationToken).ConfigureAwait(false)
                ?? throw new EntityNotFoundException(nameof(Skill), tenantId, version.SkillId);
            Activate(db, skill, version.Id);
        }

        await EnsureParentAsync(db, version, cancellationToken).ConfigureAwait(false);
        db.Add(version with { SkillId = skill.Id });
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException ex)
        {
            throw new ConcurrencyConflictException(proposal?.Type ?? nameof(Skill), proposal?.Id ?? skill.Id, ex);
        }
        catch (DbUpdateException ex)
        {
            // A unique index refused the skill's name or the version's number: another promotion took it first.
            throw promotion.NewSkill is not null
                ? new DuplicateEntityException(nameof(Skill), tenantId, skill.Name, ex)
                : new DuplicateEntityException(nameof(SkillVersion), tenantId, $"{skill.Name} {version.Version}", ex);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return skill;
    }

    /// <summary>Makes <paramref name="versionId"/> the tracked skill's active version, with a new stamp.</summary>
    private static void Activate(DbContext db, Skill skill, Guid versionId)
    {
        var entry = db.Entry(skill);
        entry.Property(s => s.ActiveVersionId).CurrentValue = versionId;
        entry.Property(s => s.ConcurrencyStamp).CurrentValue = Guid.NewGuid();
    }

    private static async Task EnsureParentAsync(DbContext db, SkillVersion version, CancellationToken cancellationToken)
    {
        if (version.ParentVersionId is { } parent
            && !await db.Set<SkillVersion>().AnyAsync(v => v.TenantId == version.TenantId && v.Id == parent, cancellationToken).ConfigureAwait(false))
        {
            throw new EntityNotFoundException(nameof(SkillVersion), version.TenantId, parent);
        }
    }

    /// <summary>The proposal exists with <paramref name="stamp"/>, so the promotion can name which one failed before writing anything.</summary>
    private static async Task EnsureCurrentAsync<T>(DbContext db, string tenantId, Guid id, Guid stamp, CancellationToken cancellationToken)
        where T : class
    {
        var stored = await db.Set<T>().Where(ById<T>(tenantId, id)).Select(e => (Guid?)EF.Property<Guid>(e, Stamp)).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(typeof(T).Name, tenantId, id);
        AutoDev.Internal.ConcurrencyStamps.EnsureCurrent(typeof(T).Name, id, stored, stamp);
    }
}

internal sealed class EfToolMutationStore<TContext>(IDbContextFactory<TContext> factory)
    : EfStoreBase<TContext>(factory), IToolMutationStore
    where TContext : DbContext
{
    public async ValueTask<AddResult<ToolMutation>> AddAsync(ToolMutation mutation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mutation);
        AutoDev.Internal.Guard.Id(mutation.TenantId);
        if (mutation.ParentMutationId is { } parent && !await ExistsAsync<ToolMutation>(mutation.TenantId, parent, cancellationToken).ConfigureAwait(false))
        {
            throw new EntityNotFoundException(nameof(ToolMutation), mutation.TenantId, parent);
        }

        // No look-up first: the unique index on (tenant_id, open_key) refuses a second open mutation.
        return await AddOpenAsync(
            mutation with { ConcurrencyStamp = Guid.NewGuid() },
            mutation.TenantId,
            mutation.Id,
            e => ToolMutationConfiguration.Shadows(e),
            mutation.IsOpen ? () => FindOpenAsync(mutation.TenantId, mutation.ParentVersionId, mutation.Trigger, cancellationToken) : null,
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ToolMutation?> FindOpenAsync(string tenantId, Guid parentVersionId, MutationTrigger trigger, CancellationToken cancellationToken)
    {
        var key = ToolMutation.OpenKeyOf(parentVersionId, trigger);
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<ToolMutation>().AsNoTracking()
            .FirstOrDefaultAsync(m => m.TenantId == tenantId && EF.Property<string?>(m, ToolMutationConfiguration.OpenKey) == key, cancellationToken).ConfigureAwait(false);
    }

    public IAsyncEnumerable<ToolMutation> ListRecentAsync(string tenantId, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return StreamAsync(db => db.Set<ToolMutation>().Where(m => m.TenantId == tenantId).OrderByDescending(m => m.CreatedAt).Take(count), cancellationToken);
    }

    public ValueTask<ToolMutation?> FindAsync(string tenantId, Guid mutationId, CancellationToken cancellationToken) =>
        FindAsync<ToolMutation>(tenantId, mutationId, cancellationToken);

    public async ValueTask<ToolMutation> UpdateAsync(ToolMutation mutation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mutation);
        return await UpdateAsync(mutation with { ConcurrencyStamp = Guid.NewGuid() }, mutation.TenantId, mutation.Id, mutation.ConcurrencyStamp, e => ToolMutationConfiguration.Shadows(e), cancellationToken).ConfigureAwait(false);
    }

    public IAsyncEnumerable<ToolMutation> ListByStatusAsync(string tenantId, ToolMutationStatus status, int limit, CancellationToken cancellationToken) =>
        StreamAsync(db => db.Set<ToolMutation>().Where(m => m.TenantId == tenantId && m.Status == status).OrderBy(m => m.CreatedAt).Take(limit), cancellationToken);

    public IAsyncEnumerable<ToolMutation> ListChildrenAsync(string tenantId, Guid parentVersionId, CancellationToken cancellationToken) =>
        StreamAsync(db => db.Set<ToolMutation>().Where(m => m.TenantId == tenantId && m.ParentVersionId == parentVersionId).OrderBy(m => m.CreatedAt), cancellationToken);

    public async ValueTask<Lineage<ToolMutation>> GetLineageAsync(string tenantId, Guid mutationId, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        return await LineageAsync<ToolMutation>(db, tenantId, mutationId, nameof(ToolMutation.ParentMutationId), m => m.Id, m => m.ParentMutationId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(ToolMutation), tenantId, mutationId);
    }
}

internal sealed class EfWorkflowVariantStore<TContext>(IDbContextFactory<TContext> factory)
    : EfStoreBase<TContext>(factory), IWorkflowVariantStore
    where TContext : DbContext
{
    public async ValueTask<WorkflowVariant> AddAsync(WorkflowVariant variant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(variant);
        AutoDev.Internal.Guard.Id(variant.TenantId);
        if (variant.ParentVariantId is { } parent && !await ExistsAsync<WorkflowVariant>(variant.TenantId, parent, cancellationToken).ConfigureAwait(false))
        {
            throw new EntityNotFoundException(nameof(WorkflowVariant), variant.TenantId, parent);
        }

        return await InsertAsync(variant with { ConcurrencyStamp = Guid.NewGuid() }, variant.TenantId, variant.Id, null, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<WorkflowVariant?> FindAsync(string tenantId, Guid variantId, CancellationToken cancellationToken) =>
        FindAsync<WorkflowVariant>(tenantId, variantId, cancellationToken);

    public async ValueTask<WorkflowVariant> UpdateAsync(WorkflowVariant variant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(variant);
        var stored = await FindAsync(variant.TenantId, variant.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(WorkflowVariant), variant.TenantId, variant.Id);
        AutoDev.Internal.ConcurrencyStamps.EnsureCurrent(nameof(WorkflowVariant), variant.Id, stored.ConcurrencyStamp, variant.ConcurrencyStamp);
        if (stored.EvaluationStatus != variant.EvaluationStatus && !stored.EvaluationStatus.CanTransitionTo(variant.EvaluationStatus))
        {
            throw new InvalidStateTransitionException(nameof(WorkflowVariant), variant.Id, stored.EvaluationStatus.ToString(), variant.EvaluationStatus.ToString());
        }

        return await UpdateAsync(variant with { ConcurrencyStamp = Guid.NewGuid() }, variant.TenantId, variant.Id, variant.ConcurrencyStamp, null, cancellationToken).ConfigureAwait(false);
    }

    public IAsyncEnumerable<WorkflowVariant> ListTopAsync(string tenantId, string agentId, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return StreamAsync(
            db => db.Set<WorkflowVariant>()
                .Where(v => v.TenantId == tenantId && v.AgentId == agentId && v.FitnessScore != null)
                .OrderByDescending(v => v.FitnessScore).ThenBy(v => v.CreatedAt)
                .Take(count),
            cancellationToken);
    }

    public async ValueTask<Lineage<WorkflowVariant>> GetLineageAsync(string tenantId, Guid variantId, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        return await LineageAsync<WorkflowVariant>(db, tenantId, variantId, nameof(WorkflowVariant.ParentVariantId), v => v.Id, v => v.ParentVariantId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(WorkflowVariant), tenantId, variantId);
    }
}

internal sealed class EfAcceptanceCaseStore<TContext>(IDbContextFactory<TContext> factory)
    : EfStoreBase<TContext>(factory), IAcceptanceCaseStore
    where TContext : DbContext
{
    public async ValueTask<AddResult<AcceptanceCase>> AddAsync(AcceptanceCase acceptanceCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(acceptanceCase);
        AutoDev.Internal.Guard.Id(acceptanceCase.TenantId);
        var hash = AcceptanceCaseConfiguration.HashOf(acceptanceCase.Case);
        return await AddOpenAsync(
            acceptanceCase,
            acceptanceCase.TenantId,
            acceptanceCase.Id,
            e => AcceptanceCaseConfiguration.Shadows(e),
            async () =>
            {
                await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
                return await db.Set<AcceptanceCase>().AsNoTracking()
                    .FirstOrDefaultAsync(
                        c => c.TenantId == acceptanceCase.TenantId && c.SkillName == acceptanceCase.SkillName && EF.Property<string>(c, AcceptanceCaseConfiguration.InputsHash) == hash,
                        cancellationToken).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public IAsyncEnumerable<AcceptanceCase> ListAsync(string tenantId, string skillName, CancellationToken cancellationToken) =>
        StreamAsync(db => db.Set<AcceptanceCase>().Where(c => c.TenantId == tenantId && c.SkillName == skillName).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id), cancellationToken);

    public async ValueTask<bool> RemoveAsync(string tenantId, Guid caseId, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<AcceptanceCase>().Where(c => c.TenantId == tenantId && c.Id == caseId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) > 0;
    }
}
