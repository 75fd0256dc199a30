using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AutoDev.AspNetCore;

/// <summary>Maps AutoDev's HTTP surface into an ASP.NET Core application.</summary>
public static class AutoDevEndpoints
{
    /// <summary>
    /// Maps AutoDev's dashboard at <c>{prefix}/</c> (by default <c>/autodev/</c>), its JSON API at <c>{prefix}/api</c>
    /// and the API's OpenAPI description at <c>{prefix}/openapi/autodev.json</c>. Needs <c>AddAutoDev().AddHttpApi()</c>.
    /// </summary>
    /// <remarks>
    /// Access follows <see cref="WorkspaceAccessConventions"/>: requests from this machine only, until the host adds an
    /// authorization policy to the returned builder (<c>.RequireAuthorization("reviewers")</c>); then each user reaches
    /// only their workspaces. A review is made in the signed-in user's name, never in one the request names. Every
    /// state-changing request needs the antiforgery token of <c>GET {prefix}/api/antiforgery</c> in its header.
    /// </remarks>
    public static RouteGroupBuilder MapAutoDev(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string prefix = "/autodev")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var root = endpoints.MapGroup(prefix.TrimEnd('/')).RequireWorkspaceAccess();
        root.MapOpenApi("/openapi/{documentName}.json");
        var api = root.MapGroup("/api").WithGroupName(AutoDevApi.DocumentName).WithTags("AutoDev").AddEndpointFilter(ProblemsAsync);
        AutoDevApi.Map(api);
        Dashboard.Map(root);
        return root;
    }

    /// <summary>AutoDev's typed errors as problem details: unknown ids 404, invalid transitions and conflicts 409, bad input 400.</summary>
    private static async ValueTask<object?> ProblemsAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        try
        {
            return await next(invocation).ConfigureAwait(false);
        }
        catch (EntityNotFoundException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: ex.Message);
        }
        catch (Exception ex) when (ex is InvalidStateTransitionException or ConcurrencyConflictException or DuplicateEntityException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: ex.Message);
        }
        catch (Exception ex) when (ex is ArgumentException or AutoDevException or InvalidDataException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: ex.Message);
        }
    }
}
