using System.Security.Claims;
using System.Text.Encodings.Web;
using AutoDev.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoDev.Tests.Web;

/// <summary>What the HTTP tests' hosts share: Kestrel on a loopback port, AutoDev with its workspaces, a header that signs a user in.</summary>
internal static class LoopbackWebApp
{
    /// <summary>A builder on <c>127.0.0.1:0</c>, without logging, with AutoDev (inline events) and <paramref name="workspaces"/> enabled.</summary>
    public static (WebApplicationBuilder Builder, IAutoDevBuilder AutoDev) Create(params string[] workspaces)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var autodev = builder.Services.AddAutoDev(o =>
        {
            o.EventDispatchMode = EventDispatchMode.Inline;
            foreach (var workspace in workspaces)
            {
                o.Workspaces[workspace] = new WorkspaceSettings { Enabled = true };
            }
        });
        return (builder, autodev);
    }

    /// <summary>Adds <see cref="HeaderAuthentication"/> as the default scheme, and authorization.</summary>
    public static void WithHeaderAuthentication(WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(HeaderAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.SchemeName, null);
        builder.Services.AddAuthorization();
    }
}

/// <summary>
/// Signs in the user an <c>X-Test-User: name;workspace,workspace</c> header (or a bearer token of the same form, as
/// the autodev tool's <c>--token</c> sends) names, with one <c>autodev:workspace</c> claim each.
/// </summary>
internal sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "test";
    public const string Header = "X-Test-User";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var value = Request.Headers.TryGetValue(Header, out var given) ? given.ToString()
            : Request.Headers.Authorization.ToString() is ['B', 'e', 'a', 'r', 'e', 'r', ' ', .. var token] ? token : string.Empty;
        if (value.Split(';') is not [var name, var workspaces])
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, name), new(ClaimTypes.Name, name) };
        claims.AddRange(workspaces.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(w => new Claim(AutoDevClaimTypes.Workspace, w)));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName)));
    }
}
