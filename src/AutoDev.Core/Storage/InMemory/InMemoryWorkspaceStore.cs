using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace AutoDev.Storage;

/// <summary>Workspace settings in memory, falling back to <see cref="AutoDevOptions.Workspaces"/>. Lost when the process ends.</summary>
public sealed class InMemoryWorkspaceStore(IOptions<AutoDevOptions> options) : IWorkspaceStore
{
    private readonly ConcurrentDictionary<string, WorkspaceSettings> _settings = new(StringComparer.Ordinal);
    private readonly IDictionary<string, WorkspaceSettings> _configured = options.Value.Workspaces;

    /// <inheritdoc/>
    public ValueTask<WorkspaceSettings> GetSettingsAsync(string tenantId, CancellationToken cancellationToken) =>
        new(_settings.TryGetValue(tenantId, out var saved) ? saved
            : _configured.TryGetValue(tenantId, out var configured) ? configured
            : WorkspaceSettings.Default);

    /// <inheritdoc/>
    public IAsyncEnumerable<string> ListWorkspacesAsync(CancellationToken cancellationToken) =>
        InMemoryStoreHelpers.ToAsync(_settings.Keys.Union(_configured.Keys).Order(StringComparer.Ordinal).ToList(), cancellationToken);

    /// <inheritdoc/>
    public ValueTask SaveSettingsAsync(string tenantId, WorkspaceSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings[Internal.Guard.Id(tenantId)] = settings.EnsureValid();
        return ValueTask.CompletedTask;
    }
}
