using AutoDev.EntityFrameworkCore.Internal;
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
        var row = new SkillCandidateRow { ConcurrencyStamp = Guid.NewGuid() };
        RowMapping.CopyTo(candidate, row);
        await using (var db = await CreateAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await InsertAsync(db, row, cancellationToken).ConfigureAwait(false);
                return new(RowMapping.ToCandidate(row), true);
            }
            catch (System.Data.Common.DbException ex)
            {
                // The unique index refused a second open candidate for the pattern (the existing one is returned);
                // or the id is taken.
                if (candidate.IsOpen && await FindOpenByPatternAsync(candidate.TenantId, candidate.PatternKey, cancellationToken).ConfigureAwait(false) is { } winner)
                {
                    return new(winner, false);
                }

                if (await ExistsAsync<SkillCandidateRow>(r => r.Id == candidate.Id, cancellationToken).ConfigureAwait(false))
                {
                    throw new DuplicateEntityException(nameof(SkillCandidate), candidate.TenantId, candidate.Id.ToString(), ex);
                }

                throw;
            }
        }
    }

    public async ValueTask<SkillCandidate?> FindAsync(string tenantId, Guid candidateId, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<SkillCandidateRow>().AsNoTracking()
            .FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Id == candidateId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : RowMapping.ToCandidate(row);
    }

    public async ValueTask<SkillCandidate?> FindOpenByPatternAsync(string tenantId, string patternKey, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<SkillCandidateRow>().AsNoTracking()
            .FirstOrDefaultAsync(r => r.TenantId == tenantId && r.OpenPatternKey == patternKey, cancellationToken).ConfigureAwait(false);
        return row is null ? null : RowMapping.ToCandidate(row);
    }

    public async ValueTask<SkillCandidate> UpdateAsync(SkillCandidate candidate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<SkillCandidateRow>().FirstOrDefaultAsync(r => r.TenantId == candidate.TenantId && r.Id == candidate.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(SkillCandidate), candidate.TenantId, candidate.Id);
        AutoDev.Internal.ConcurrencyStamps.EnsureCurrent(nameof(SkillCandidate), candidate.Id, row.ConcurrencyStamp, candidate.ConcurrencyStamp);

        RowMapping.CopyTo(candidate, row);
        Restamp(db, row, candidate.ConcurrencyStamp);
        await SaveAsync(db, nameof(SkillCandidate), candidate.Id, cancellationToken).ConfigureAwait(false);
        return RowMapping.ToCandidate(row);
    }

    public IAsyncEnumerable<SkillCandidate> ListByStatusAsync(string tenantId, SkillCandidateStatus status, CancellationToken cancellationToken) =>
        StreamAsync(db => db.Set<SkillCandidateRow>().Where(r => r.TenantId == tenantId && r.Status == status).OrderBy(r => r.CreatedAt), RowMapping.ToCandidate, cancellationToken);
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

        var row = new SkillRow
        {
            Id = skill.Id,
            TenantId = skill.TenantId,
            Name = skill.Name,
            Description = skill.Description,
            ActiveVersionId = firstVersion.Id,
            CreatedAt = RowMapping.Utc(skill.CreatedAt),
            ConcurrencyStamp = Guid.NewGuid(),
        };
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        db.Add(row);
        db.Add(RowMapping.ToRow(firstVersion with { SkillId = skill.Id }, active: true));
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException ex)
        {
            if (await ExistsAsync<SkillRow>(r => r.TenantId == skill.TenantId && r.Name == skill.Name, cancellationToken).ConfigureAwait(false))
            {
                throw new DuplicateEntityException(nameof(Skill), skill.TenantId, skill.Name, ex);
            }

            throw;
        }

        return RowMapping.ToSkill(row);
    }

    public async ValueTask<Skill?> FindAsync(string tenantId, Guid skillId, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<SkillRow>().AsNoTracking().FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Id == skillId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : RowMapping.ToSkill(row);
    }

    public async ValueTask<Skill?> FindByNameAsync(string tenantId, string name, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<SkillRow>().AsNoTracking().FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Name == name, cancellationToken).ConfigureAwait(false);
        return row is null ? null : RowMapping.ToSkill(row);
    }

    public async IAsyncEnumerable<Skill> ListAsync(string tenantId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Sorted here, ordinally, so every database lists names in the same order whatever its collation.
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<SkillRow>().AsNoTracking().Where(r => r.TenantId == tenantId).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var row in rows.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            yield return RowMapping.ToSkill(row);
        }
    }

    public async ValueTask<SkillVersion> AddVersionAsync(SkillVersion version, bool activate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var skill = await db.Set<SkillRow>().FirstOrDefaultAsync(r => r.TenantId == version.TenantId && r.Id == version.SkillId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(Skill), version.TenantId, version.SkillId);
        if (version.ParentVersionId is { } parent
            && !await db.Set<SkillVersionRow>().AnyAsync(r => r.TenantId == version.TenantId && r.Id == parent, cancellationToken).ConfigureAwait(false))
        {
            throw new EntityNotFoundException(nameof(SkillVersion), version.TenantId, parent);
        }

        var (major, minor, patch) = (version.Version.Major, version.Version.Minor, version.Version.Patch);
        if (await db.Set<SkillVersionRow>().AnyAsync(r => r.SkillId == skill.Id && r.Major == major && r.Minor == minor && r.Patch == patch, cancellationToken).ConfigureAwait(false))
        {
            throw new DuplicateEntityException(nameof(SkillVersion), version.TenantId, $"{skill.Name} {version.Version}");
        }

        if (activate)
        {
            await db.Set<SkillVersionRow>().Where(r => r.SkillId == skill.Id && r.IsActive)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.IsActive, false), cancellationToken).ConfigureAwait(false);
            skill.ActiveVersionId = version.Id;
            skill.ConcurrencyStamp = Guid.NewGuid();
        }

        db.Add(RowMapping.ToRow(version, activate));
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

    public async ValueTask<SkillVersion?> FindVersionAsync(string tenantId, Guid versionId, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<SkillVersionRow>().AsNoTracking().FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Id == versionId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : RowMapping.ToVersion(row);
    }

    public IAsyncEnumerable<SkillVersion> ListVersionsAsync(string tenantId, Guid skillId, CancellationToken cancellationToken) =>
        StreamAsync(
            db => db.Set<SkillVersionRow>().Where(r => r.TenantId == tenantId && r.SkillId == skillId).OrderBy(r => r.Major).ThenBy(r => r.Minor).ThenBy(r => r.Patch),
            RowMapping.ToVersion,
            cancellationToken);

    public async ValueTask<Skill> SetActiveVersionAsync(string tenantId, Guid skillId, Guid versionId, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var skill = await db.Set<SkillRow>().FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Id == skillId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(Skill), tenantId, skillId);
        if (!await db.Set<SkillVersionRow>().AnyAsync(r => r.TenantId == tenantId && r.Id == versionId && r.SkillId == skillId, cancellationToken).ConfigureAwait(false))
        {
            throw new EntityNotFoundException(nameof(SkillVersion), tenantId, versionId);
        }

        await db.Set<SkillVersionRow>().Where(r => r.SkillId == skillId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.IsActive, r => r.Id == versionId), cancellationToken).ConfigureAwait(false);
        skill.ActiveVersionId = versionId;
        skill.ConcurrencyStamp = Guid.NewGuid();
        await SaveAsync(db, nameof(Skill), skillId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return RowMapping.ToSkill(skill);
    }

    public async ValueTask<Lineage<SkillVersion>> GetLineageAsync(string tenantId, Guid versionId, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        return await LineageAsync<SkillVersionRow, SkillVersion>(db, tenantId, versionId, nameof(SkillVersionRow.ParentVersionId), RowMapping.ToVersion, v => v.Id, v => v.ParentVersionId, cancellationToken).ConfigureAwait(false)
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
            var row = await db.Set<SkillCandidateRow>().FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Id == candidate.Id, cancellationToken).ConfigureAwait(false)
                ?? throw new EntityNotFoundException(nameof(SkillCandidate), tenantId, candidate.Id);
            AutoDev.Internal.ConcurrencyStamps.EnsureCurrent(nameof(SkillCandidate), candidate.Id, row.ConcurrencyStamp, candidate.ConcurrencyStamp);
            RowMapping.CopyTo(candidate, row);
            Restamp(db, row, candidate.ConcurrencyStamp);
            proposal = (nameof(SkillCandidate), candidate.Id);
        }

        if (promotion.Mutation is { } mutation)
        {
            var row = await db.Set<ToolMutationRow>().FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Id == mutation.Id, cancellationToken).ConfigureAwait(false)
                ?? throw new EntityNotFoundException(nameof(ToolMutation), tenantId, mutation.Id);
            AutoDev.Internal.ConcurrencyStamps.EnsureCurrent(nameof(ToolMutation), mutation.Id, row.ConcurrencyStamp, mutation.ConcurrencyStamp);
            RowMapping.CopyTo(mutation, row);
            Restamp(db, row, mutation.ConcurrencyStamp);
            proposal = (nameof(ToolMutation), mutation.Id);
        }

        SkillRow skill;
        if (promotion.NewSkill is { } fresh)
        {
            if (fresh.TenantId != tenantId)
            {
                throw new TenantMismatchException(tenantId, fresh.TenantId);
            }

            db.Add(skill = new SkillRow
            {
                Id = fresh.Id,
                TenantId = tenantId,
                Name = fresh.Name,
                Description = fresh.Description,
                CreatedAt = RowMapping.Utc(fresh.CreatedAt),
                ConcurrencyStamp = Guid.NewGuid(),
            });
        }
        else
        {
            skill = await db.Set<SkillRow>().FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Id == version.SkillId, cancellationToken).ConfigureAwait(false)
                ?? throw new EntityNotFoundException(nameof(Skill), tenantId, version.SkillId);
            await db.Set<SkillVersionRow>().Where(r => r.SkillId == skill.Id && r.IsActive)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.IsActive, false), cancellationToken).ConfigureAwait(false);
            skill.ConcurrencyStamp = Guid.NewGuid();
        }

        if (version.ParentVersionId is { } parent
            && !await db.Set<SkillVersionRow>().AnyAsync(r => r.TenantId == tenantId && r.Id == parent, cancellationToken).ConfigureAwait(false))
        {
            throw new EntityNotFoundException(nameof(SkillVersion), tenantId, parent);
        }

        skill.ActiveVersionId = version.Id;
        db.Add(RowMapping.ToRow(version with { SkillId = skill.Id }, active: true));
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
        return RowMapping.ToSkill(skill);
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
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        if (mutation.ParentMutationId is { } parent
            && !await db.Set<ToolMutationRow>().AnyAsync(r => r.TenantId == mutation.TenantId && r.Id == parent, cancellationToken).ConfigureAwait(false))
        {
            throw new EntityNotFoundException(nameof(ToolMutation), mutation.TenantId, parent);
        }

        // No look-up first: the unique index on (tenant_id, open_key) refuses a second open mutation.
        var row = new ToolMutationRow { ConcurrencyStamp = Guid.NewGuid() };
        RowMapping.CopyTo(mutation, row);
        try
        {
            await InsertAsync(db, row, cancellationToken).ConfigureAwait(false);
            return new(RowMapping.ToMutation(row), true);
        }
        catch (System.Data.Common.DbException ex)
        {
            if (mutation.IsOpen && await FindOpenAsync(mutation.TenantId, mutation.ParentVersionId, mutation.Trigger, cancellationToken).ConfigureAwait(false) is { } winner)
            {
                return new(winner, false);
            }

            if (await ExistsAsync<ToolMutationRow>(r => r.Id == mutation.Id, cancellationToken).ConfigureAwait(false))
            {
                throw new DuplicateEntityException(nameof(ToolMutation), mutation.TenantId, mutation.Id.ToString(), ex);
            }

            throw;
        }
    }

    public async ValueTask<ToolMutation?> FindOpenAsync(string tenantId, Guid parentVersionId, MutationTrigger trigger, CancellationToken cancellationToken)
    {
        var key = ToolMutation.OpenKeyOf(parentVersionId, trigger);
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<ToolMutationRow>().AsNoTracking().FirstOrDefaultAsync(r => r.TenantId == tenantId && r.OpenKey == key, cancellationToken).ConfigureAwait(false);
        return row is null ? null : RowMapping.ToMutation(row);
    }

    public IAsyncEnumerable<ToolMutation> ListRecentAsync(string tenantId, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return StreamAsync(db => db.Set<ToolMutationRow>().Where(r => r.TenantId == tenantId).OrderByDescending(r => r.CreatedAt).Take(count), RowMapping.ToMutation, cancellationToken);
    }

    public async ValueTask<ToolMutation?> FindAsync(string tenantId, Guid mutationId, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<ToolMutationRow>().AsNoTracking().FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Id == mutationId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : RowMapping.ToMutation(row);
    }

    public async ValueTask<ToolMutation> UpdateAsync(ToolMutation mutation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mutation);
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<ToolMutationRow>().FirstOrDefaultAsync(r => r.TenantId == mutation.TenantId && r.Id == mutation.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(ToolMutation), mutation.TenantId, mutation.Id);
        AutoDev.Internal.ConcurrencyStamps.EnsureCurrent(nameof(ToolMutation), mutation.Id, row.ConcurrencyStamp, mutation.ConcurrencyStamp);

        RowMapping.CopyTo(mutation, row);
        Restamp(db, row, mutation.ConcurrencyStamp);
        await SaveAsync(db, nameof(ToolMutation), mutation.Id, cancellationToken).ConfigureAwait(false);
        return RowMapping.ToMutation(row);
    }

    public IAsyncEnumerable<ToolMutation> ListByStatusAsync(string tenantId, ToolMutationStatus status, CancellationToken cancellationToken) =>
        StreamAsync(db => db.Set<ToolMutationRow>().Where(r => r.TenantId == tenantId && r.SandboxStatus == status).OrderBy(r => r.CreatedAt), RowMapping.ToMutation, cancellationToken);

    public IAsyncEnumerable<ToolMutation> ListChildrenAsync(string tenantId, Guid parentVersionId, CancellationToken cancellationToken) =>
        StreamAsync(db => db.Set<ToolMutationRow>().Where(r => r.TenantId == tenantId && r.ParentToolId == parentVersionId).OrderBy(r => r.CreatedAt), RowMapping.ToMutation, cancellationToken);

    public async ValueTask<Lineage<ToolMutation>> GetLineageAsync(string tenantId, Guid mutationId, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        return await LineageAsync<ToolMutationRow, ToolMutation>(db, tenantId, mutationId, nameof(ToolMutationRow.ParentMutationId), RowMapping.ToMutation, m => m.Id, m => m.ParentMutationId, cancellationToken).ConfigureAwait(false)
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
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        if (variant.ParentVariantId is { } parent
            && !await db.Set<WorkflowVariantRow>().AnyAsync(r => r.TenantId == variant.TenantId && r.Id == parent, cancellationToken).ConfigureAwait(false))
        {
            throw new EntityNotFoundException(nameof(WorkflowVariant), variant.TenantId, parent);
        }

        var row = new WorkflowVariantRow { ConcurrencyStamp = Guid.NewGuid() };
        RowMapping.CopyTo(variant, row);
        db.Add(row);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException ex)
        {
            if (await ExistsAsync<WorkflowVariantRow>(r => r.Id == variant.Id, cancellationToken).ConfigureAwait(false))
            {
                throw new DuplicateEntityException(nameof(WorkflowVariant), variant.TenantId, variant.Id.ToString(), ex);
            }

            throw;
        }

        return RowMapping.ToVariant(row);
    }

    public async ValueTask<WorkflowVariant?> FindAsync(string tenantId, Guid variantId, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<WorkflowVariantRow>().AsNoTracking().FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Id == variantId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : RowMapping.ToVariant(row);
    }

    public async ValueTask<WorkflowVariant> UpdateAsync(WorkflowVariant variant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(variant);
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<WorkflowVariantRow>().FirstOrDefaultAsync(r => r.TenantId == variant.TenantId && r.Id == variant.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(WorkflowVariant), variant.TenantId, variant.Id);
        if (row.ConcurrencyStamp != variant.ConcurrencyStamp)
        {
            throw new ConcurrencyConflictException(nameof(WorkflowVariant), variant.Id);
        }

        if (row.EvaluationStatus != variant.EvaluationStatus && !row.EvaluationStatus.CanTransitionTo(variant.EvaluationStatus))
        {
            throw new InvalidStateTransitionException(nameof(WorkflowVariant), variant.Id, row.EvaluationStatus.ToString(), variant.EvaluationStatus.ToString());
        }

        RowMapping.CopyTo(variant, row);
        Restamp(db, row, variant.ConcurrencyStamp);
        await SaveAsync(db, nameof(WorkflowVariant), variant.Id, cancellationToken).ConfigureAwait(false);
        return RowMapping.ToVariant(row);
    }

    public IAsyncEnumerable<WorkflowVariant> ListTopAsync(string tenantId, string agentId, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return StreamAsync(
            db => db.Set<WorkflowVariantRow>()
                .Where(r => r.TenantId == tenantId && r.AgentId == agentId && r.FitnessScore != null)
                .OrderByDescending(r => r.FitnessScore).ThenBy(r => r.CreatedAt)
                .Take(count),
            RowMapping.ToVariant,
            cancellationToken);
    }

    public async ValueTask<Lineage<WorkflowVariant>> GetLineageAsync(string tenantId, Guid variantId, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        return await LineageAsync<WorkflowVariantRow, WorkflowVariant>(db, tenantId, variantId, nameof(WorkflowVariantRow.ParentVariantId), RowMapping.ToVariant, v => v.Id, v => v.ParentVariantId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(WorkflowVariant), tenantId, variantId);
    }
}
