using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AutoDev.AspNetCore;
using AutoDev.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using AutoDev.Tests.Web;

namespace AutoDev.Tests.AspNetCore;

/// <summary>
/// An ASP.NET Core host on a loopback port of Kestrel with <c>MapAutoDev()</c>, in-memory stores, the real sandbox
/// (the strongest local tier) and three workspaces: acme, globex and lab (where skills are made to be imported).
/// </summary>
internal sealed class ApiHost : IAsyncDisposable
{
    public const string Acme = "acme";
    public const string Globex = "globex";
    public const string Lab = "lab";

    private readonly WebApplication _app;

    private ApiHost(WebApplication app, Uri address) => (_app, Address) = (app, address);

    public Uri Address { get; }

    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    public static async Task<ApiHost> StartAsync(Action<WebApplicationBuilder>? configure = null, Action<WebApplication, RouteGroupBuilder>? map = null)
    {
        var (builder, services) = LoopbackWebApp.Create(Acme, Globex, Lab);
        services.AddHttpApi();
        configure?.Invoke(builder);
        var app = builder.Build();
        var autodev = app.MapAutoDev();
        map?.Invoke(app, autodev);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var host = new ApiHost(app, new Uri(app.Urls.First().TrimEnd('/') + "/autodev/"));
        ServiceRequirement.Require(await app.Services.GetServices<ISandboxTier>().OfType<BubblewrapSandbox>().Single().CheckAvailabilityAsync(TestContext.Current.CancellationToken));
        return host;
    }

    /// <summary>A client that keeps cookies, as a browser does; <paramref name="header"/> is added to every request.</summary>
    public ApiClient Client((string Name, string Value)? header = null)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = Address };
        if (header is { } h)
        {
            http.DefaultRequestHeaders.Add(h.Name, h.Value);
        }

        return new ApiClient(http);
    }

    /// <summary>
    /// A validated candidate in <paramref name="workspace"/>: the skill <c>count_words</c> written in the lab workspace,
    /// exported as an Agent Skills folder at <paramref name="version"/> and imported, so it waits for review.
    /// </summary>
    public async Task<SkillCandidate> CandidateAsync(string workspace, string version = "1.0.0")
    {
        var ct = TestContext.Current.CancellationToken;
        var registry = Get<ISkillRegistry>();
        if (await registry.FindAsync(Lab, "count_words", ct) is null)
        {
            await registry.RegisterAsync(Lab, "count_words", "def count_words(text: str) -> int:\n    \"Counts the words.\"\n    return len(text.split())\n", "count_words", """[{"inputs": {"text": "a b c"}, "expected": 3}]""", "Counts words", ct);
        }

        var folder = Directory.CreateTempSubdirectory("autodev-api-");
        try
        {
            var exported = await registry.ExportAgentSkillAsync(Lab, "count_words", folder.FullName, ct);
            var manifest = Path.Combine(exported, "SKILL.md");
            await File.WriteAllTextAsync(manifest, (await File.ReadAllTextAsync(manifest, ct)).Replace("autodev-version: 1.0.0", $"autodev-version: {version}", StringComparison.Ordinal), ct);
            var candidate = await registry.ImportAgentSkillAsync(workspace, exported, cancellationToken: ct);
            Assert.True(candidate.Status == SkillCandidateStatus.Validated, candidate.FailureReason);
            return candidate;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

/// <summary>An HTTP client of the API that fetches the antiforgery token once and sends it on state-changing requests.</summary>
internal sealed class ApiClient(HttpClient http) : IDisposable
{
    private AntiforgeryToken? _token;

    public HttpClient Http => http;

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>POSTs <paramref name="body"/> as JSON with the antiforgery token (unless <paramref name="withToken"/> is false).</summary>
    public Task<HttpResponseMessage> PostAsync(string path, object? body, bool withToken = true) =>
        SendAsync(HttpMethod.Post, path, JsonContent.Create(body), withToken);

    /// <summary>Sends <paramref name="content"/> with the antiforgery token (unless <paramref name="withToken"/> is false).</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent content, bool withToken = true)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (withToken)
        {
            _token ??= await http.GetFromJsonAsync<AntiforgeryToken>("api/antiforgery", new JsonSerializerOptions(JsonSerializerDefaults.Web), TestContext.Current.CancellationToken);
            request.Headers.Add(_token!.HeaderName, _token.Token);
        }

        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public void Dispose() => http.Dispose();
}
