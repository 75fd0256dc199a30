using System.Net;
using System.Security.Claims;
using AutoDev.Storage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.AspNetCore;

/// <summary>
/// The one access rule of AutoDev's HTTP surface (its API, its dashboard, its MCP endpoints). Until the host adds an
/// authorization policy to the endpoints (<c>.RequireAuthorization(...)</c>), only requests from this machine are
/// served (403 otherwise), and they reach every workspace, as with Hangfire's local-only dashboard. With a policy, a
/// signed-in user reaches only the workspaces <see cref="IWorkspaceAccess"/> allows; any other, like an unknown one,
/// is 404 with the same body.
/// </summary>
public static class WorkspaceAccessConventions
{
    /// <summary>The route value that names the workspace of a request: <c>{workspace}</c>.</summary>
    public const string WorkspaceRouteValue = "workspace";

    /// <summary>
    /// Applies the rule to every endpoint of <paramref name="builder"/>, checked after the host's authentication and
    /// authorization and before the endpoint runs. An endpoint whose route has a <c>{workspace}</c> value also has it checked.
    /// </summary>
    public static TBuilder RequireWorkspaceAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Finally(endpoint =>
        {
            var inner = endpoint.RequestDelegate ?? throw new InvalidOperationException($"The endpoint {endpoint.DisplayName} has no request delegate.");
            endpoint.RequestDelegate = context => GuardAsync(context, inner);
        });
        return builder;
    }

    /// <summary>The workspace a request names in its route, or <see langword="null"/>.</summary>
    public static string? WorkspaceOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetRouteValue(WorkspaceRouteValue) as string;
    }

    /// <summary>
    /// Who acts, for a review: the signed-in user's name (or name identifier), never anything the request carries;
    /// on an endpoint without authorization (local requests only), this machine's user, as <c>{user} (local)</c>.
    /// </summary>
    public static string ReviewerOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.User.Identities.Any(i => i.IsAuthenticated))
        {
            return context.User.Identity?.Name
                ?? context.User.FindFirstValue(ClaimTypes.NameIdentifier)
                ?? throw new InvalidOperationException("The signed-in user has neither a name nor a name identifier claim, so a review cannot say who made it.");
        }

        return $"{Environment.UserName} (local)";
    }

    /// <summary>The workspaces the request's user may reach: every known one when the endpoint needs no authorization.</summary>
    public static async Task<IReadOnlyList<string>> AccessibleWorkspacesAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var authorized = RequiresAuthorization(context);
        var access = context.RequestServices.GetRequiredService<IWorkspaceAccess>();
        var workspaces = new List<string>();
        await foreach (var id in context.RequestServices.GetRequiredService<IWorkspaceStore>().ListWorkspacesAsync(context.RequestAborted).ConfigureAwait(false))
        {
            if (!authorized || await access.CanAccessAsync(context.User, id, context.RequestAborted).ConfigureAwait(false))
            {
                workspaces.Add(id);
            }
        }

        return workspaces;
    }

    private static async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        var authorized = RequiresAuthorization(context);
        if (!authorized && !IsLocal(context.Connection))
        {
            await Results.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "AutoDev's endpoints serve remote clients only when the host requires authorization on them (for example MapAutoDev().RequireAuthorization(...)).")
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (WorkspaceOf(context) is { } tenantId && !await MayReachAsync(context, tenantId, authorized).ConfigureAwait(false))
        {
            // Another workspace's id looks exactly like an unknown one.
            await Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such AutoDev workspace is served here.")
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private static async Task<bool> MayReachAsync(HttpContext context, string tenantId, bool authorized)
    {
        if (authorized && !await context.RequestServices.GetRequiredService<IWorkspaceAccess>().CanAccessAsync(context.User, tenantId, context.RequestAborted).ConfigureAwait(false))
        {
            return false;
        }

        return await context.RequestServices.GetRequiredService<IWorkspaceStore>().ExistsAsync(tenantId, context.RequestAborted).ConfigureAwait(false);
    }

    private static bool RequiresAuthorization(HttpContext context) =>
        context.GetEndpoint()?.Metadata is { } metadata
        && metadata.GetMetadata<IAllowAnonymous>() is null
        && (metadata.GetMetadata<IAuthorizeData>() is not null || metadata.GetMetadata<AuthorizationPolicy>() is not null);

    /// <summary>A request from this machine: from a loopback address, or from the address it arrived at.</summary>
    private static bool IsLocal(ConnectionInfo connection) =>
        connection.RemoteIpAddress is { } remote && (IPAddress.IsLoopback(remote) || remote.Equals(connection.LocalIpAddress));
}
