using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AutoDev.Mcp;

/// <summary>
/// Serves a workspace's active skills as MCP tools over a transport of the caller's choice: stdio for a client that
/// starts AutoDev as a process (<see cref="RunStdioAsync"/>, what <c>autodev mcp --workspace acme</c> does), or any
/// <see cref="ITransport"/>. For streamable HTTP in ASP.NET Core, map <c>app.MapAutoDevMcp()</c> instead. Registered by
/// <see cref="AutoDevMcpBuilderExtensions.AddMcpServer"/>.
/// </summary>
public sealed class AutoDevMcpServer
{
    private static readonly string Version =
        typeof(AutoDevMcpServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private readonly WorkspaceTools _tools;
    private readonly AutoDevMcpOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly IServiceProvider _services;

    internal AutoDevMcpServer(WorkspaceTools tools, IOptions<AutoDevMcpOptions> options, ILoggerFactory loggerFactory, IServiceProvider services) =>
        (_tools, _options, _loggerFactory, _services) = (tools, options.Value, loggerFactory, services);

    /// <summary>Serves <paramref name="tenantId"/>'s skills over this process's standard input and output until the client disconnects or <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <exception cref="EntityNotFoundException">No workspace of that id has settings saved or configured.</exception>
    public Task RunStdioAsync(string tenantId, CancellationToken cancellationToken = default) =>
        RunAsync(tenantId, new StdioServerTransport(_options.ServerName, _loggerFactory), cancellationToken);

    /// <summary>Serves <paramref name="tenantId"/>'s skills over <paramref name="transport"/> until it closes or <paramref name="cancellationToken"/> is cancelled; disposes the transport.</summary>
    /// <exception cref="EntityNotFoundException">No workspace of that id has settings saved or configured.</exception>
    public async Task RunAsync(string tenantId, ITransport transport, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        await using (transport.ConfigureAwait(false))
        {
            var options = new McpServerOptions();
            await ConfigureAsync(tenantId, options, cancellationToken).ConfigureAwait(false);
            await using var server = McpServer.Create(transport, options, _loggerFactory, _services);
            await server.RunAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gives <paramref name="options"/> the workspace's tools, with <c>listChanged</c> advertised, and AutoDev's server name and version.</summary>
    /// <exception cref="EntityNotFoundException">No workspace of that id has settings saved or configured.</exception>
    internal async Task ConfigureAsync(string tenantId, McpServerOptions options, CancellationToken cancellationToken)
    {
        options.ServerInfo = new Implementation { Name = _options.ServerName, Version = Version };
        options.ServerInstructions = $"The learned skills of AutoDev workspace '{tenantId}'. Each tool runs in AutoDev's sandbox; the list changes when a skill is promoted or rolled back.";
        options.ToolCollection = await _tools.ForAsync(tenantId, cancellationToken).ConfigureAwait(false);
        options.Capabilities ??= new ServerCapabilities();
        options.Capabilities.Tools = new ToolsCapability { ListChanged = true };
    }

    /// <summary>Creates the server from the container (its constructor is internal, so the container cannot).</summary>
    internal static AutoDevMcpServer Create(IServiceProvider services) => new(
        services.GetRequiredService<WorkspaceTools>(),
        services.GetRequiredService<IOptions<AutoDevMcpOptions>>(),
        services.GetRequiredService<ILoggerFactory>(),
        services);
}
