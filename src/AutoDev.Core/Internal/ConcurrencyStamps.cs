namespace AutoDev.Internal;

/// <summary>The one check a store makes before it saves an update: the entity was read with the stored stamp.</summary>
internal static class ConcurrencyStamps
{
    /// <exception cref="ConcurrencyConflictException">The stamps differ: someone saved the entity since it was read.</exception>
    public static void EnsureCurrent(string entityType, Guid id, Guid storedStamp, Guid givenStamp)
    {
        if (storedStamp != givenStamp)
        {
            throw new ConcurrencyConflictException(entityType, id);
        }
    }
}
