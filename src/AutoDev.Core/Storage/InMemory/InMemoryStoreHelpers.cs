using System.Runtime.CompilerServices;

namespace AutoDev.Storage;

internal static class InMemoryStoreHelpers
{
    /// <summary>
    /// The one lock of the in-memory skill, candidate and mutation stores, so that a promotion writes a version and its
    /// proposal atomically (as one database transaction does).
    /// </summary>
    public static readonly Lock LearningLock = new();

    /// <summary>Walks parents up and children down (breadth first) from an entity; cycles are cut.</summary>
    public static Lineage<T> BuildLineage<T>(T self, Func<T, Guid> id, Func<T, Guid?> parentId, IReadOnlyCollection<T> all)
    {
        var byId = all.ToDictionary(id);
        var ancestors = new List<T>();
        var seen = new HashSet<Guid> { id(self) };
        for (var parent = parentId(self); parent is { } p && seen.Add(p) && byId.TryGetValue(p, out var entity); parent = parentId(entity))
        {
            ancestors.Add(entity);
        }

        var childrenOf = all.Where(e => parentId(e) is not null).ToLookup(e => parentId(e)!.Value);
        var descendants = new List<T>();
        var queue = new Queue<Guid>([id(self)]);
        while (queue.TryDequeue(out var current))
        {
            foreach (var child in childrenOf[current])
            {
                if (seen.Add(id(child)))
                {
                    descendants.Add(child);
                    queue.Enqueue(id(child));
                }
            }
        }

        return new Lineage<T>(self, ancestors, descendants);
    }

    public static void EnsureStamp(Guid stored, Guid given, string entityType, object id)
    {
        if (stored != given)
        {
            throw new ConcurrencyConflictException(entityType, id);
        }
    }

#pragma warning disable CS1998 // The async iterator yields a snapshot taken under the store's lock.
    public static async IAsyncEnumerable<T> ToAsync<T>(List<T> snapshot, [EnumeratorCancellation] CancellationToken cancellationToken)
#pragma warning restore CS1998
    {
        foreach (var item in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
    }
}
