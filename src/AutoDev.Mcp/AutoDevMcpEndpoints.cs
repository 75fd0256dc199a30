using System.Diagnostics.CodeAnalysis;
using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Mcp;

/// <summary>Maps AutoDev's MCP server into an ASP.NET Core application.</summary>
public static class AutoDevMcpEndpoints
{
    private const string WorkspaceRouteValue = "workspace";

    /// <summary>
    /// Maps MCP's streamable HTTP transport at <c>{pattern}/{workspace}</c> (by default <c>/autodev/mcp/acme</c>), each
    /// serving that workspace's skills as tools. Needs <c>AddAutoDev().AddMcpServer()</c>.
    /// </summary>
    /// <remarks>
    /// Access follows the rule of AutoDev's HTTP surface. Until the host adds an authorization policy to the returned
    /// builder (<c>.RequireAuthorization(...)</c>), only requests from this machine are served (403 otherwise), and they
    /// reach every workspace, as with a local dashboard. With a policy, a signed-in user reaches only the workspaces
    /// <see cref="IWorkspaceAccess"/> allows; any other, like an unknown one, is 404. An MCP session stays bound to the
    /// user who opened it.
    /// </remarks>
    public static IEndpointConventionBuilder MapAutoDevMcp(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern = "/autodev/mcp")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        var builder = endpoints.MapMcp($"{pattern.TrimEnd('/')}/{{{WorkspaceRouteValue}}}");
        builder.WithMetadata(new AutoDevMcpEndpointMetadata());
        builder.Finally(endpoint =>
        {
            var inner = endpoint.RequestDelegate ?? throw new InvalidOperationException($"The MCP endpoint {endpoint.DisplayName} has no request delegate.");
            endpoint.RequestDelegate = context => GuardAsync(context, inner);
        });
        return builder;
    }

    /// <summary>The workspace of a request to an endpoint <see cref="MapAutoDevMcp"/> mapped; <see langword="null"/> for any other endpoint.</summary>
    internal static string? WorkspaceOf(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<AutoDevMcpEndpointMetadata>() is not null ? context.GetRouteValue(WorkspaceRouteValue) as string : null;

    internal static AutoDevMcpServer Server(HttpContext context) =>
        context.RequestServices.GetService<AutoDevMcpServer>()
        ?? throw new InvalidOperationException("AutoDev's MCP server is not registered: call services.AddAutoDev().AddMcpServer().");

    private static async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        var tenantId = WorkspaceOf(context) ?? string.Empty;
        var metadata = context.GetEndpoint()!.Metadata;
        var authorized = metadata.GetMetadata<IAllowAnonymous>() is null
            && (metadata.GetMetadata<IAuthorizeData>() is not null || metadata.GetMetadata<AuthorizationPolicy>() is not null);
        if (!authorized && !IsLocal(context.Connection))
        {
            await Results.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "AutoDev's MCP endpoint serves remote clients only when the host requires authorization on it (MapAutoDevMcp().RequireAuthorization(...)).")
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var allowed = !authorized
            || await context.RequestServices.GetRequiredService<IWorkspaceAccess>().CanAccessAsync(context.User, tenantId, context.RequestAborted).ConfigureAwait(false);
        if (!allowed || !await Server(context).WorkspaceExistsAsync(tenantId, context.RequestAborted).ConfigureAwait(false))
        {
            // Another workspace's id looks exactly like an unknown one.
            await Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such AutoDev workspace is served here.")
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>A request from this machine: from a loopback address, or from the address it arrived at.</summary>
    private static bool IsLocal(ConnectionInfo connection) =>
        connection.RemoteIpAddress is { } remote && (IPAddress.IsLoopback(remote) || remote.Equals(connection.LocalIpAddress));

    /// <summary>Marks the endpoints <see cref="MapAutoDevMcp"/> maps.</summary>
    private sealed class AutoDevMcpEndpointMetadata;
}
