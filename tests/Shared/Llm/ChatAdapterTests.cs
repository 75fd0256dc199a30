using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AutoDev.Tests;

/// <summary>
/// What every LLM adapter must do against a real HTTP server speaking its provider's wire format: map answers and
/// usage, send the model, messages and key, and let AutoDev's chat pipeline retry, time out and record honestly.
/// Each adapter's test project derives from it and supplies the wire format.
/// </summary>
public abstract class ChatAdapterTests : IAsyncDisposable
{
    protected const string Key = "sk-test-secret-7f3a";
    protected const string Model = "model-under-test";
    private const string Tenant = "acme";

    internal LoopbackHttpServer Server { get; } = new();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The request path the SDK posts to, under the endpoint <see cref="Endpoint"/>.</summary>
    protected abstract string ExpectedPath { get; }

    /// <summary>Where the adapter is pointed.</summary>
    protected Uri Endpoint => Server.BaseAddress;

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Registers the adapter with <see cref="Key"/>, <see cref="Model"/> and <see cref="Endpoint"/>.</summary>
    protected abstract void AddAdapter(IAutoDevBuilder builder);

    internal abstract HttpReply Answer(string text, int inputTokens, int outputTokens);

    internal abstract HttpReply Error(int status, string message, params (string Name, string Value)[] headers);

    protected abstract bool CarriesKey(IReadOnlyDictionary<string, string> headers);

    /// <summary>The (role, text) pairs of the request body, system prompt first.</summary>
    protected abstract IReadOnlyList<(string Role, string Text)> SentMessages(JsonElement body);

    [Fact]
    public async Task Answer_WithUsage_ComesBackMappedAndIsRecordedForTheWorkspace()
    {
        Server.Enqueue(Answer("The invoice id is INV-1.", 12, 5));
        await using var services = CreateServices();

        var result = await Gateway(services).GetResponseAsync(Context(), Messages(), cancellationToken: Ct);

        Assert.True(result.Succeeded, result.Record.FailureReason);
        Assert.Equal("The invoice id is INV-1.", result.Text);
        Assert.Equal(Microsoft.Extensions.AI.ChatFinishReason.Stop, result.Response.FinishReason);
        Assert.Equal(Model, result.Response.ModelId);
        Assert.Equal((12, 5, 17), (result.Response.Usage?.InputTokenCount, result.Response.Usage?.OutputTokenCount, result.Response.Usage?.TotalTokenCount) is (long i, long o, long t) ? ((int)i, (int)o, (int)t) : default);

        var usage = await services.GetRequiredService<IChatCallStore>().GetUsageAsync(Tenant, DateOnly.FromDateTime(result.Record.StartedAt.UtcDateTime), Ct);
        Assert.Equal(new TokenUsage(12, 5, 17, 1, 0), usage);
        Assert.Equal(1, result.Record.Attempts);
        Assert.Equal("invoice-agent", result.Record.AgentId);
    }

