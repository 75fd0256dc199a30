using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using static AutoDev.Tests.AspNetCore.ApiHost;

namespace AutoDev.Tests.AspNetCore;

/// <summary>The review flow over the JSON API, on a real Kestrel server: the queue, a candidate, approve, the skill, its lineage, rollback.</summary>
public sealed class ReviewApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AReviewer_ApprovesACandidate_SeesSkill100_ThenItsLineage_AndRollsBack()
    {
        await using var host = await StartAsync();
        using var client = host.Client();
        var first = await host.CandidateAsync(Acme);

        Assert.Contains(Acme, (await client.GetJsonAsync("api/workspaces")).EnumerateArray().Select(e => e.GetString()));
        var queued = Assert.Single((await client.GetJsonAsync($"api/workspaces/{Acme}/review")).GetProperty("candidates").EnumerateArray());
        Assert.Equal(first.Id, queued.GetProperty("id").GetGuid());
        Assert.Equal("count_words", queued.GetProperty("name").GetString());
        var detail = await client.GetJsonAsync($"api/workspaces/{Acme}/candidates/{first.Id}");
        Assert.Contains("return len(text.split())", detail.GetProperty("candidate").GetProperty("code").GetString(), StringComparison.Ordinal);
        Assert.Equal("Validated", detail.GetProperty("candidate").GetProperty("status").GetString());

        // The reviewer is the signed-in user (here, this machine's, as no policy is set), never a name in the body.
        using var approved = await client.PostAsync($"api/workspaces/{Acme}/candidates/{first.Id}/approve", new { reason = "counts right", reviewer = "mallory" });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("1.0.0", JsonDocument.Parse(await approved.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("version").GetString());
        var reviewed = await host.Get<ISkillCandidateStore>().FindAsync(Acme, first.Id, Ct);
        Assert.Equal($"{Environment.UserName} (local)", reviewed!.ReviewedBy);
        Assert.Equal("counts right", reviewed.ReviewReason);

        var skill = Assert.Single((await client.GetJsonAsync($"api/workspaces/{Acme}/skills")).EnumerateArray());
        Assert.Equal("1.0.0", skill.GetProperty("activeVersion").GetString());
        Assert.Empty((await client.GetJsonAsync($"api/workspaces/{Acme}/review")).GetProperty("candidates").EnumerateArray());

        var second = await host.CandidateAsync(Acme, "1.1.0");
        (await client.PostAsync($"api/workspaces/{Acme}/candidates/{second.Id}/approve", null)).EnsureSuccessStatusCode();
        var lineage = await client.GetJsonAsync($"api/workspaces/{Acme}/skills/count_words/lineage");
        Assert.Equal("1.1.0", lineage.GetProperty("self").GetProperty("version").GetString());
        Assert.Equal(["1.0.0"], lineage.GetProperty("ancestors").EnumerateArray().Select(v => v.GetProperty("version").GetString()));

        using var rolledBack = await client.PostAsync($"api/workspaces/{Acme}/skills/count_words/rollback", new { version = "1.0.0" });
        Assert.Equal(HttpStatusCode.OK, rolledBack.StatusCode);
        Assert.Equal("1.0.0", Assert.Single((await client.GetJsonAsync($"api/workspaces/{Acme}/skills")).EnumerateArray()).GetProperty("activeVersion").GetString());
    }

    [Fact]
    public async Task BadRequests_GetTypedProblems_AndChangeNothing()
    {
        await using var host = await StartAsync();
        using var client = host.Client();
        var candidate = await host.CandidateAsync(Acme);

        using var noReason = await client.PostAsync($"api/workspaces/{Acme}/candidates/{candidate.Id}/reject", new { reason = " " });
        using var unknown = await client.PostAsync($"api/workspaces/{Acme}/candidates/{Guid.NewGuid()}/approve", null);
        using var badVersion = await client.PostAsync($"api/workspaces/{Acme}/skills/count_words/rollback", new { version = "one" });
        using var rejected = await client.PostAsync($"api/workspaces/{Acme}/candidates/{candidate.Id}/reject", new { reason = "not needed" });
        using var approveRejected = await client.PostAsync($"api/workspaces/{Acme}/candidates/{candidate.Id}/approve", null);

        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Contains("needs a reason", await noReason.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badVersion.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, approveRejected.StatusCode);
        Assert.Equal("application/problem+json", approveRejected.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await host.Get<ISkillRegistry>().ListAsync(Acme, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task AStateChangingRequest_WithoutTheAntiforgeryToken_IsRefused_AndApprovesNothing()
    {
        await using var host = await StartAsync();
        using var client = host.Client();
        var candidate = await host.CandidateAsync(Acme);

        using var forged = await client.PostAsync($"api/workspaces/{Acme}/candidates/{candidate.Id}/approve", new { reason = "from another site" }, withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("antiforgery", await forged.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(SkillCandidateStatus.Validated, (await host.Get<ISkillCandidateStore>().FindAsync(Acme, candidate.Id, Ct))!.Status);
    }

    [Fact]
    public async Task ThePromotion_ReachesTheLiveFeed_AsAServerSentEvent()
    {
        await using var host = await StartAsync();
        using var client = host.Client();
        var candidate = await host.CandidateAsync(Acme);
        using var feed = await client.Http.GetAsync($"api/workspaces/{Acme}/events", HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal("text/event-stream", feed.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await feed.Content.ReadAsStreamAsync(Ct));

        (await client.PostAsync($"api/workspaces/{Acme}/candidates/{candidate.Id}/approve", null)).EnsureSuccessStatusCode();
        string? eventType = null, data = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (data is null && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventType = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventType == nameof(SkillPromoted))
            {
                data = line["data: ".Length..];
            }
        }

        var promoted = JsonDocument.Parse(data!).RootElement;
        Assert.Equal(Acme, promoted.GetProperty("tenantId").GetString());
        Assert.Equal("count_words", promoted.GetProperty("skill").GetProperty("name").GetString());
        Assert.Equal("1.0.0", promoted.GetProperty("version").GetProperty("version").GetString());
    }

    [Fact]
    public async Task TheOpenApiDescription_ListsTheApi_AndOnlyIt()
    {
        await using var host = await StartAsync(map: (app, _) => app.MapGet("/hosts-own", () => "not AutoDev's"));
        using var client = host.Client();

        var document = await client.GetJsonAsync("openapi/autodev.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/autodev/api/workspaces/{workspace}/review", paths);
        Assert.Contains("/autodev/api/workspaces/{workspace}/candidates/{id}/approve", paths);
        Assert.Contains("/autodev/api/workspaces/{workspace}/skills/{name}/lineage", paths);
        Assert.DoesNotContain("/hosts-own", paths);
        Assert.Equal("AutoDev", document.GetProperty("info").GetProperty("title").GetString());
    }
}
