using System.Security.Claims;

namespace AutoDev.AspNetCore;

/// <summary>
/// Decides which workspaces a signed-in user may reach over AutoDev's HTTP endpoints (the API, the dashboard, MCP).
/// Replace it (register your own <see cref="IWorkspaceAccess"/> singleton) where workspace membership lives
/// elsewhere, for example in a database.
/// </summary>
public interface IWorkspaceAccess
{
    /// <summary>Whether <paramref name="user"/> may reach workspace <paramref name="tenantId"/>. A refusal looks to the client exactly like an unknown workspace.</summary>
    ValueTask<bool> CanAccessAsync(ClaimsPrincipal user, string tenantId, CancellationToken cancellationToken);
}

/// <summary>The claim types AutoDev reads.</summary>
public static class AutoDevClaimTypes
{
    /// <summary>A workspace the user may reach, one claim per workspace: <c>autodev:workspace</c>.</summary>
    public const string Workspace = "autodev:workspace";
}

/// <summary>The default <see cref="IWorkspaceAccess"/>: an authenticated user reaches the workspaces named by their <see cref="AutoDevClaimTypes.Workspace"/> claims.</summary>
public sealed class ClaimsWorkspaceAccess : IWorkspaceAccess
{
    /// <inheritdoc/>
    public ValueTask<bool> CanAccessAsync(ClaimsPrincipal user, string tenantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return ValueTask.FromResult(
            user.Identities.Any(i => i.IsAuthenticated)
            && user.HasClaim(c => c.Type == AutoDevClaimTypes.Workspace && string.Equals(c.Value, tenantId, StringComparison.Ordinal)));
    }
}