    [Fact]
    public async Task Request_CarriesTheModelTheMessagesTheOptionsAndTheKey()
    {
        Server.Enqueue(Answer("ok", 3, 1));
        await using var services = CreateServices();

        var result = await Gateway(services).GetResponseAsync(Context(), Messages(), new Microsoft.Extensions.AI.ChatOptions { MaxOutputTokens = 321, StopSequences = ["<END>"] }, Ct);

        Assert.True(result.Succeeded, result.Record.FailureReason);
        var request = Assert.Single(Server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal(ExpectedPath, request.Path);
        Assert.True(CarriesKey(request.Headers), "the API key was not sent");
        var body = request.Json;
        Assert.Equal(Model, body.GetProperty("model").GetString());
        Assert.Equal(
            [("system", "You write Python."), ("user", "Extract the invoice id."), ("assistant", "Which format?"), ("user", "INV-dddd.")],
            SentMessages(body));
        Assert.Contains("321", request.Body, StringComparison.Ordinal);
        Assert.Contains("<END>", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FencedAnswer_WithProse_YieldsTheRequestedFunction()
    {
        Server.Enqueue(Answer("Here it is:\n```python\nimport re\n\ndef extract_invoice_id(text: str) -> str:\n    return re.search(r'INV-\\d+', text).group(0)\n```\nIt uses a regex.", 40, 30));
        await using var services = CreateServices();

        var result = await Gateway(services).GetResponseAsync(Context(), Messages(), cancellationToken: Ct);
        var code = ModelAnswers.ExtractFunction(result.Text, "extract_invoice_id");

        Assert.True(code.Succeeded, code.Reason);
        Assert.StartsWith("import re", code.Code, StringComparison.Ordinal);
        Assert.DoesNotContain("regex", code.Code, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimited_WaitsWhatRetryAfterSays_ThenSucceeds()
    {
        Server.Enqueue(Error(429, "slow down", ("Retry-After", "1")), Answer("ok", 3, 1));
        var time = new RecordingTimeProvider();
        await using var services = CreateServices(time: time);

        var result = await Gateway(services).GetResponseAsync(Context(), Messages(), cancellationToken: Ct);

        Assert.True(result.Succeeded, result.Record.FailureReason);
        Assert.Equal(2, result.Record.Attempts);
        Assert.Equal(2, Server.Requests.Count);
        Assert.Contains(TimeSpan.FromSeconds(1), time.DueTimes);
    }

    [Fact]
    public async Task RateLimited_AskingForLongerThanMaxRetryDelay_FailsAtOnceWithTheWaitInTheReason()
    {
        Server.Enqueue(Error(429, "come back later", ("Retry-After", "120")));
        await using var services = CreateServices(chat => chat.MaxRetryDelay = TimeSpan.FromSeconds(30));

        var result = await Gateway(services).GetResponseAsync(Context(), Messages(), cancellationToken: Ct);

        Assert.False(result.Succeeded);
        Assert.Equal(ChatFailureKind.RateLimited, result.Record.FailureKind);
        Assert.Equal(1, result.Record.Attempts);
        Assert.Contains("120 s", result.Record.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerError_ThenSuccess_IsRetried()
    {
        Server.Enqueue(Error(500, "boom"), Answer("ok", 3, 1));
        await using var services = CreateServices();

        var result = await Gateway(services).GetResponseAsync(Context(), Messages(), cancellationToken: Ct);

        Assert.True(result.Succeeded, result.Record.FailureReason);
        Assert.Equal(2, result.Record.Attempts);
    }

    [Fact]
    public async Task SlowAnswer_PastTheAttemptTimeout_FailsAsTimeoutAfterEveryAttempt()
    {
        Server.Fallback = Answer("too late", 3, 1) with { Delay = TimeSpan.FromSeconds(30) };
        await using var services = CreateServices(chat =>
        {
            chat.AttemptTimeout = TimeSpan.FromMilliseconds(300);
            chat.MaxRetryAttempts = 1;
        });

        var result = await Gateway(services).GetResponseAsync(Context(), Messages(), cancellationToken: Ct);

        Assert.False(result.Succeeded);
        Assert.Equal(ChatFailureKind.Timeout, result.Record.FailureKind);
        Assert.Equal(2, result.Record.Attempts);
        var recorded = await services.GetRequiredService<IChatCallStore>().ListRecentAsync(Tenant, 10, Ct).ToListAsync(Ct);
        Assert.Equal(ChatFailureKind.Timeout, Assert.Single(recorded).FailureKind);
    }

    [Fact]
    public async Task MalformedJson_FailsAsInvalidResponse_WithoutRetrying()
    {
        Server.Fallback = new HttpReply(200, "{\"id\": \"x\", \"choices\": [ this is not json");
        await using var services = CreateServices();

        var result = await Gateway(services).GetResponseAsync(Context(), Messages(), cancellationToken: Ct);

        Assert.False(result.Succeeded);
        Assert.Equal(ChatFailureKind.InvalidResponse, result.Record.FailureKind);
        Assert.Equal(1, result.Record.Attempts);
    }

    [Fact]
    public async Task DroppedConnection_IsRetried()
    {
        Server.Enqueue(HttpReply.DropConnection(), Answer("ok", 3, 1));
        await using var services = CreateServices();

        var result = await Gateway(services).GetResponseAsync(Context(), Messages(), cancellationToken: Ct);

        Assert.True(result.Succeeded, result.Record.FailureReason);
        Assert.Equal(2, result.Record.Attempts);
    }

    [Fact]
    public async Task DroppedConnection_EveryTime_FailsAsNetworkWithTheReason()
    {
        Server.Fallback = HttpReply.DropConnection();
        await using var services = CreateServices(chat => chat.MaxRetryAttempts = 2);

        var result = await Gateway(services).GetResponseAsync(Context(), Messages(), cancellationToken: Ct);

        Assert.False(result.Succeeded);
        Assert.Equal(ChatFailureKind.Network, result.Record.FailureKind);
        Assert.Equal(3, result.Record.Attempts);
        Assert.False(string.IsNullOrWhiteSpace(result.Record.FailureReason));
    }

    [Fact]
    public async Task Unauthorized_FailsAtOnce_AndNeitherTheRecordNorTheLogsHoldTheKey()
    {
        Server.Enqueue(Error(401, "invalid x-api-key"));
        using var logs = new FakeLoggerProvider();
        await using var services = CreateServices(logging: logs);

        var result = await Gateway(services).GetResponseAsync(Context(), Messages(), cancellationToken: Ct);

        Assert.False(result.Succeeded);
        Assert.Equal(ChatFailureKind.Rejected, result.Record.FailureKind);
        Assert.Equal(1, result.Record.Attempts);
        Assert.Contains("401", result.Record.FailureReason, StringComparison.Ordinal);
        Assert.Contains("invalid x-api-key", result.Record.FailureReason, StringComparison.Ordinal);
        var logged = logs.Collector.GetSnapshot().Select(r => $"{r.Message} {r.Exception}").ToList();
        Assert.NotEmpty(logged);
        Assert.DoesNotContain(logged, m => m.Contains(Key, StringComparison.Ordinal));
        Assert.DoesNotContain(Key, result.Failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_DuringASlowAnswer_StopsTheCallWithoutRecordingAFailure()
    {
        Server.Fallback = Answer("too late", 3, 1) with { Delay = TimeSpan.FromSeconds(60) };
        await using var services = CreateServices();
        using var cancel = new CancellationTokenSource();

        var call = Gateway(services).GetResponseAsync(Context(), Messages(), cancellationToken: cancel.Token);
        await Server.WaitForFirstRequestAsync(TimeSpan.FromSeconds(30), Ct);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Empty(await services.GetRequiredService<IChatCallStore>().ListRecentAsync(Tenant, 10, Ct).ToListAsync(Ct));
    }

    private static IChatGateway Gateway(IServiceProvider services) => services.GetRequiredService<IChatGateway>();

    private static ChatCallContext Context() => new(Tenant, "test.chat") { AgentId = "invoice-agent" };

    private static List<Microsoft.Extensions.AI.ChatMessage> Messages() =>
    [
        new(Microsoft.Extensions.AI.ChatRole.System, "You write Python."),
        new(Microsoft.Extensions.AI.ChatRole.User, "Extract the invoice id."),
        new(Microsoft.Extensions.AI.ChatRole.Assistant, "Which format?"),
        new(Microsoft.Extensions.AI.ChatRole.User, "INV-dddd."),
    ];

    private ServiceProvider CreateServices(Action<ChatResilienceOptions>? chat = null, TimeProvider? time = null, ILoggerProvider? logging = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(LogLevel.Trace);
            if (logging is not null)
            {
                b.AddProvider(logging);
            }
        });
        var builder = services.AddAutoDev().ConfigureChat(o =>
        {
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
            o.AttemptTimeout = TimeSpan.FromSeconds(20);
            chat?.Invoke(o);
        });
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        AddAdapter(builder);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }
}
