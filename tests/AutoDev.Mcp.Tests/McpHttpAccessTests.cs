using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using AutoDev.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static AutoDev.Tests.Mcp.McpServerHost;

using AutoDev.Tests.Web;

namespace AutoDev.Tests.Mcp;

/// <summary>Who reaches which workspace over <c>MapAutoDevMcp()</c>: local only by default, the user's workspaces with a policy.</summary>
public sealed class McpHttpAccessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WithoutAPolicy_ARemoteClientIsRefused_AndALocalOneIsServed()
    {
        var remote = false;
        await using var host = await StartAsync(map: (app, _) => app.Use((context, next) =>
        {
            if (remote)
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7"); // as if from another machine
            }

            return next(context);
        }));

        await using (await host.ConnectAsync(Acme))
        {
            // local: served
        }

        remote = true;
        using var http = new HttpClient();
        using var response = await http.PostAsync(host.Endpoint(Acme), Initialize(), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("RequireAuthorization", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithAPolicy_AUserReachesOnlyTheirWorkspaces_AnotherWorkspaceLooksUnknown_AndAnonymousIsChallenged()
    {
        await using var host = await StartAsync(LoopbackWebApp.WithHeaderAuthentication, (_, endpoints) => endpoints.RequireAuthorization());
        await host.Get<ISkillRegistry>().RegisterAsync(Acme, "extract_invoice_id", ExtractCode, "extract_invoice_id", ExtractTests, cancellationToken: Ct);
        using var alice = User("alice", Acme);

        await using (var client = await host.ConnectAsync(Acme, http: alice))
        {
            Assert.Single(await client.ListToolsAsync(cancellationToken: Ct));
        }

        using var otherWorkspace = await alice.PostAsync(host.Endpoint(Globex), Initialize(), Ct);
        using var unknownWorkspace = await alice.PostAsync(host.Endpoint("nowhere"), Initialize(), Ct);
        using var anonymous = new HttpClient();
        using var noUser = await anonymous.PostAsync(host.Endpoint(Acme), Initialize(), Ct);

        Assert.Equal(HttpStatusCode.NotFound, otherWorkspace.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownWorkspace.StatusCode);
        Assert.Equal(await unknownWorkspace.Content.ReadAsStringAsync(Ct), await otherWorkspace.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, noUser.StatusCode);
    }

    [Fact]
    public async Task TheHostsOwnWorkspaceAccess_ReplacesTheClaimsRule()
    {
        await using var host = await StartAsync(
            builder =>
            {
                LoopbackWebApp.WithHeaderAuthentication(builder);
                builder.Services.AddSingleton<IWorkspaceAccess>(new OnlyWorkspace(Globex));
            },
            (_, endpoints) => endpoints.RequireAuthorization());
        using var alice = User("alice", Acme); // her claim names acme, but the host's rule says globex

        using var acme = await alice.PostAsync(host.Endpoint(Acme), Initialize(), Ct);
        await using var globex = await host.ConnectAsync(Globex, http: alice);

        Assert.Equal(HttpStatusCode.NotFound, acme.StatusCode);
        Assert.Empty(await globex.ListToolsAsync(cancellationToken: Ct));
    }

    private static StringContent Initialize()
    {
        var content = new StringContent(
            """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}""");
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static HttpClient User(string name, params string[] workspaces)
    {
        var http = new HttpClient();
        http.DefaultRequestHeaders.Add(HeaderAuthentication.Header, $"{name};{string.Join(',', workspaces)}");
        http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        http.DefaultRequestHeaders.Accept.ParseAdd("text/event-stream");
        return http;
    }

    private sealed class OnlyWorkspace(string tenantId) : IWorkspaceAccess
    {
        public ValueTask<bool> CanAccessAsync(ClaimsPrincipal user, string requested, CancellationToken cancellationToken) =>
            ValueTask.FromResult(requested == tenantId);
    }
}
