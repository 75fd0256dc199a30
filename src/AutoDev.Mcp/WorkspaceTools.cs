using System.Collections.Concurrent;
using AutoDev.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace AutoDev.Mcp;

/// <summary>
/// One MCP tool collection per workspace, shared by every session of that workspace, loaded when a session first
/// needs it and reloaded when a skill of the workspace is promoted, registered or rolled back. The MCP server of each
/// session sends <c>notifications/tools/list_changed</c> when its collection changes, so one reload reaches every
/// client of the workspace, and a reload changes the collection once (its changes are deferred and raised together).
/// </summary>
internal sealed partial class WorkspaceTools : IDisposable
{
    private readonly ISkillRunner _runner;
    private readonly ISkillRegistry _registry;
    private readonly IWorkspaceStore _workspaces;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _disposed = new();
    private readonly AutoDevMcpOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Workspace> _loaded = new(StringComparer.Ordinal);
    private readonly IDisposable[] _subscriptions;

    public WorkspaceTools(ISkillRunner runner, ISkillRegistry registry, IWorkspaceStore workspaces, IEventBus events, TimeProvider time, IOptions<AutoDevMcpOptions> options, ILogger<WorkspaceTools> logger)
    {
        (_runner, _registry, _workspaces, _time, _options, _logger) = (runner, registry, workspaces, time, options.Value, logger);
        _subscriptions =
        [
            events.Subscribe<SkillPromoted>((e, ct) => ReloadAsync(e.TenantId, ct)),
            events.Subscribe<SkillRegistered>((e, ct) => ReloadAsync(e.TenantId, ct)),
            events.Subscribe<SkillRolledBack>((e, ct) => ReloadAsync(e.TenantId, ct)),
        ];
    }

    /// <summary>The workspace's tools, loaded on first use.</summary>
    /// <exception cref="EntityNotFoundException">No workspace of that id has settings saved or configured.</exception>
    public async Task<McpServerPrimitiveCollection<McpServerTool>> ForAsync(string tenantId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        if (_loaded.TryGetValue(tenantId, out var loaded))
        {
            return loaded.Tools;
        }

        if (!await ExistsAsync(tenantId, cancellationToken).ConfigureAwait(false))
        {
            throw new EntityNotFoundException("Workspace", tenantId, tenantId);
        }

        var workspace = _loaded.GetOrAdd(tenantId, static _ => new Workspace());
        await workspace.Loaded.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!workspace.IsLoaded)
            {
                await FillAsync(tenantId, workspace, cancellationToken).ConfigureAwait(false);
                workspace.IsLoaded = true;
                if (_options.RefreshInterval > TimeSpan.Zero)
                {
                    _ = CompareWithStoreAsync(tenantId, _disposed.Token);
                }
            }
        }
        finally
        {
            workspace.Loaded.Release();
        }

        return workspace.Tools;
    }

    /// <summary>Whether the workspace has settings saved or configured.</summary>
    private async Task<bool> ExistsAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (_loaded.ContainsKey(tenantId))
        {
            return true;
        }

        return await _workspaces.ExistsAsync(tenantId, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
    }

    /// <summary>Reloads the workspace's tools whenever its skills' active versions in the store differ from those served, until disposed.</summary>
    private async Task CompareWithStoreAsync(string tenantId, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.RefreshInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    var stored = await FingerprintAsync(tenantId, cancellationToken).ConfigureAwait(false);
                    if (_loaded.TryGetValue(tenantId, out var workspace) && stored != workspace.Fingerprint)
                    {
                        await ReloadAsync(tenantId, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    ToolsNotReloaded(_logger, ex, tenantId); // a store outage: try again at the next tick
                }
            }
        }
        catch (OperationCanceledException)
        {
            // disposed
        }
    }

    /// <summary>The workspace's skills and their active versions, as one comparable string.</summary>
    private async Task<string> FingerprintAsync(string tenantId, CancellationToken cancellationToken)
    {
        var skills = new List<string>();
        await foreach (var skill in _registry.ListAsync(tenantId, cancellationToken).ConfigureAwait(false))
        {
            skills.Add($"{skill.Name}={skill.ActiveVersionId}");
        }

        skills.Sort(StringComparer.Ordinal);
        return string.Join('\n', skills);
    }

    /// <summary>Reloads a loaded workspace's tools; never throws into the event bus (a failure is logged, the old tools stay).</summary>
    private async ValueTask ReloadAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (!_loaded.TryGetValue(tenantId, out var workspace))
        {
            return; // no session has asked for it yet; the first one loads what is current
        }

        await workspace.Loaded.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FillAsync(tenantId, workspace, cancellationToken).ConfigureAwait(false);
            workspace.IsLoaded = true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ToolsNotReloaded(_logger, ex, tenantId);
        }
        finally
        {
            workspace.Loaded.Release();
        }
    }

    /// <summary>Replaces the collection's tools with the workspace's current skills, raising one change.</summary>
    private async Task FillAsync(string tenantId, Workspace workspace, CancellationToken cancellationToken)
    {
        var fingerprint = await FingerprintAsync(tenantId, cancellationToken).ConfigureAwait(false);
        var functions = await _runner.GetToolsAsync(tenantId, agentId: null, cancellationToken).ConfigureAwait(false);
        var current = functions.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        using (workspace.Tools.DeferChangedEvents())
        {
            foreach (var gone in workspace.Tools.Where(t => !current.Contains(t.ProtocolTool.Name)).ToList())
            {
                workspace.Tools.Remove(gone);
            }

            foreach (var function in functions)
            {
                // Replaced one by one, so a list taken meanwhile misses at most the tool being replaced.
                if (workspace.Tools.TryGetPrimitive(function.Name, out var old))
                {
                    workspace.Tools.Remove(old);
                }

                workspace.Tools.Add(new SkillTool(tenantId, function, _runner, _options));
            }
        }

        workspace.Fingerprint = fingerprint;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "The MCP tools of workspace {TenantId} were not reloaded; clients keep the previous list")]
    private static partial void ToolsNotReloaded(ILogger logger, Exception exception, string tenantId);

    private sealed class Workspace
    {
        public McpServerPrimitiveCollection<McpServerTool> Tools { get; } = new(StringComparer.Ordinal);

        public SemaphoreSlim Loaded { get; } = new(1, 1);

        public bool IsLoaded { get; set; }

        /// <summary>The skills and active versions the tools were made from (<see cref="FingerprintAsync"/>).</summary>
        public string? Fingerprint { get; set; }
    }
}
