using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelContextProtocol.AspNetCore;

namespace AutoDev.Mcp;

/// <summary>Registers AutoDev's MCP server.</summary>
public static class AutoDevMcpBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="AutoDevMcpServer"/> (stdio or any transport) and the streamable HTTP transport that
    /// <c>app.MapAutoDevMcp()</c> maps. HTTP sessions are stateful, so a client receives
    /// <c>notifications/tools/list_changed</c> on its open stream when a skill of its workspace is promoted or rolled back.
    /// </summary>
    public static IAutoDevBuilder AddMcpServer(this IAutoDevBuilder builder, Action<AutoDevMcpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<AutoDevMcpOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton<WorkspaceTools>();
        services.TryAddSingleton(AutoDevMcpServer.Create);
        services.TryAddSingleton<AutoDev.AspNetCore.IWorkspaceAccess, AutoDev.AspNetCore.ClaimsWorkspaceAccess>();
        services.AddMcpServer().WithHttpTransport(http =>
        {
            http.SessionMode = HttpServerSessionMode.Stateful;
            var configured = http.ConfigureSessionOptions;
            http.ConfigureSessionOptions = async (context, serverOptions, cancellationToken) =>
            {
                if (AutoDevMcpEndpoints.WorkspaceOf(context) is { } tenantId)
                {
                    await AutoDevMcpEndpoints.Server(context).ConfigureAsync(tenantId, serverOptions, cancellationToken).ConfigureAwait(false);
                }
                else if (configured is not null)
                {
                    await configured(context, serverOptions, cancellationToken).ConfigureAwait(false); // the host's own MCP endpoints
                }
            };
        });
        return builder;
    }
}
