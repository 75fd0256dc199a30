using System.Data.Common;
using System.Runtime.CompilerServices;
using AutoDev.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace AutoDev.EntityFrameworkCore.Stores;

/// <summary>
/// What every EF store shares: a context per call from the pooled factory, streaming, updates that compare the
/// concurrency stamp in their <c>WHERE</c>, lineage in one query, and the raw SQL of the limit reservation and the counter upserts.
/// </summary>
internal abstract class EfStoreBase<TContext>(IDbContextFactory<TContext> factory)
    where TContext : DbContext
{
    /// <summary>The property every entity with optimistic concurrency has (a shadow one on fitness records).</summary>
    protected const string Stamp = "ConcurrencyStamp";

    protected Task<TContext> CreateAsync(CancellationToken cancellationToken) => factory.CreateDbContextAsync(cancellationToken);

    /// <summary>Streams a query's entities, untracked; the context lives as long as the enumeration.</summary>
    protected async IAsyncEnumerable<T> StreamAsync<T>(Func<TContext, IQueryable<T>> query, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var entity in query(db).AsNoTracking().AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return entity;
        }
    }

    /// <summary>The entity with this tenant and id, untracked, or null.</summary>
    protected async ValueTask<T?> FindAsync<T>(string tenantId, Guid id, CancellationToken cancellationToken)
        where T : class
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<T>().AsNoTracking().FirstOrDefaultAsync(ById<T>(tenantId, id), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the tenant holds an entity with this id, in a fresh context (the caller's may hold a failed write).</summary>
    protected async Task<bool> ExistsAsync<T>(string tenantId, Guid id, CancellationToken cancellationToken)
        where T : class
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<T>().AnyAsync(ById<T>(tenantId, id), cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>e.TenantId == tenantId &amp;&amp; e.Id == id</c> for any AutoDev entity keyed by (tenant, id).</summary>
    protected static System.Linq.Expressions.Expression<Func<T, bool>> ById<T>(string tenantId, Guid id) =>
        e => EF.Property<string>(e!, "TenantId") == tenantId && EF.Property<Guid>(e!, "Id") == id;

    /// <summary>
    /// Adds <paramref name="entity"/> (whose shadow columns <paramref name="shadows"/> sets); a key already taken in
    /// the tenant is <see cref="DuplicateEntityException"/>.
    /// </summary>
    protected async Task<T> InsertAsync<T>(T entity, string tenantId, Guid id, Action<EntityEntry<T>>? shadows, CancellationToken cancellationToken)
        where T : class =>
        (await AddOpenAsync(entity, tenantId, id, shadows ?? (_ => { }), findOpen: null, cancellationToken).ConfigureAwait(false)).Entity;

    /// <summary>
    /// Adds a proposal that may be open: when a unique index refuses it because another open one holds its key
    /// (<paramref name="findOpen"/> finds it), that one is the answer, not added; a taken id is <see cref="DuplicateEntityException"/>.
    /// </summary>
    protected async Task<AddResult<T>> AddOpenAsync<T>(T entity, string tenantId, Guid id, Action<EntityEntry<T>> shadows, Func<ValueTask<T?>>? findOpen, CancellationToken cancellationToken)
        where T : class
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        shadows(db.Add(entity));
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return new(entity, true);
        }
        catch (DbUpdateException ex)
        {
            if (findOpen is not null && await findOpen().ConfigureAwait(false) is { } winner)
            {
                return new(winner, false);
            }

            if (await ExistsAsync<T>(tenantId, id, cancellationToken).ConfigureAwait(false))
            {
                throw new DuplicateEntityException(typeof(T).Name, tenantId, id.ToString(), ex);
            }

            throw;
        }
    }

    /// <summary>
    /// Saves <paramref name="entity"/> over the stored one in one <c>UPDATE ... WHERE tenant, id and stamp match</c>:
    /// <paramref name="expectedStamp"/> is the stamp it was read with, and the entity carries its new one. No row
    /// updated means an unknown id (<see cref="EntityNotFoundException"/>) or a newer save (<see cref="ConcurrencyConflictException"/>).
    /// </summary>
    protected async Task<T> UpdateAsync<T>(T entity, string tenantId, Guid id, Guid expectedStamp, Action<EntityEntry<T>>? shadows, CancellationToken cancellationToken)
        where T : class
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        var entry = Track(db, entity, expectedStamp);
        shadows?.Invoke(entry);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return entity;
        }
        catch (DbUpdateConcurrencyException ex)
        {
            throw await ExistsAsync<T>(tenantId, id, cancellationToken).ConfigureAwait(false)
                ? new ConcurrencyConflictException(typeof(T).Name, id, ex)
                : new EntityNotFoundException(typeof(T).Name, tenantId, id);
        }
    }

    /// <summary>Tracks <paramref name="entity"/> as modified, to be saved only where the stored stamp is <paramref name="expectedStamp"/>.</summary>
    protected static EntityEntry<T> Track<T>(DbContext db, T entity, Guid expectedStamp)
        where T : class
    {
        var entry = db.Update(entity);
        entry.Property<Guid>(Stamp).OriginalValue = expectedStamp;
        return entry;
    }

    /// <summary>
    /// An entity's ancestors, descendants and itself in one recursive query (the same SQL on SQLite and PostgreSQL),
    /// ordered in memory into a <see cref="Lineage{T}"/>.
    /// </summary>
    protected static async Task<Lineage<T>?> LineageAsync<T>(
        TContext db,
        string tenantId,
        Guid id,
        string parentProperty,
        Func<T, Guid> idOf,
        Func<T, Guid?> parentOf,
        CancellationToken cancellationToken)
        where T : class
    {
        var (table, column) = SqlNames<T>(db);
        var (key, tenant, parent) = (column("Id"), column("TenantId"), column(parentProperty));

#pragma warning disable EF1002 // Only identifiers from the model are interpolated; values are parameters.
        var all = await db.Set<T>().FromSqlRaw(
            $$"""
            WITH RECURSIVE up(id) AS (
                SELECT {{parent}} FROM {{table}} WHERE {{tenant}} = {0} AND {{key}} = {1}
                UNION
                SELECT r.{{parent}} FROM {{table}} r JOIN up ON r.{{key}} = up.id WHERE r.{{tenant}} = {0}),
            down(id) AS (
                SELECT {{key}} FROM {{table}} WHERE {{tenant}} = {0} AND {{parent}} = {1}
                UNION
                SELECT r.{{key}} FROM {{table}} r JOIN down ON r.{{parent}} = down.id WHERE r.{{tenant}} = {0})
            SELECT * FROM {{table}}
            WHERE {{tenant}} = {0} AND ({{key}} = {1} OR {{key}} IN (SELECT id FROM up) OR {{key}} IN (SELECT id FROM down))
            """,
            tenantId,
            id).AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
#pragma warning restore EF1002

        var self = all.Find(e => idOf(e) == id);
        return self is null ? null : Lineage.Build(self, idOf, parentOf, all);
    }

    /// <summary>
    /// Runs one of the counter upserts, whose <c>ON CONFLICT ... DO UPDATE ... WHERE</c> EF cannot express (or the
    /// reservation row it guards), on the
    /// context's connection and transaction. <paramref name="sql"/> has placeholders <c>@p0</c>, <c>@p1</c>, ... for
    /// <paramref name="parameters"/>, whose database types come from EF's type mappings (a null is an untyped <c>NULL</c>). It runs through ADO.NET rather
    /// than <c>ExecuteSqlRawAsync</c>, which cost about 400 µs more per reservation on PostgreSQL and 10% more on
    /// SQLite on the hot path (docs/benchmarks.md). A value the database refuses becomes the typed error of <see cref="StoreErrors"/>.
    /// </summary>
    protected static async Task<int> ExecuteAsync(DbContext db, string sql, object?[] parameters, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText = sql;
            var mappings = db.GetService<IRelationalTypeMappingSource>();
            for (var i = 0; i < parameters.Length; i++)
            {
                if (parameters[i] is not { } value)
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = ParameterName(i);
                    parameter.Value = DBNull.Value;
                    command.Parameters.Add(parameter);
                    continue;
                }

                var mapping = mappings.FindMapping(value.GetType())
                    ?? throw new InvalidOperationException($"The database provider has no mapping for {value.GetType()}.");
                command.Parameters.Add(mapping.CreateParameter(command, ParameterName(i), value, nullable: false));
            }

            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex) when (StoreErrors.Translate(ex) is { } typed)
        {
            throw typed;
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The name of the <paramref name="index"/>th parameter of a statement for <see cref="ExecuteAsync"/>: <c>@p0</c>, <c>@p1</c>, ...</summary>
    private static string ParameterName(int index) => "@p" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The delimited table name of an entity type, and a function from property to delimited column name, for raw SQL.</summary>
    protected static (string Table, Func<string, string> Column) SqlNames<T>(DbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(T))!;
        var sql = db.GetService<ISqlGenerationHelper>();
        var store = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        return (sql.DelimitIdentifier(store.Name, store.Schema), property => sql.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(store)!));
    }

    /// <summary>A raw statement's text, built from the model once per model and <paramref name="key"/>.</summary>
    protected static string Statement(DbContext db, string key, Func<DbContext, string> build) =>
        Statements.GetValue(db.Model, _ => new()).GetOrAdd(key, _ => build(db));

    /// <summary>Saves, turning EF's optimistic concurrency failure into AutoDev's.</summary>
    protected static async Task SaveAsync(DbContext db, string entityType, object id, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException ex)
        {
            throw new ConcurrencyConflictException(entityType, id, ex);
        }
    }

    private static readonly ConditionalWeakTable<IModel, System.Collections.Concurrent.ConcurrentDictionary<string, string>> Statements = [];
}
