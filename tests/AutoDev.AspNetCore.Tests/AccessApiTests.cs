using System.Net;
using AutoDev.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using static AutoDev.Tests.AspNetCore.ApiHost;

using AutoDev.Tests.Web;

namespace AutoDev.Tests.AspNetCore;

/// <summary>Who reaches what over <c>MapAutoDev()</c>: local only by default; with a policy, each user their workspaces, in their own name.</summary>
public sealed class AccessApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WithAPolicy_AReviewerSeesNothingOfAnotherWorkspace_AndReviewsInTheirOwnName()
    {
        await using var host = await StartAsync(LoopbackWebApp.WithHeaderAuthentication, (_, autodev) => autodev.RequireAuthorization());
        var acmeCandidate = await host.CandidateAsync(Acme);
        var globexCandidate = await host.CandidateAsync(Globex);
        using var alice = host.Client((HeaderAuthentication.Header, $"alice;{Acme}"));
        using var anonymous = host.Client();

        Assert.Equal([Acme], (await alice.GetJsonAsync("api/workspaces")).EnumerateArray().Select(e => e.GetString()));
        using var otherQueue = await alice.Http.GetAsync($"api/workspaces/{Globex}/review", Ct);
        using var otherCandidate = await alice.Http.GetAsync($"api/workspaces/{Globex}/candidates/{globexCandidate.Id}", Ct);
        using var unknownWorkspace = await alice.Http.GetAsync($"api/workspaces/nowhere/review", Ct);
        using var otherApproval = await alice.PostAsync($"api/workspaces/{Globex}/candidates/{globexCandidate.Id}/approve", null);
        using var noUser = await anonymous.Http.GetAsync($"api/workspaces/{Acme}/review", Ct);
        using var approved = await alice.PostAsync($"api/workspaces/{Acme}/candidates/{acmeCandidate.Id}/approve", new { reviewer = "mallory" });

        Assert.Equal(HttpStatusCode.NotFound, otherQueue.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherCandidate.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherApproval.StatusCode);
        Assert.Equal(await unknownWorkspace.Content.ReadAsStringAsync(Ct), await otherQueue.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, noUser.StatusCode);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("alice", (await host.Get<ISkillCandidateStore>().FindAsync(Acme, acmeCandidate.Id, Ct))!.ReviewedBy);
        Assert.Equal(SkillCandidateStatus.Validated, (await host.Get<ISkillCandidateStore>().FindAsync(Globex, globexCandidate.Id, Ct))!.Status);
    }

    [Fact]
    public async Task WithoutAPolicy_ARemoteRequestIsRefused()
    {
        await using var host = await StartAsync(map: (app, _) => app.Use((context, next) =>
        {
            context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7"); // as if from another machine
            return next(context);
        }));
        using var client = host.Client();

        using var response = await client.Http.GetAsync("api/workspaces", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("RequireAuthorization", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
