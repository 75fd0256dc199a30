using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AutoDev.AspNetCore;

namespace AutoDev.Cli;

/// <summary>
/// The operator commands against a running <c>MapAutoDev</c> API (<c>--url http://host:port/autodev</c>): the same
/// endpoints the dashboard uses, with its cookie and antiforgery token on state-changing requests and, with
/// <c>--token</c>, a bearer token for the host's authentication. Reviews are made in the signed-in user's name.
/// </summary>
internal sealed class HttpOperator : IOperator
{
    private readonly HttpClient _http;
    private readonly string _workspace;
    private AntiforgeryToken? _antiforgery;

    public HttpOperator(Uri address, string? bearerToken, string workspace)
    {
        // Relative paths resolve under the prefix only when the address ends with a slash.
        var root = address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");
        _http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = root, Timeout = TimeSpan.FromMinutes(5) };
        if (!string.IsNullOrEmpty(bearerToken))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        _workspace = workspace;
    }

    private string Workspace => $"api/workspaces/{Uri.EscapeDataString(_workspace)}";

    public async Task<bool> WorkspaceExistsAsync(CancellationToken cancellationToken) =>
        (await GetAsync<List<string>>("api/workspaces", cancellationToken).ConfigureAwait(false)).Contains(_workspace, StringComparer.Ordinal);

    public Task<PendingReviews> PendingAsync(int limit, CancellationToken cancellationToken) => GetAsync<PendingReviews>($"{Workspace}/review?limit={limit}", cancellationToken);

    public Task<ReviewItem> CandidateAsync(Guid id, CancellationToken cancellationToken) => GetAsync<ReviewItem>($"{Workspace}/candidates/{id}", cancellationToken);

    public Task<SkillVersion> ApproveAsync(Guid id, string reviewer, string? reason, CancellationToken cancellationToken) =>
        SendAsync<SkillVersion>(HttpMethod.Post, $"{Workspace}/candidates/{id}/approve", JsonContent.Create(new ReviewRequest(reason), options: OperatorCommand.JsonOptions), cancellationToken);

    public Task<SkillCandidate> RejectAsync(Guid id, string reviewer, string reason, CancellationToken cancellationToken) =>
        SendAsync<SkillCandidate>(HttpMethod.Post, $"{Workspace}/candidates/{id}/reject", JsonContent.Create(new ReviewRequest(reason), options: OperatorCommand.JsonOptions), cancellationToken);

    public Task<IReadOnlyList<SkillSummary>> SkillsAsync(int limit, CancellationToken cancellationToken) => GetAsync<IReadOnlyList<SkillSummary>>($"{Workspace}/skills?limit={limit}", cancellationToken);

    public Task<SkillDetails> SkillAsync(string name, CancellationToken cancellationToken) => GetAsync<SkillDetails>($"{Workspace}/skills/{Uri.EscapeDataString(name)}", cancellationToken);

    public Task<Lineage<SkillVersion>> LineageAsync(string name, CancellationToken cancellationToken) =>
        GetAsync<Lineage<SkillVersion>>($"{Workspace}/skills/{Uri.EscapeDataString(name)}/lineage", cancellationToken);

    public Task<Skill> RollbackAsync(string name, SemanticVersion version, CancellationToken cancellationToken) =>
        SendAsync<Skill>(HttpMethod.Post, $"{Workspace}/skills/{Uri.EscapeDataString(name)}/rollback", JsonContent.Create(new RollbackRequest(version.ToString()), options: OperatorCommand.JsonOptions), cancellationToken);

    public async Task ExportAsync(string name, Stream destination, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"{Workspace}/skills/{Uri.EscapeDataString(name)}/export", HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        await response.Content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    public Task<SkillCandidate> ImportAsync(Stream package, CancellationToken cancellationToken) =>
        SendAsync<SkillCandidate>(HttpMethod.Post, $"{Workspace}/skills/import", new StreamContent(package) { Headers = { ContentType = new MediaTypeHeaderValue("application/zip") } }, cancellationToken);

    public Task<IReadOnlyList<AgentSummary>> AgentsAsync(int limit, CancellationToken cancellationToken) => GetAsync<IReadOnlyList<AgentSummary>>($"{Workspace}/agents?limit={limit}", cancellationToken);

    public Task<AgentSummary> AgentAsync(string agentId, CancellationToken cancellationToken) => GetAsync<AgentSummary>($"{Workspace}/agents/{Uri.EscapeDataString(agentId)}", cancellationToken);

    public Task<WorkspaceUsage> UsageAsync(CancellationToken cancellationToken) => GetAsync<WorkspaceUsage>($"{Workspace}/usage", cancellationToken);

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent content, CancellationToken cancellationToken)
    {
        _antiforgery ??= await GetAsync<AntiforgeryToken>("api/antiforgery", cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add(_antiforgery.HeaderName, _antiforgery.Token);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(OperatorCommand.JsonOptions, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"{response.RequestMessage?.RequestUri} answered null.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{response.RequestMessage?.RequestUri} did not answer as AutoDev's API does: {ex.Message}", ex);
        }
    }

    /// <summary>An error response as <see cref="ApiProblemException"/>, with the problem's title (what the API says went wrong).</summary>
    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var title = response.ReasonPhrase ?? response.StatusCode.ToString();
        if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
        {
            try
            {
                using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                if (problem.RootElement.TryGetProperty("title", out var given) && given.GetString() is { Length: > 0 } text)
                {
                    title = text;
                }
            }
            catch (JsonException)
            {
                // Not a problem document: the status line says enough.
            }
        }

        throw new ApiProblemException(response.StatusCode, $"{(int)response.StatusCode} {title}");
    }
}

/// <summary>An error answer of AutoDev's API.</summary>
internal sealed class ApiProblemException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}
