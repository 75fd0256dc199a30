using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using AutoDev.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AutoDev.AspNetCore;

/// <summary>The JSON API that <see cref="AutoDevEndpoints.MapAutoDev"/> maps under <c>{prefix}/api</c>, on Core's public services.</summary>
internal static class AutoDevApi
{
    /// <summary>The OpenAPI document and endpoint group of AutoDev's API: <c>autodev</c>.</summary>
    public const string DocumentName = "autodev";

    /// <summary>The most items one list returns: <c>?limit=</c> asks for fewer or more, up to <see cref="MaxListLength"/>.</summary>
    public const int DefaultListLength = 100;

    /// <summary>The most items <c>?limit=</c> may ask for.</summary>
    public const int MaxListLength = 1_000;

    /// <summary>Web defaults, enums as their names: what every response and request body uses.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(), new SemanticVersionJsonConverter() },
    };

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/antiforgery", (HttpContext context, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(context);
            return Ok(new AntiforgeryToken(tokens.HeaderName ?? "RequestVerificationToken", tokens.RequestToken!));
        }).Produces<AntiforgeryToken>().WithSummary("A token that state-changing requests carry in a header, with the cookie this response sets.");

        api.MapGet("/workspaces", async (HttpContext context, CancellationToken _) => Ok(await WorkspaceAccessConventions.AccessibleWorkspacesAsync(context).ConfigureAwait(false)))
            .Produces<IReadOnlyList<string>>().WithSummary("The workspaces the user may reach.");

        var workspace = api.MapGroup("/workspaces/{workspace}");
        MapReview(workspace);
        MapSkills(workspace);
        MapAgentsAndUsage(workspace);
        workspace.MapGet("/events", Events).WithSummary("AutoDev's events in the workspace, live, as server-sent events: first 'connected', then each event with its type's name (SkillPromoted, ...).");
    }

    private static void MapReview(RouteGroupBuilder workspace)
    {
        workspace.MapGet("/review", async (string workspace, int? limit, WorkspaceOverview overview, CancellationToken ct) =>
            Ok(await overview.PendingAsync(workspace, Limit(limit), ct).ConfigureAwait(false)))
            .Produces<PendingReviews>().WithSummary("What waits for a person: validated candidates and evaluated mutations.");

        workspace.MapGet("/candidates/{id:guid}", async (string workspace, Guid id, WorkspaceOverview overview, CancellationToken ct) =>
            Ok(await overview.CandidateAsync(workspace, id, ct).ConfigureAwait(false)))
            .Produces<ReviewItem>().WithSummary("A candidate with its code, its tests and held-out cases with their results, and the failed episodes it came from.");

        workspace.MapPost("/candidates/{id:guid}/approve", async (string workspace, Guid id, ReviewRequest? request, HttpContext context, IReviewService review) =>
            Ok(await review.ApproveAsync(workspace, id, WorkspaceAccessConventions.ReviewerOf(context), request?.Reason, context.RequestAborted).ConfigureAwait(false)))
            .AddEndpointFilter(Antiforgery).Produces<SkillVersion>().WithSummary("Approves a validated candidate: it becomes its skill's next version (1.0.0 for a new skill).");

        workspace.MapPost("/candidates/{id:guid}/reject", async (string workspace, Guid id, ReviewRequest request, HttpContext context, IReviewService review) =>
            Ok(await review.RejectAsync(workspace, id, WorkspaceAccessConventions.ReviewerOf(context), RequiredReason(request), context.RequestAborted).ConfigureAwait(false)))
            .AddEndpointFilter(Antiforgery).Produces<SkillCandidate>().WithSummary("Rejects a candidate, with a reason.");

        workspace.MapGet("/mutations/{id:guid}", async (string workspace, Guid id, WorkspaceOverview overview, CancellationToken ct) =>
            Ok(await overview.MutationAsync(workspace, id, ct).ConfigureAwait(false)))
            .Produces<MutationReview>().WithSummary("A mutation with its code, its parent's, and the side-by-side evaluation of both.");

        workspace.MapPost("/mutations/{id:guid}/approve", async (string workspace, Guid id, ReviewRequest? request, HttpContext context, IReviewService review) =>
            Ok(await review.ApproveMutationAsync(workspace, id, WorkspaceAccessConventions.ReviewerOf(context), request?.Reason, context.RequestAborted).ConfigureAwait(false)))
            .AddEndpointFilter(Antiforgery).Produces<SkillVersion>().WithSummary("Approves a mutation that won: the child becomes the skill's next minor version.");

        workspace.MapPost("/mutations/{id:guid}/reject", async (string workspace, Guid id, ReviewRequest request, HttpContext context, IReviewService review) =>
            Ok(await review.RejectMutationAsync(workspace, id, WorkspaceAccessConventions.ReviewerOf(context), RequiredReason(request), context.RequestAborted).ConfigureAwait(false)))
            .AddEndpointFilter(Antiforgery).Produces<ToolMutation>().WithSummary("Rejects a mutation, with a reason.");
    }

    private static void MapSkills(RouteGroupBuilder workspace)
    {
        workspace.MapGet("/skills", async (string workspace, int? limit, WorkspaceOverview overview, CancellationToken ct) =>
            Ok(await overview.SkillsAsync(workspace, Limit(limit), ct).ConfigureAwait(false)))
            .Produces<IReadOnlyList<SkillSummary>>().WithSummary("The workspace's skills with their active versions.");

        workspace.MapGet("/skills/{name}", async (string workspace, string name, WorkspaceOverview overview, CancellationToken ct) =>
            Ok(await overview.SkillAsync(workspace, name, ct).ConfigureAwait(false)))
            .Produces<SkillDetails>().WithSummary("A skill with its active version and every version, code included.");

        workspace.MapGet("/skills/{name}/lineage", async (string workspace, string name, string? version, ISkillRegistry registry, CancellationToken ct) =>
            Ok(await registry.GetLineageAsync(workspace, name, version is null ? null : ParseVersion(version), ct).ConfigureAwait(false)))
            .Produces<Lineage<SkillVersion>>().WithSummary("A version's ancestors and descendants (the active version's by default).");

        workspace.MapPost("/skills/{name}/rollback", async (string workspace, string name, RollbackRequest request, ISkillRegistry registry, CancellationToken ct) =>
            Ok(await registry.RollbackAsync(workspace, name, ParseVersion(request.Version), ct).ConfigureAwait(false)))
            .AddEndpointFilter(Antiforgery).Produces<Skill>().WithSummary("Makes an earlier version active again.");

        workspace.MapGet("/skills/{name}/export", async (string workspace, string name, ISkillRegistry registry, CancellationToken ct) =>
        {
            // Into memory first: the package is small, and a zip's central directory is written synchronously on dispose.
            using var package = new MemoryStream();
            await registry.ExportAsync(workspace, name, package, ct).ConfigureAwait(false);
            return TypedResults.File(package.ToArray(), "application/zip", $"{name}.zip");
        }).Produces<FileContentHttpResult>(contentType: "application/zip").WithSummary("The skill's active version as a package (zip): manifest, code, tests, lineage.");

        workspace.MapPost("/skills/import", async Task<IResult> (string workspace, HttpRequest request, ISkillRegistry registry, IOptions<AutoDevHttpOptions> options, CancellationToken ct) =>
        {
            var limit = options.Value.MaxImportBytes;
            if (request.ContentLength > limit)
            {
                return TooLarge(limit);
            }

            using var package = new MemoryStream();
            var buffer = new byte[81_920];
            int read;
            while ((read = await request.Body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                if (package.Length + read > limit)
                {
                    return TooLarge(limit);
                }

                package.Write(buffer, 0, read);
            }

            package.Position = 0;
            return Ok(await registry.ImportAsync(workspace, package, cancellationToken: ct).ConfigureAwait(false));
        }).AddEndpointFilter(Antiforgery).Accepts<byte[]>("application/zip").Produces<SkillCandidate>()
            .WithSummary("Imports a skill package (the request body, a zip): it is validated in the sandbox and waits for review like a learned skill.");
    }

    private static ProblemHttpResult TooLarge(long limit) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: $"A skill package may be at most {limit} bytes.");

    private static void MapAgentsAndUsage(RouteGroupBuilder workspace)
    {
        workspace.MapGet("/agents", async (string workspace, int? limit, WorkspaceOverview overview, CancellationToken ct) =>
            Ok(await overview.AgentsAsync(workspace, Limit(limit), ct).ConfigureAwait(false)))
            .Produces<IReadOnlyList<AgentSummary>>().WithSummary("The workspace's agents with their maturity, graduation readiness and today's skill candidates.");

        workspace.MapGet("/agents/{agentId}", async (string workspace, string agentId, WorkspaceOverview overview, CancellationToken ct) =>
            Ok(await overview.AgentAsync(workspace, agentId, ct).ConfigureAwait(false)))
            .Produces<AgentSummary>().WithSummary("An agent with its maturity, graduation readiness and today's skill candidates.");

        // A POST: the advisor may ask the chat client, which spends the workspace's tokens.
        workspace.MapPost("/agents/{agentId}/guidance", async (string workspace, string agentId, IAdvisorService advisor, CancellationToken ct) =>
            Ok(await advisor.GenerateGuidanceAsync(workspace, agentId, ct).ConfigureAwait(false)))
            .AddEndpointFilter(Antiforgery).Produces<AdvisorReport>()
            .WithSummary("The advisor's guidance for an agent: what its learning data says and what to do; AI guidance too when a chat client is registered and the budget allows.");

        workspace.MapGet("/settings", async (string workspace, IWorkspaceStore workspaces, CancellationToken ct) =>
            Results.Text((await workspaces.GetSettingsAsync(workspace, ct).ConfigureAwait(false)).ToJson(), "application/json"))
            .Produces<object>(contentType: "application/json").WithSummary("The workspace's settings, in the JSON shape hosts configure them with.");

        workspace.MapPut("/settings", async (string workspace, HttpContext context, IWorkspaceStore workspaces, IOptions<AutoDevHttpOptions> options) =>
        {
            if (options.Value.CanChangeSettings is not { } allowed || !await allowed(context, workspace).ConfigureAwait(false))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The workspace's settings are read-only here: the host lets users change them with AutoDevHttpOptions.CanChangeSettings.");
            }

            using var reader = new StreamReader(context.Request.Body);
            var settings = WorkspaceSettings.FromJson(await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false));
            await workspaces.SaveSettingsAsync(workspace, settings, context.RequestAborted).ConfigureAwait(false);
            return Results.Text(settings.ToJson(), "application/json");
        }).AddEndpointFilter(Antiforgery).Accepts<object>("application/json").Produces<object>(contentType: "application/json")
            .WithSummary("Replaces the workspace's settings (the JSON shape of GET settings; missing keys take their defaults), where the host allows it.");

        workspace.MapGet("/usage", async (string workspace, WorkspaceOverview overview, CancellationToken ct) =>
            Ok(await overview.UsageAsync(workspace, ct).ConfigureAwait(false)))
            .Produces<WorkspaceUsage>().WithSummary("Today's model tokens against the daily budget, and today's mutations against the daily limit.");
    }

    /// <summary>The workspace's events as they happen, until the client goes away. A slow client loses the oldest, never blocks AutoDev.</summary>
    private static ServerSentEventsResult<string> Events(string workspace, IEventBus bus, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<AutoDevEvent>(new BoundedChannelOptions(1_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        var subscriptions = new List<IDisposable>
        {
            Forward<TaskFailed>(), Forward<CapabilityUnlocked>(), Forward<SkillCandidateGenerated>(), Forward<SkillCandidateValidated>(),
            Forward<SkillPromoted>(), Forward<SkillRegistered>(), Forward<SkillRolledBack>(), Forward<ToolMutationGenerated>(), Forward<ToolMutationEvaluated>(),
        };
        return TypedResults.ServerSentEvents(ReadAsync(workspace, channel.Reader, subscriptions, cancellationToken));

        IDisposable Forward<TEvent>()
            where TEvent : AutoDevEvent =>
            bus.Subscribe<TEvent>((e, _) =>
            {
                if (e.TenantId == workspace)
                {
                    channel.Writer.TryWrite(e);
                }

                return ValueTask.CompletedTask;
            });
    }

    /// <summary>A <c>connected</c> event first (it sends the response's headers, so the client knows the feed is live), then the workspace's events.</summary>
    private static async IAsyncEnumerable<SseItem<string>> ReadAsync(string workspace, ChannelReader<AutoDevEvent> events, List<IDisposable> subscriptions, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            yield return new SseItem<string>(JsonSerializer.Serialize(new { workspace }, Json), "connected");
            await foreach (var e in events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return new SseItem<string>(JsonSerializer.Serialize(e, e.GetType(), Json), e.GetType().Name);
            }
        }
        finally
        {
            foreach (var subscription in subscriptions)
            {
                subscription.Dispose();
            }
        }
    }

    private static JsonHttpResult<T> Ok<T>(T value) => TypedResults.Json(value, Json);

    private static int Limit(int? limit) => limit is { } asked ? Math.Clamp(asked, 1, MaxListLength) : DefaultListLength;

    private static string RequiredReason(ReviewRequest request) =>
        string.IsNullOrWhiteSpace(request?.Reason) ? throw new ArgumentException("A rejection needs a reason.", nameof(request)) : request.Reason;

    private static SemanticVersion ParseVersion(string version) =>
        SemanticVersion.TryParse(version, out var parsed) ? parsed : throw new ArgumentException($"'{version}' is not a version such as 1.0.0.", nameof(version));

    /// <summary>Refuses a state-changing request without a valid antiforgery token (header and cookie).</summary>
    private static async ValueTask<object?> Antiforgery(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var antiforgery = invocation.HttpContext.RequestServices.GetRequiredService<IAntiforgery>();
        try
        {
            await antiforgery.ValidateRequestAsync(invocation.HttpContext).ConfigureAwait(false);
        }
        catch (AntiforgeryValidationException)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "A state-changing request must carry the antiforgery token of GET api/antiforgery in its header, with that response's cookie.");
        }

        return await next(invocation).ConfigureAwait(false);
    }
}
