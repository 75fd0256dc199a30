using System.Diagnostics;
using AutoDev.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace AutoDev.Tests.Chat;

/// <summary>AutoDev's chat pipeline is Microsoft.Extensions.AI middleware: what each layer does, and that a host's own pipeline can use it.</summary>
public sealed class ChatPipelineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HostMiddleware_SeesAutoDevsCalls_WithTheAnswerCap_AndWithoutAutoDevsContextKey()
    {
        var client = new ScriptedChatClient("answer");
        var seen = new List<ChatOptions?>();
        var services = new ServiceCollection();
        services.AddAutoDev().UseChatClient(client).ConfigureChatPipeline(pipeline => pipeline.Use(
            (messages, options, next, token) =>
            {
                seen.Add(options);
                return next(messages, options, token);
            }));
        await using var provider = services.BuildServiceProvider();

        var result = await provider.GetRequiredService<IChatGateway>().GetResponseAsync(
            new ChatCallContext("acme", "test"),
            [new(ChatRole.User, "x")],
            new ChatOptions { AdditionalProperties = new() { ["host.flag"] = "kept" } },
            Ct);

        Assert.True(result.Succeeded);
        var options = Assert.Single(seen);
        Assert.Equal(ChatResilienceOptions.DefaultMaxOutputTokens, options!.MaxOutputTokens);
        Assert.Equal("kept", options.AdditionalProperties!["host.flag"]);
        Assert.False(options.AdditionalProperties.ContainsKey(ChatCallContext.OptionsKey));
        Assert.False(Assert.Single(client.Calls).Options!.AdditionalProperties!.ContainsKey(ChatCallContext.OptionsKey));
    }

    [Fact]
    public async Task ACallThatNeededRetries_IsOneRecord_CountingItsAttempts()
    {
        var failures = 2;
        var client = new ScriptedChatClient((_, _, _) => Interlocked.Decrement(ref failures) >= 0
            ? throw new ChatServiceException(ChatFailureKind.ServerError, "503", 503)
            : Task.FromResult(ScriptedChatClient.Text("third time")));
        await using var provider = Create(client);

        var result = await provider.GetRequiredService<IChatGateway>().GetResponseAsync(new ChatCallContext("acme", "test"), [new(ChatRole.User, "x")], cancellationToken: Ct);

        Assert.True(result.Succeeded);
        Assert.Equal((3, true), (result.Record.Attempts, result.Record.Succeeded));
        Assert.Equal(3, client.Calls.Count);
        Assert.Equal(result.Record, Assert.Single(await provider.GetRequiredService<IChatCallStore>().ListRecentAsync("acme", 5, Ct).ToListAsync(Ct)));
    }

    [Fact]
    public async Task ARateLimitAskingForTooLongAWait_FailsAtOnce_SayingSo()
    {
        var client = new ScriptedChatClient((_, _, _) => throw new ChatServiceException(ChatFailureKind.RateLimited, "429", 429, TimeSpan.FromHours(2)));
        await using var provider = Create(client);

        var result = await provider.GetRequiredService<IChatGateway>().GetResponseAsync(new ChatCallContext("acme", "test"), [new(ChatRole.User, "x")], cancellationToken: Ct);

        Assert.Equal((ChatFailureKind.RateLimited, 1), (result.Record.FailureKind, result.Record.Attempts));
        Assert.Contains("longer than MaxRetryDelay", result.Record.FailureReason, StringComparison.Ordinal);
        Assert.Single(client.Calls);
    }

    [Fact]
    public async Task TheHostsOwnPipeline_RecordsCallsThatCarryAContext_AndPassesOthersThrough()
    {
        var services = new ServiceCollection();
        services.AddAutoDev();
        await using var provider = services.BuildServiceProvider();
        var inner = new ScriptedChatClient((_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "hi")) { Usage = new() { InputTokenCount = 3, OutputTokenCount = 4 } }));
        using var pipeline = new ChatClientBuilder(inner).UseAutoDevUsageRecording().UseAutoDevResilience(o => o.MaxRetryAttempts = 0).Build(provider);

        var recorded = await pipeline.GetResponseAsync([new(ChatRole.User, "x")], new ChatOptions { AdditionalProperties = new() { [ChatCallContext.OptionsKey] = new ChatCallContext("acme", "host.agent") { AgentId = "bot" } } }, Ct);
        var passed = await pipeline.GetResponseAsync([new(ChatRole.User, "x")], cancellationToken: Ct);

        var record = Assert.IsType<ChatCallRecord>(recorded.AdditionalProperties![ChatCallRecord.ResponseKey]);
        Assert.Equal(("acme", "bot", "host.agent", 7L), (record.TenantId, record.AgentId, record.Purpose, record.TotalTokens));
        Assert.Null(passed.AdditionalProperties);
        Assert.Equal(7, (await provider.GetRequiredService<TokenBudget>().GetAsync("acme", Ct)).Used);
        Assert.Null(inner.Calls[1].Options);
    }

    [Fact]
    public async Task AFailedCallInTheHostsPipeline_ThrowsTheClassifiedFailure_WithItsStoredRecord()
    {
        var services = new ServiceCollection();
        services.AddAutoDev();
        await using var provider = services.BuildServiceProvider();
        using var pipeline = new ChatClientBuilder(new ScriptedChatClient((_, _, _) => throw new HttpRequestException("refused")))
            .UseAutoDevUsageRecording()
            .Build(provider);

        var error = await Assert.ThrowsAsync<ChatServiceException>(() => pipeline.GetResponseAsync([new(ChatRole.User, "x")], new ChatOptions { AdditionalProperties = new() { [ChatCallContext.OptionsKey] = new ChatCallContext("acme", "host.agent") } }, Ct));

        Assert.Equal(ChatFailureKind.Network, error.Kind);
        Assert.Equal((false, ChatFailureKind.Network, 1), (error.Record!.Succeeded, error.Record.FailureKind, error.Record.Attempts));
        Assert.Equal(error.Record, Assert.Single(await provider.GetRequiredService<IChatCallStore>().ListRecentAsync("acme", 5, Ct).ToListAsync(Ct)));
    }

    [Fact]
    public async Task AStreamedCall_IsRecordedWhenItEnds_WithTheUsageItsUpdatesReported()
    {
        var services = new ServiceCollection();
        services.AddAutoDev();
        await using var provider = services.BuildServiceProvider();
        using var pipeline = new ChatClientBuilder(new ScriptedChatClient((_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "streamed")) { Usage = new() { InputTokenCount = 5, OutputTokenCount = 2 } })))
            .UseAutoDevUsageRecording()
            .Build(provider);

        var text = string.Concat(await pipeline.GetStreamingResponseAsync([new(ChatRole.User, "x")], new ChatOptions { AdditionalProperties = new() { [ChatCallContext.OptionsKey] = new ChatCallContext("acme", "stream") } }, Ct).Select(u => u.Text).ToListAsync(Ct));

        Assert.Equal("streamed", text);
        var record = Assert.Single(await provider.GetRequiredService<IChatCallStore>().ListRecentAsync("acme", 5, Ct).ToListAsync(Ct));
        Assert.Equal(("stream", true, 7L), (record.Purpose, record.Succeeded, record.TotalTokens));
    }

    [Fact]
    public async Task EachAttempt_IsAGenAiChatSpan_UnderTheCallersSpan_AndCallsAreCountedByOutcome()
    {
        var purpose = "otel-" + Guid.NewGuid().ToString("N")[..8];
        var failures = 1;
        var client = new ScriptedChatClient((_, _, _) => Interlocked.Decrement(ref failures) >= 0
            ? throw new ChatServiceException(ChatFailureKind.ServerError, "503", 503)
            : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { ModelId = "scripted-1", Usage = new() { InputTokenCount = 3, OutputTokenCount = 4 } }));
        await using var provider = Create(client);
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == AutoDevTelemetry.CoreName || s.Name == "test",
            Sample = (ref _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        using var calls = new MetricCollector<long>(null, AutoDevTelemetry.CoreName, "autodev.chat.calls");
        using var tokens = new MetricCollector<long>(null, AutoDevTelemetry.CoreName, "autodev.chat.tokens");
        using var source = new ActivitySource("test");

        using (source.StartActivity("caller"))
        {
            await provider.GetRequiredService<IChatGateway>().GetResponseAsync(new ChatCallContext("acme", purpose), [new(ChatRole.User, "x")], cancellationToken: Ct);
        }

        var caller = Assert.Single(spans, s => s.OperationName == "caller");
        var chats = spans.Where(s => s.ParentSpanId == caller.SpanId && Equals(s.GetTagItem("gen_ai.operation.name"), "chat")).ToList();
        Assert.Equal(2, chats.Count);
        Assert.Equal(ActivityStatusCode.Error, chats[0].Status);
        Assert.Equal(("scripted-1", 3, 4), (chats[1].GetTagItem("gen_ai.response.model"), chats[1].GetTagItem("gen_ai.usage.input_tokens"), chats[1].GetTagItem("gen_ai.usage.output_tokens")));
        var counted = Assert.Single(calls.GetMeasurementSnapshot(), m => Equals(m.Tags["autodev.chat.purpose"], purpose));
        Assert.Equal((1L, "success"), (counted.Value, counted.Tags["autodev.outcome"]));
        Assert.Equal(7, tokens.GetMeasurementSnapshot().Where(m => Equals(m.Tags["autodev.chat.purpose"], purpose)).Sum(m => m.Value));
    }

    private static ServiceProvider Create(IChatClient client)
    {
        var services = new ServiceCollection();
        services.AddAutoDev().UseChatClient(client).ConfigureChat(o => o.RetryBaseDelay = TimeSpan.Zero);
        return services.BuildServiceProvider();
    }
}
