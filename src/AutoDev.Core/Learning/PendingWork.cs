using System.Runtime.CompilerServices;

namespace AutoDev;

/// <summary>What the learning loops pick up at start: work each workspace left waiting when the host stopped.</summary>
internal static class PendingWork
{
    /// <summary>
    /// The waiting items of every workspace that has some, each workspace's list read whole before it is handed out
    /// (handling an item changes what the listing returns).
    /// </summary>
    public static async IAsyncEnumerable<(string TenantId, List<T> Items)> ByWorkspaceAsync<T>(
        IWorkspaceStore workspaces,
        Func<string, CancellationToken, IAsyncEnumerable<T>> list,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var tenant in workspaces.ListWorkspacesAsync(cancellationToken).ConfigureAwait(false))
        {
            var items = new List<T>();
            await foreach (var item in list(tenant, cancellationToken).ConfigureAwait(false))
            {
                items.Add(item);
            }

            if (items.Count > 0)
            {
                yield return (tenant, items);
            }
        }
    }
}
