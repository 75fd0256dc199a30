using AutoDev.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AutoDev.EntityFrameworkCore.Stores;

internal sealed class EfWorkspaceStore<TContext>(IDbContextFactory<TContext> factory, IOptions<AutoDevOptions> options, TimeProvider time)
    : EfStoreBase<TContext>(factory), IWorkspaceStore
    where TContext : DbContext
{
    public async ValueTask<WorkspaceSettings> GetSettingsAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var json = await db.Set<WorkspaceSettingsRow>().Where(r => r.TenantId == tenantId).Select(r => r.SettingsJson)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return json is not null ? WorkspaceSettings.FromJson(json)
            : options.Value.Workspaces.TryGetValue(tenantId, out var configured) ? configured
            : WorkspaceSettings.Default;
    }

    public async IAsyncEnumerable<string> ListWorkspacesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var saved = await db.Set<WorkspaceSettingsRow>().Select(r => r.TenantId).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var tenant in saved.Union(options.Value.Workspaces.Keys).Order(StringComparer.Ordinal))
        {
            yield return tenant;
        }
    }

    public async ValueTask SaveSettingsAsync(string tenantId, WorkspaceSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        AutoDev.Internal.Guard.Id(tenantId);
        var json = settings.EnsureValid().ToJson();
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
            var row = await db.Set<WorkspaceSettingsRow>().FirstOrDefaultAsync(r => r.TenantId == tenantId, cancellationToken).ConfigureAwait(false);
            if (row is null)
            {
                db.Add(row = new WorkspaceSettingsRow { TenantId = tenantId });
            }

            row.SettingsJson = json;
            row.UpdatedAt = time.GetUtcNow().UtcDateTime;
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                // Another writer created the row first: save over it.
            }
        }
    }
}

internal sealed class EfAgentProfileStore<TContext>(IDbContextFactory<TContext> factory)
    : EfStoreBase<TContext>(factory), IAgentProfileStore
    where TContext : DbContext
{
    public async ValueTask<AgentProfile?> FindAsync(string tenantId, string agentId, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<AgentProfileRow>().AsNoTracking()
            .FirstOrDefaultAsync(r => r.TenantId == tenantId && r.AgentId == agentId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : RowMapping.ToProfile(row);
    }

    public async ValueTask<AddResult<AgentProfile>> AddAsync(AgentProfile profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        AutoDev.Internal.Guard.Id(profile.TenantId);
        AutoDev.Internal.Guard.Id(profile.AgentId);
        var row = new AgentProfileRow { CreatedAt = RowMapping.Utc(profile.CreatedAt), ConcurrencyStamp = Guid.NewGuid() };
        RowMapping.CopyTo(profile, row);
        await using (var db = await CreateAsync(cancellationToken).ConfigureAwait(false))
        {
            db.Add(row);
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return new(RowMapping.ToProfile(row), true);
            }
            catch (DbUpdateException)
            {
                // The agent has a profile already (maybe added by another process a moment ago).
            }
        }

        var existing = await FindAsync(profile.TenantId, profile.AgentId, cancellationToken).ConfigureAwait(false);
        return existing is not null ? new(existing, false) : throw new InvalidOperationException($"Could not add the profile of agent '{profile.AgentId}'.");
    }

    public async ValueTask<AgentProfile> UpdateAsync(AgentProfile profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<AgentProfileRow>().FirstOrDefaultAsync(r => r.TenantId == profile.TenantId && r.AgentId == profile.AgentId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(AgentProfile), profile.TenantId, profile.AgentId);
        if (row.ConcurrencyStamp != profile.ConcurrencyStamp)
        {
            throw new ConcurrencyConflictException(nameof(AgentProfile), profile.AgentId);
        }

        RowMapping.CopyTo(profile, row);
        Restamp(db, row, profile.ConcurrencyStamp);
        await SaveAsync(db, nameof(AgentProfile), profile.AgentId, cancellationToken).ConfigureAwait(false);
        return RowMapping.ToProfile(row);
    }

    public IAsyncEnumerable<AgentProfile> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        StreamAsync(db => db.Set<AgentProfileRow>().Where(r => r.TenantId == tenantId).OrderBy(r => r.AgentId), RowMapping.ToProfile, cancellationToken);
}

