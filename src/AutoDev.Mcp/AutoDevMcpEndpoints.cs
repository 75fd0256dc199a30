using System.Diagnostics.CodeAnalysis;
using AutoDev.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Mcp;

/// <summary>Maps AutoDev's MCP server into an ASP.NET Core application.</summary>
public static class AutoDevMcpEndpoints
{
    /// <summary>
    /// Maps MCP's streamable HTTP transport at <c>{pattern}/{workspace}</c> (by default <c>/autodev/mcp/acme</c>), each
    /// serving that workspace's skills as tools. Needs <c>AddAutoDev().AddMcpServer()</c>.
    /// </summary>
    /// <remarks>
    /// Access follows the rule of AutoDev's whole HTTP surface (<see cref="WorkspaceAccessConventions"/>): local
    /// requests only until the host adds <c>.RequireAuthorization(...)</c> to the returned builder, then the signed-in
    /// user's workspaces only (<see cref="IWorkspaceAccess"/>). An MCP session stays bound to the user who opened it.
    /// </remarks>
    public static IEndpointConventionBuilder MapAutoDevMcp(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern = "/autodev/mcp")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        return endpoints.MapMcp($"{pattern.TrimEnd('/')}/{{{WorkspaceAccessConventions.WorkspaceRouteValue}}}")
            .WithMetadata(new AutoDevMcpEndpointMetadata())
            .RequireWorkspaceAccess();
    }

    /// <summary>The workspace of a request to an endpoint <see cref="MapAutoDevMcp"/> mapped; <see langword="null"/> for any other endpoint.</summary>
    internal static string? WorkspaceOf(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<AutoDevMcpEndpointMetadata>() is not null ? WorkspaceAccessConventions.WorkspaceOf(context) : null;

    internal static AutoDevMcpServer Server(HttpContext context) =>
        context.RequestServices.GetService<AutoDevMcpServer>()
        ?? throw new InvalidOperationException("AutoDev's MCP server is not registered: call services.AddAutoDev().AddMcpServer().");

    /// <summary>Marks the endpoints <see cref="MapAutoDevMcp"/> maps.</summary>
    private sealed class AutoDevMcpEndpointMetadata;
}
