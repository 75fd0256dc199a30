using AutoDev.EntityFrameworkCore.Configuration;
using AutoDev.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore;

namespace AutoDev.EntityFrameworkCore.Stores;

/// <summary>
/// Reservations against daily limits. A counter row per (tenant, capability, day, agent) is incremented only while it
/// is under the limit, in one conditional UPDATE inside the reservation's transaction, so the limit holds across
/// threads and processes on SQLite (writers are serialized) and PostgreSQL (the row lock re-checks the condition).
/// </summary>
internal sealed class EfCapabilityUsageStore<TContext>(IDbContextFactory<TContext> factory)
    : EfStoreBase<TContext>(factory), ICapabilityUsageStore
    where TContext : DbContext
{
    public async ValueTask<bool> TryReserveAsync(CapabilityUsage usage, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(usage);
        AutoDev.Internal.Guard.Id(usage.TenantId);
        if (limit <= 0)
        {
            return false;
        }

        var (tenantId, capability, day, agentKey) = (usage.TenantId, usage.Capability, usage.Day, usage.AgentId ?? string.Empty);
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var claim = Statement(db, "claim", ClaimSql);
        var claimed = await ExecuteAsync(db, claim, [tenantId, capability, day, agentKey, limit], cancellationToken).ConfigureAwait(false);
        if (claimed == 0 && usage.CreatedAt != default)
        {
            // At the limit: a crashed owner's reservation stops counting once it expired. Release those of this scope
            // and claim again (only here, so the hot path under the limit costs no extra statement).
            var expired = await ExecuteAsync(db, Statement(db, "expire", ExpireSql), [tenantId, capability, day, agentKey, Columns.Utc.ConvertToProvider(usage.CreatedAt)], cancellationToken).ConfigureAwait(false);
            if (expired > 0)
            {
                await ExecuteAsync(db, Statement(db, "unclaim", UnclaimSql), [tenantId, capability, day, agentKey, expired], cancellationToken).ConfigureAwait(false);
                claimed = await ExecuteAsync(db, claim, [tenantId, capability, day, agentKey, limit], cancellationToken).ConfigureAwait(false);
            }
        }

        if (claimed == 0)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }

        try
        {
            // The reservation's own row, in the same raw path as the claim: through the change tracker the two writes
            // of a reservation cost a fifth more on SQLite and half again on PostgreSQL (docs/benchmarks.md).
            await ExecuteAsync(db, Statement(db, "reserve", ReserveSql), [
                usage.Id,
                tenantId,
                usage.AgentId,
                capability,
                day,
                Columns.Utc.ConvertToProvider(usage.CreatedAt),
                usage.ExpiresAt is { } expires ? Columns.Utc.ConvertToProvider(expires) : null,
            ], cancellationToken).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException ex)
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            if (await ExistsAsync<CapabilityUsage>(tenantId, usage.Id, cancellationToken).ConfigureAwait(false))
            {
                throw new DuplicateEntityException(nameof(CapabilityUsage), tenantId, usage.Id.ToString(), ex);
            }

            throw;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// One statement claims a unit of the limit: insert the counter at 1, or add 1 while it is under the limit. It
    /// affects no row when the limit is reached; the row lock (PostgreSQL) or the write lock (SQLite) makes concurrent
    /// claims wait for each other and re-check the condition. Only identifiers from the model are put in the text; the
    /// values are parameters.
    /// </summary>
    private static string ClaimSql(DbContext db)
    {
        var (table, column) = SqlNames<CapabilityCounter>(db);
        var (tenant, name, date, agent, count) = (column("TenantId"), column("Capability"), column("Day"), column("AgentKey"), column("Count"));
        return $"INSERT INTO {table} ({tenant}, {name}, {date}, {agent}, {count}) VALUES (@p0, @p1, @p2, @p3, 1) "
            + $"ON CONFLICT ({tenant}, {name}, {date}, {agent}) DO UPDATE SET {count} = {table}.{count} + 1 WHERE {table}.{count} < @p4";
    }

    /// <summary>Inserts the reservation's row, Reserved (the status value is the enum's, not input).</summary>
    private static string ReserveSql(DbContext db)
    {
        var (table, column) = SqlNames<CapabilityUsage>(db);
        return $"INSERT INTO {table} ({column("Id")}, {column("TenantId")}, {column("AgentId")}, {column("Capability")}, {column("Day")}, {column("CreatedAt")}, {column("ExpiresAt")}, {column("Status")}) "
            + $"VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, {(int)CapabilityUsageStatus.Reserved})";
    }

    /// <summary>Releases the scope's reservations that expired before <c>@p4</c>; the status values are the enum's, not input.</summary>
    private static string ExpireSql(DbContext db)
    {
        var (table, column) = SqlNames<CapabilityUsage>(db);
        return $"UPDATE {table} SET {column("Status")} = {(int)CapabilityUsageStatus.Released} "
            + $"WHERE {column("TenantId")} = @p0 AND {column("Capability")} = @p1 AND {column("Day")} = @p2 AND COALESCE({column("AgentId")}, '') = @p3 "
            + $"AND {column("Status")} = {(int)CapabilityUsageStatus.Reserved} AND {column("ExpiresAt")} < @p4";
    }

    /// <summary>Gives back <c>@p4</c> units of the scope's counter.</summary>
    private static string UnclaimSql(DbContext db)
    {
        var (table, column) = SqlNames<CapabilityCounter>(db);
        return $"UPDATE {table} SET {column("Count")} = {column("Count")} - @p4 "
            + $"WHERE {column("TenantId")} = @p0 AND {column("Capability")} = @p1 AND {column("Day")} = @p2 AND {column("AgentKey")} = @p3";
    }

    public async ValueTask CompleteAsync(string tenantId, Guid usageId, CapabilityUsageStatus status, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var usage = await db.Set<CapabilityUsage>().AsNoTracking().FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Id == usageId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException(nameof(CapabilityUsage), tenantId, usageId);
        var changed = usage.Status.CanTransitionTo(status)
            ? await db.Set<CapabilityUsage>()
                .Where(r => r.TenantId == tenantId && r.Id == usageId && r.Status == CapabilityUsageStatus.Reserved)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, status), cancellationToken).ConfigureAwait(false)
            : 0;
        if (changed == 0)
        {
            // Not allowed, or another caller completed it between the read and the update.
            throw new InvalidStateTransitionException(nameof(CapabilityUsage), usageId, usage.Status == CapabilityUsageStatus.Reserved ? "completed" : usage.Status.ToString(), status.ToString());
        }

        if (status == CapabilityUsageStatus.Released)
        {
            var agentKey = usage.AgentId ?? string.Empty;
            await db.Set<CapabilityCounter>()
                .Where(c => c.TenantId == tenantId && c.Capability == usage.Capability && c.Day == usage.Day && c.AgentKey == agentKey)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Count, c => c.Count - 1), cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<int> CountAsync(string tenantId, string capability, string? agentId, DateOnly day, CancellationToken cancellationToken)
    {
        var agentKey = agentId ?? string.Empty;
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<CapabilityCounter>()
            .Where(c => c.TenantId == tenantId && c.Capability == capability && c.Day == day && c.AgentKey == agentKey)
            .Select(c => c.Count)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Fitness records, appended to with optimistic concurrency and a few retries, so redeliveries count once.</summary>
internal sealed class EfFitnessStore<TContext>(IDbContextFactory<TContext> factory, TimeProvider time)
    : EfStoreBase<TContext>(factory), IFitnessStore
    where TContext : DbContext
{
    private const int MaxAttempts = 10;

    public async ValueTask<FitnessRecord?> FindAsync(string tenantId, Guid subjectId, CancellationToken cancellationToken)
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<FitnessRecord>().AsNoTracking().FirstOrDefaultAsync(r => r.TenantId == tenantId && r.SubjectId == subjectId, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<FitnessRecord> AppendSignalsAsync(
        string tenantId,
        Guid subjectId,
        FitnessSubjectKind kind,
        IReadOnlyList<FitnessSignal> signals,
        Func<IReadOnlyList<FitnessSignal>, double> score,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(score);
        AutoDev.Internal.Guard.Id(tenantId);
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);

            // On SQLite the transaction takes the write lock at once, so appends to one subject never conflict there;
            // elsewhere the stamp catches a concurrent append and the loop merges again after a short, jittered wait.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var stored = await db.Set<FitnessRecord>().FirstOrDefaultAsync(r => r.TenantId == tenantId && r.SubjectId == subjectId, cancellationToken).ConfigureAwait(false);
            var record = FitnessSignalMerge.Append(stored, tenantId, subjectId, kind, signals, score, time.GetUtcNow());
            var entry = stored is null ? db.Add(record) : db.Entry(stored);
            entry.CurrentValues.SetValues(record);
            entry.Property<Guid>(FitnessRecordConfiguration.ConcurrencyStamp).CurrentValue = Guid.NewGuid();
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return record;
            }
            catch (DbUpdateException) when (attempt < MaxAttempts)
            {
                // Another writer appended (or created the record) first: merge again over what it saved.
            }
            catch (DbUpdateException ex)
            {
                throw new ConcurrencyConflictException(nameof(FitnessRecord), subjectId, ex);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), time, cancellationToken).ConfigureAwait(false);
        }
    }

    public IAsyncEnumerable<FitnessRecord> ListTopAsync(string tenantId, FitnessSubjectKind kind, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return StreamAsync(
            db => db.Set<FitnessRecord>().Where(r => r.TenantId == tenantId && r.SubjectKind == kind).OrderByDescending(r => r.Score).ThenBy(r => r.UpdatedAt).Take(count),
            cancellationToken);
    }
}
