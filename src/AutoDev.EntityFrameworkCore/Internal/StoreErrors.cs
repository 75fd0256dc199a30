using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AutoDev.EntityFrameworkCore.Internal;

/// <summary>
/// Turns the database's refusals of a value into the typed error AutoDev's other stores throw: PostgreSQL's NUL in text
/// (SQLSTATE 22021) and a value too large for an index (54000) become <see cref="ArgumentException"/>, so a bad value
/// fails the same way on every store and never as a raw provider exception.
/// </summary>
internal static class StoreErrors
{
    /// <summary>The typed error for <paramref name="exception"/>, or <see langword="null"/> when it is not a refused value.</summary>
    public static ArgumentException? Translate(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException { SqlState: { } state })
            {
                return state switch
                {
                    "22021" => new ArgumentException("A text value contains a NUL character, which PostgreSQL cannot store (SQLSTATE 22021); nothing was saved.", current),
                    "54000" => new ArgumentException("A value is too large for the database's index on it (SQLSTATE 54000); nothing was saved.", current),
                    "22001" => new ArgumentException("A value is longer than its column allows (SQLSTATE 22001); nothing was saved.", current),
                    _ => null,
                };
            }
        }

        return null;
    }
}

/// <summary>Applies <see cref="StoreErrors"/> to every <c>SaveChanges</c>.</summary>
internal sealed class StoreErrorInterceptor : SaveChangesInterceptor
{
    public override void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        if (StoreErrors.Translate(eventData.Exception) is { } typed)
        {
            throw typed;
        }
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveChangesFailed(eventData);
        return Task.CompletedTask;
    }
}
