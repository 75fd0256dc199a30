using AutoDev.EntityFrameworkCore.Configuration;
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
        var json = await db.Set<SavedWorkspaceSettings>().Where(s => s.TenantId == tenantId).Select(s => s.SettingsJson)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return json is not null ? WorkspaceSettings.FromJson(json)
            : options.Value.Workspaces.TryGetValue(tenantId, out var configured) ? configured
            : WorkspaceSettings.Default;
    }

    public async IAsyncEnumerable<string> ListWorkspacesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var saved = await db.Set<SavedWorkspaceSettings>().Select(s => s.TenantId).ToListAsync(cancellationToken).ConfigureAwait(false);
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
            var saved = await db.Set<SavedWorkspaceSettings>().FirstOrDefaultAsync(s => s.TenantId == tenantId, cancellationToken).ConfigureAwait(false);
            if (saved is null)
            {
                db.Add(saved = new SavedWorkspaceSettings { TenantId = tenantId });
            }

            saved.SettingsJson = json;
            saved.UpdatedAt = time.GetUtcNow();
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
        return await db.Set<AgentProfile>().AsNoTracking()
            .FirstOrDefaultAsync(p => p.TenantId == tenantId && p.AgentId == agentId, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<AddResult<AgentProfile>> AddAsync(AgentProfile profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        AutoDev.Internal.Guard.Id(profile.TenantId);
        AutoDev.Internal.Guard.Id(profile.AgentId);
        var saved = profile with { ConcurrencyStamp = Guid.NewGuid() };
        await using (var db = await CreateAsync(cancellationToken).ConfigureAwait(false))
        {
            db.Add(saved);
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return new(saved, true);
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
        var saved = profile with { ConcurrencyStamp = Guid.NewGuid() };
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        Track(db, saved, profile.ConcurrencyStamp).Property(p => p.CreatedAt).IsModified = false;
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return saved;
        }
        catch (DbUpdateConcurrencyException ex)
        {
            throw await FindAsync(profile.TenantId, profile.AgentId, cancellationToken).ConfigureAwait(false) is null
                ? new EntityNotFoundException(nameof(AgentProfile), profile.TenantId, profile.AgentId)
                : new ConcurrencyConflictException(nameof(AgentProfile), profile.AgentId, ex);
        }
    }

    public IAsyncEnumerable<AgentProfile> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        StreamAsync(db => db.Set<AgentProfile>().Where(p => p.TenantId == tenantId).OrderBy(p => p.AgentId), cancellationToken);
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
            episode.TenantId,
            episode.AgentId,
            episode.HumanIntervention ? 1 : 0,
            episode.ConstitutionalScore ?? 0d,
            episode.ConstitutionalScore is null ? 0 : 1,
            Columns.Utc.ConvertToProvider(episode.OccurredAt),
            Guid.NewGuid(),
        ], cancellationToken).ConfigureAwait(false);
        db.Add(episode);
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

        var profile = await db.Set<AgentProfile>().AsNoTracking()
            .FirstAsync(p => p.TenantId == episode.TenantId && p.AgentId == episode.AgentId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new(profile, true);
    }

    /// <summary>Adds 1 to the agent's episode count (and the intervention and score counters), creating the profile as a STUDENT.</summary>
    private static string CountSql(DbContext db)
    {
        var (table, column) = SqlNames<AgentProfile>(db);
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
        var agentId = await db.Set<Episode>().Where(e => e.TenantId == episode.TenantId && e.Id == episode.Id).Select(e => e.AgentId)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (agentId is null)
        {
            return null;
        }

        var profile = await db.Set<AgentProfile>().AsNoTracking()
            .FirstAsync(p => p.TenantId == episode.TenantId && p.AgentId == agentId, cancellationToken).ConfigureAwait(false);
        return new EpisodeAdded(profile, false);
    }

    public ValueTask<Episode?> FindAsync(string tenantId, Guid episodeId, CancellationToken cancellationToken) =>
        FindAsync<Episode>(tenantId, episodeId, cancellationToken);

    public IAsyncEnumerable<Episode> ListRecentAsync(string tenantId, string agentId, bool? success, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return StreamAsync(
            db => db.Set<Episode>()
                .Where(e => e.TenantId == tenantId && e.AgentId == agentId && (success == null || e.Success == success))
                .OrderByDescending(e => e.OccurredAt)
                .Take(count),
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
        await InsertAsync(record, record.TenantId, record.Id, e => ChatCallConfiguration.Shadows(e), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<TokenUsage> GetUsageAsync(string tenantId, DateOnly day, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var totals = await db.Set<ChatCallRecord>()
            .Where(c => c.TenantId == tenantId && EF.Property<DateOnly>(c, ChatCallConfiguration.Day) == day)
            .GroupBy(c => c.TenantId)
            .Select(g => new
            {
                Input = g.Sum(c => c.InputTokens),
                Output = g.Sum(c => c.OutputTokens),
                Total = g.Sum(c => c.TotalTokens),
                Calls = g.Count(),
                Failed = g.Count(c => !c.Succeeded),
            })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return totals is null ? default : new TokenUsage(totals.Input, totals.Output, totals.Total, totals.Calls, totals.Failed);
    }

    public IAsyncEnumerable<ChatCallRecord> ListRecentAsync(string tenantId, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return StreamAsync(db => db.Set<ChatCallRecord>().Where(c => c.TenantId == tenantId).OrderByDescending(c => c.StartedAt).Take(count), cancellationToken);
    }
}