internal sealed class EfEpisodeStore<TContext>(IDbContextFactory<TContext> factory)
    : EfStoreBase<TContext>(factory), IEpisodeStore
    where TContext : DbContext
{
    public async ValueTask<EpisodeAdded> AddAsync(Episode episode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(episode);
        episode.EnsureValid();

        // No look-up first: a retry's insert fails on the episode's key, which undoes its count (below).
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // The count first: its upsert takes the write lock (SQLite) or the profile's row lock (PostgreSQL) at once.
        await ExecuteAsync(db, Statement(db, "count-episode", CountSql), [
            Parameter(db, episode.TenantId),
            Parameter(db, episode.AgentId),
            Parameter(db, episode.HumanIntervention ? 1 : 0),
            Parameter(db, episode.ConstitutionalScore ?? 0d),
            Parameter(db, episode.ConstitutionalScore is null ? 0 : 1),
            Parameter(db, RowMapping.Utc(episode.OccurredAt)),
            Parameter(db, Guid.NewGuid()),
        ], cancellationToken).ConfigureAwait(false);
        db.Add(RowMapping.ToRow(episode));
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // The id is stored already (a retry, or a retry racing its original): undo the count and answer as a retry.
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            if (await FindRetriedAsync(episode, cancellationToken).ConfigureAwait(false) is { } raced)
            {
                return raced;
            }

            throw;
        }

        var profile = await db.Set<AgentProfileRow>().AsNoTracking()
            .FirstAsync(r => r.TenantId == episode.TenantId && r.AgentId == episode.AgentId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new(RowMapping.ToProfile(profile), true);
    }

    /// <summary>Adds 1 to the agent's episode count (and the intervention and score counters), creating the profile as a STUDENT.</summary>
    private static string CountSql(DbContext db)
    {
        var (table, column) = SqlNames<AgentProfileRow>(db);
        var (episodes, interventions, sum, scored, stamp) = (column("EpisodeCount"), column("InterventionCount"), column("ConstitutionalScoreSum"), column("ConstitutionalScoreCount"), column("ConcurrencyStamp"));
        return $"INSERT INTO {table} ({column("TenantId")}, {column("AgentId")}, {column("Maturity")}, {episodes}, {interventions}, {sum}, {scored}, {column("CreatedAt")}, {stamp}) "
            + $"VALUES (@p0, @p1, {(int)AgentMaturity.Student}, 1, @p2, @p3, @p4, @p5, @p6) "
            + $"ON CONFLICT ({column("TenantId")}, {column("AgentId")}) DO UPDATE SET {episodes} = {table}.{episodes} + 1, "
            + $"{interventions} = {table}.{interventions} + @p2, {sum} = {table}.{sum} + @p3, {scored} = {table}.{scored} + @p4, {stamp} = @p6";
    }

    /// <summary>The answer to a retry: the agent's profile when the workspace holds the episode already; null when it does not.</summary>
    private async Task<EpisodeAdded?> FindRetriedAsync(Episode episode, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var owner = await db.Set<EpisodeRow>().Where(r => r.Id == episode.Id).Select(r => new { r.TenantId, r.AgentId }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (owner is null)
        {
            return null;
        }

        if (owner.TenantId != episode.TenantId)
        {
            throw new DuplicateEntityException(nameof(Episode), episode.TenantId, episode.Id.ToString());
        }

        var profile = await db.Set<AgentProfileRow>().AsNoTracking()
            .FirstAsync(r => r.TenantId == owner.TenantId && r.AgentId == owner.AgentId, cancellationToken).ConfigureAwait(false);
        return new EpisodeAdded(RowMapping.ToProfile(profile), false);
    }

    public async ValueTask<Episode?> FindAsync(string tenantId, Guid episodeId, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<EpisodeRow>().AsNoTracking().Include(r => r.Segments)
            .FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Id == episodeId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : RowMapping.ToEpisode(row);
    }

    public IAsyncEnumerable<Episode> ListRecentAsync(string tenantId, string agentId, bool? success, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return StreamAsync(
            db => db.Set<EpisodeRow>()
                .Where(r => r.TenantId == tenantId && r.AgentId == agentId && (success == null || r.Success == success))
                .OrderByDescending(r => r.OccurredAt)
                .Take(count)
                .Include(r => r.Segments)
                .AsSplitQuery(),
            RowMapping.ToEpisode,
            cancellationToken);
    }
}

internal sealed class EfChatCallStore<TContext>(IDbContextFactory<TContext> factory)
    : EfStoreBase<TContext>(factory), IChatCallStore
    where TContext : DbContext
{
    public async ValueTask AddAsync(ChatCallRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        AutoDev.Internal.Guard.Id(record.TenantId);
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        db.Add(RowMapping.ToRow(record));
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException ex)
        {
            if (await ExistsAsync<ChatCallRow>(r => r.Id == record.Id, cancellationToken).ConfigureAwait(false))
            {
                throw new DuplicateEntityException(nameof(ChatCallRecord), record.TenantId, record.Id.ToString(), ex);
            }

            throw;
        }
    }

    public async ValueTask<TokenUsage> GetUsageAsync(string tenantId, DateOnly day, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var totals = await db.Set<ChatCallRow>()
            .Where(r => r.TenantId == tenantId && r.Day == day)
            .GroupBy(r => r.TenantId)
            .Select(g => new
            {
                Input = g.Sum(r => r.InputTokens),
                Output = g.Sum(r => r.OutputTokens),
                Total = g.Sum(r => r.TotalTokens),
                Calls = g.Count(),
                Failed = g.Count(r => !r.Succeeded),
            })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return totals is null ? default : new TokenUsage(totals.Input, totals.Output, totals.Total, totals.Calls, totals.Failed);
    }

    public IAsyncEnumerable<ChatCallRecord> ListRecentAsync(string tenantId, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return StreamAsync(db => db.Set<ChatCallRow>().Where(r => r.TenantId == tenantId).OrderByDescending(r => r.StartedAt).Take(count), RowMapping.ToRecord, cancellationToken);
    }
}
