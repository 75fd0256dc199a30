using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace AutoDev.EntityFrameworkCore.Stores;

/// <summary>What every EF store shares: a context per call from the pooled factory, streaming, lineage in one query.</summary>
internal abstract class EfStoreBase<TContext>(IDbContextFactory<TContext> factory)
    where TContext : DbContext
{
    protected Task<TContext> CreateAsync(CancellationToken cancellationToken) => factory.CreateDbContextAsync(cancellationToken);

    /// <summary>Streams a query's rows mapped to records; the context lives as long as the enumeration.</summary>
    protected async IAsyncEnumerable<T> StreamAsync<TRow, T>(
        Func<TContext, IQueryable<TRow>> query,
        Func<TRow, T> map,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where TRow : class
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var row in query(db).AsNoTracking().AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return map(row);
        }
    }

    /// <summary>
    /// An entity's ancestors, descendants and itself in one recursive query (the same SQL on SQLite and PostgreSQL),
    /// ordered in memory into a <see cref="Lineage{T}"/>.
    /// </summary>
    protected static async Task<Lineage<T>?> LineageAsync<TRow, T>(
        TContext db,
        string tenantId,
        Guid id,
        string parentProperty,
        Func<TRow, T> map,
        Func<T, Guid> idOf,
        Func<T, Guid?> parentOf,
        CancellationToken cancellationToken)
        where TRow : class
    {
        var (table, column) = SqlNames<TRow>(db);
        var (key, tenant, parent) = (column("Id"), column("TenantId"), column(parentProperty));

#pragma warning disable EF1002 // Only identifiers from the model are interpolated; values are parameters.
        var rows = await db.Set<TRow>().FromSqlRaw(
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

        var all = rows.Select(map).ToList();
        var self = all.Find(e => idOf(e) == id);
        return self is null ? null : Lineage.Build(self, idOf, parentOf, all);
    }

    /// <summary>Whether a row matches, in a fresh context (the caller's may hold the failed insert).</summary>
    protected async Task<bool> ExistsAsync<TRow>(System.Linq.Expressions.Expression<Func<TRow, bool>> predicate, CancellationToken cancellationToken)
        where TRow : class
    {
        await using var db = await CreateAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<TRow>().AnyAsync(predicate, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Inserts one row with a single raw <c>INSERT</c> built from the model (nulls as <c>NULL</c>, values as parameters
    /// made by the provider's type mappings, converters included), skipping the change tracker: the hot paths' writes.
    /// </summary>
    protected static Task<int> InsertAsync<TRow>(DbContext db, TRow row, CancellationToken cancellationToken)
        where TRow : class
    {
        var plan = InsertPlan.For(db, typeof(TRow));
        var slots = new List<string>(plan.Properties.Length);
        var parameters = new List<(object Value, RelationalTypeMapping Mapping)>(plan.Properties.Length);
        for (var i = 0; i < plan.Properties.Length; i++)
        {
            if (plan.Properties[i].GetGetter().GetClrValueUsingContainingEntity(row) is { } value)
            {
                slots.Add("@p" + parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
                parameters.Add((value, plan.Mappings[i]));
            }
            else
            {
                slots.Add("NULL");
            }
        }

        // Only identifiers from the model and placeholders are put in the text; the values are parameters.
        return ExecuteAsync(db, $"{plan.Prefix}{string.Join(", ", slots)})", parameters, cancellationToken);
    }

    /// <summary>
    /// Runs one statement on the context's connection and transaction with ADO.NET, its parameters (<c>@p0</c>,
    /// <c>@p1</c>, ...) made by the provider's type mappings. EF's raw SQL path costs more than the statement on this
    /// machine's hot paths; connection interceptors (the SQLite pragmas) still apply, command interceptors do not.
    /// </summary>
    protected static async Task<int> ExecuteAsync(DbContext db, string sql, IReadOnlyList<(object Value, RelationalTypeMapping Mapping)> parameters, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText = sql;
            for (var i = 0; i < parameters.Count; i++)
            {
                var (value, mapping) = parameters[i];
                command.Parameters.Add(mapping.CreateParameter(command, "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), value, nullable: false));
            }

            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex) when (AutoDev.EntityFrameworkCore.Internal.StoreErrors.Translate(ex) is { } typed)
        {
            throw typed;
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The type mapping of a parameter value, by its CLR type.</summary>
    protected static (object Value, RelationalTypeMapping Mapping) Parameter(DbContext db, object value) =>
        (value, db.GetService<IRelationalTypeMappingSource>().FindMapping(value.GetType())
            ?? throw new InvalidOperationException($"The database provider has no mapping for {value.GetType()}."));

    /// <summary>The delimited table name of a row type, and a function from property to delimited column name, for raw SQL.</summary>
    protected static (string Table, Func<string, string> Column) SqlNames<TRow>(DbContext db) => SqlNames(db, typeof(TRow));

    /// <summary>A hot path's SQL text, built from the model once per model and <paramref name="key"/>.</summary>
    protected static string Statement(DbContext db, string key, Func<DbContext, string> build) =>
        PerModel<string, string>.Get(db.Model, key, _ => build(db));

    private static (string Table, Func<string, string> Column) SqlNames(DbContext db, Type rowType)
    {
        var entity = db.Model.FindEntityType(rowType)!;
        var sql = db.GetService<ISqlGenerationHelper>();
        var store = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        return (sql.DelimitIdentifier(store.Name, store.Schema), property => sql.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(store)!));
    }

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

    /// <summary>Sets the stamp the update must find in the database, and the new one it writes.</summary>
    protected static Guid Restamp<TRow>(DbContext db, TRow row, Guid expected)
        where TRow : class
    {
        var stamp = db.Entry(row).Property<Guid>("ConcurrencyStamp");
        stamp.OriginalValue = expected;
        var next = Guid.NewGuid();
        stamp.CurrentValue = next;
        return next;
    }

    /// <summary>A row type's <c>INSERT INTO table (columns) VALUES (</c> and its properties' type mappings, per model.</summary>
    private sealed record InsertPlan(string Prefix, IProperty[] Properties, RelationalTypeMapping[] Mappings)
    {
        public static InsertPlan For(DbContext db, Type rowType) =>
            PerModel<Type, InsertPlan>.Get(db.Model, rowType, type =>
            {
                var (table, column) = SqlNames(db, type);
                var properties = db.Model.FindEntityType(type)!.GetProperties().ToArray();
                return new InsertPlan(
                    $"INSERT INTO {table} ({string.Join(", ", properties.Select(p => column(p.Name)))}) VALUES (",
                    properties,
                    [.. properties.Select(p => p.GetRelationalTypeMapping())]);
            });
    }

    /// <summary>Values built from a model once per key, kept as long as the model (which outlives every context).</summary>
    private static class PerModel<TKey, TValue>
        where TKey : notnull
    {
        private static readonly ConditionalWeakTable<IModel, System.Collections.Concurrent.ConcurrentDictionary<TKey, TValue>> Cache = [];

        public static TValue Get(IModel model, TKey key, Func<TKey, TValue> build) => Cache.GetValue(model, _ => new()).GetOrAdd(key, build);
    }
}
