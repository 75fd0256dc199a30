using System.Text.Json;
using AutoDev.Llm.Anthropic;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AutoDev.Tests;

/// <summary>The Anthropic adapter against a loopback server speaking the Messages API.</summary>
public sealed class AnthropicChatClientAdapterTests : ChatAdapterTests
{
    protected override string ExpectedPath => "/v1/messages";

    [Fact]
    public async Task Options_ComeFromTheAnthropicVariables_AndAreValidated()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ANTHROPIC_API_KEY"] = "from-variable",
            ["ANTHROPIC_MODEL"] = "variable-model",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddAutoDev().AddAnthropicChatClient();
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AnthropicChatClientOptions>>().Value;

        Assert.Equal(("from-variable", "variable-model"), (options.ApiKey, options.Model));
        Assert.IsType<AnthropicChatClientAdapter>(provider.GetRequiredKeyedService<IChatClient>(AutoDevChatClient.ServiceKey));
        Assert.Throws<InvalidSettingsException>(() => new AnthropicChatClientAdapter(new AnthropicChatClientOptions { Model = "m" }));
    }

    protected override void AddAdapter(IAutoDevBuilder builder) =>
        builder.AddAnthropicChatClient(o =>
        {
            o.Endpoint = Endpoint;
            o.ApiKey = Key;
            o.Model = Model;
        });

    internal override HttpReply Answer(string text, int inputTokens, int outputTokens) => HttpReply.Json(200, JsonSerializer.Serialize(new
    {
        id = "msg_1",
        type = "message",
        role = "assistant",
        model = Model,
        content = new[] { new { type = "text", text } },
        stop_reason = "end_turn",
        stop_sequence = (string?)null,
        usage = new { input_tokens = inputTokens, output_tokens = outputTokens },
    }));

    internal override HttpReply Error(int status, string message, params (string Name, string Value)[] headers) =>
        HttpReply.Json(status, JsonSerializer.Serialize(new { type = "error", error = new { type = "api_error", message } }), headers);

    protected override bool CarriesKey(IReadOnlyDictionary<string, string> headers) =>
        (headers.TryGetValue("x-api-key", out var key) && key == Key)
        || (headers.TryGetValue("Authorization", out var bearer) && bearer == $"Bearer {Key}");

    protected override IReadOnlyList<(string Role, string Text)> SentMessages(JsonElement body) =>
    [
        ("system", Text(body.GetProperty("system"))),
        .. body.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("role").GetString()!, Text(m.GetProperty("content")))),
    ];

    private static string Text(JsonElement content) => content.ValueKind == JsonValueKind.String
        ? content.GetString()!
        : string.Concat(content.EnumerateArray().Select(p => p.GetProperty("text").GetString()));
}
