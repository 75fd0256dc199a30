using System.Text.Json;
using AutoDev.Llm.OpenAI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AutoDev.Tests;

/// <summary>The OpenAI adapter against a loopback server speaking chat completions.</summary>
public sealed class OpenAIChatClientAdapterTests : ChatAdapterTests
{
    protected override string ExpectedPath => "/v1/chat/completions";

    [Fact]
    public async Task Streaming_ConcatenatesTheDeltasAndReportsUsage()
    {
        Server.Enqueue(new HttpReply(200, string.Concat(
            Chunk("""{"role":"assistant","content":"Hel"}""", null),
            Chunk("""{"content":"lo"}""", "\"stop\""),
            """data: {"id":"c1","object":"chat.completion.chunk","created":1700000000,"model":"model-under-test","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":2,"total_tokens":9}}""" + "\n\n",
            "data: [DONE]\n\n"), "text/event-stream"));
        using var client = new OpenAIChatClientAdapter(new OpenAIChatClientOptions { Endpoint = Endpoint, ApiKey = Key, Model = Model });

        var response = await client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], cancellationToken: Ct).ToChatResponseAsync(Ct);

        Assert.Equal("Hello", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(9, response.Usage?.TotalTokenCount);
        Assert.True(Server.Requests.Single().Json.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task Options_ComeFromTheOpenAIVariables_ThenTheSection_ThenCode()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OPENAI_BASE_URL"] = Endpoint.ToString(),
            ["OPENAI_API_KEY"] = "from-variable",
            ["OPENAI_MODEL"] = "variable-model",
            ["AutoDev:OpenAI:Model"] = "section-model",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddAutoDev().AddOpenAIChatClient(o => o.MaxOutputTokens = 99);
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<OpenAIChatClientOptions>>().Value;

        Assert.Equal((Endpoint, "from-variable", "section-model", 99), (options.Endpoint, options.ApiKey, options.Model, options.MaxOutputTokens));
        Assert.DoesNotContain("from-variable", options.ToString(), StringComparison.Ordinal);
        Assert.IsType<OpenAIChatClientAdapter>(provider.GetRequiredKeyedService<IChatClient>(AutoDevChatClient.ServiceKey));
    }

    [Fact]
    public async Task Options_WithoutModel_OrWithoutKeyForOpenAIItself_FailWithWhatToSet()
    {
        var services = new ServiceCollection().AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddAutoDev().AddOpenAIChatClient();
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<OpenAIChatClientOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains("AutoDev:OpenAI:Model", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("AutoDev:OpenAI:ApiKey", StringComparison.Ordinal));
        Assert.Throws<InvalidSettingsException>(() => new OpenAIChatClientAdapter(new OpenAIChatClientOptions { Endpoint = new Uri("ftp://x/"), Model = "m" }));
    }

    [Fact]
    public async Task LocalServerWithoutKey_IsAllowed()
    {
        Server.Enqueue(Answer("ok", 1, 1));
        using var client = new OpenAIChatClientAdapter(new OpenAIChatClientOptions { Endpoint = Endpoint, Model = Model });

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "other-model", Temperature = 0.25f }, Ct);

        Assert.Equal("ok", response.Text);
        var body = Server.Requests.Single().Json;
        Assert.Equal("other-model", body.GetProperty("model").GetString());
        Assert.Equal(0.25, body.GetProperty("temperature").GetDouble(), 3);
    }

    /// <summary>
    /// Tools go through Microsoft.Extensions.AI.OpenAI: the request declares the function, and the model's tool call
    /// comes back as a <see cref="FunctionCallContent"/> with its arguments. The options' bound is sent when the
    /// request sets none.
    /// </summary>
    [Fact]
    public async Task Tools_AreDeclared_AndAToolCallComesBackAsAFunctionCall()
    {
        Server.Enqueue(HttpReply.Json(200, """
            {"id":"chatcmpl-2","object":"chat.completion","created":1700000000,"model":"model-under-test",
             "choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":null,
               "tool_calls":[{"id":"call_1","type":"function","function":{"name":"extract_invoice_id","arguments":"{\"text\":\"INV-42\"}"}}]}}],
             "usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}}
            """));
        using var client = new OpenAIChatClientAdapter(new OpenAIChatClientOptions { Endpoint = Endpoint, Model = Model, MaxOutputTokens = 77 });
        var tool = AIFunctionFactory.Create((string text) => text, "extract_invoice_id", "Extracts the invoice id.");

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "which invoice?")], new ChatOptions { Tools = [tool] }, Ct);

        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("call_1", "extract_invoice_id", "INV-42"), (call.CallId, call.Name, call.Arguments?["text"]?.ToString()));
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        var body = Server.Requests.Single().Json;
        Assert.Equal("extract_invoice_id", body.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString());
        Assert.Equal(77, MaxTokens(body));
    }

    private static int MaxTokens(JsonElement body) =>
        (body.TryGetProperty("max_completion_tokens", out var bound) || body.TryGetProperty("max_tokens", out bound)) ? bound.GetInt32() : -1;

    protected override void AddAdapter(IAutoDevBuilder builder) =>
        builder.AddOpenAIChatClient(o =>
        {
            o.Endpoint = new Uri(Endpoint, "v1/");
            o.ApiKey = Key;
            o.Model = Model;
        });

    internal override HttpReply Answer(string text, int inputTokens, int outputTokens) => HttpReply.Json(200, JsonSerializer.Serialize(new
    {
        id = "chatcmpl-1",
        @object = "chat.completion",
        created = 1_700_000_000,
        model = Model,
        choices = new[] { new { index = 0, message = new { role = "assistant", content = text }, finish_reason = "stop", logprobs = (object?)null } },
        usage = new { prompt_tokens = inputTokens, completion_tokens = outputTokens, total_tokens = inputTokens + outputTokens },
    }));

    internal override HttpReply Error(int status, string message, params (string Name, string Value)[] headers) =>
        HttpReply.Json(status, JsonSerializer.Serialize(new { error = new { message, type = "error", param = (string?)null, code = (string?)null } }), headers);

    protected override bool CarriesKey(IReadOnlyDictionary<string, string> headers) =>
        headers.TryGetValue("Authorization", out var value) && value == $"Bearer {Key}";

    protected override IReadOnlyList<(string Role, string Text)> SentMessages(JsonElement body) =>
        [.. body.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("role").GetString()!, Text(m.GetProperty("content"))))];

    private static string Text(JsonElement content) => content.ValueKind == JsonValueKind.String
        ? content.GetString()!
        : string.Concat(content.EnumerateArray().Select(p => p.GetProperty("text").GetString()));

    private static string Chunk(string delta, string? finishReason) =>
        $$"""data: {"id":"c1","object":"chat.completion.chunk","created":1700000000,"model":"model-under-test","choices":[{"index":0,"delta":{{delta}},"finish_reason":{{finishReason ?? "null"}}}]}""" + "\n\n";
}
