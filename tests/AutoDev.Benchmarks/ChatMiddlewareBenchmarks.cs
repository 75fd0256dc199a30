using AutoDev;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Benchmarks;

/// <summary>
/// What <c>UseAutoDev()</c> adds to an agent's chat request, with 50 skills in the workspace and the in-memory stores.
/// Baseline: the scripted chat client alone. <c>OfferSkills</c>: the skills added as tools (no tool is called, so
/// nothing is recorded). <c>OfferSkillsAndRecord</c>: the response also holds a tool call and its result, so each
/// request records a succeeded episode.
/// </summary>
/// <remarks>A fixed number of invocations: each recorded episode stays in the in-memory store.</remarks>
[MemoryDiagnoser]
[Config(typeof(LatencyConfig))]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15, invocationCount: 4_000)]
public class ChatMiddlewareBenchmarks
{
    private const int Skills = 50;
    private ServiceProvider _services = null!;
    private IChatClient _scripted = null!;
    private IChatClient _offering = null!;
    private IChatClient _recording = null!;
    private ChatOptions _options = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _services = new ServiceCollection().AddAutoDev(o => o.EventDispatchMode = EventDispatchMode.Inline).Services.BuildServiceProvider();
        await _services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync("t", new WorkspaceSettings { Enabled = true }, CancellationToken.None);
        var registry = _services.GetRequiredService<ISkillRegistry>();
        for (var i = 0; i < Skills; i++)
        {
            await registry.RegisterAsync("t", $"skill_{i}", $"def skill_{i}(text: str) -> str:\n    return text\n", $"skill_{i}", """[{"inputs": {"text": "a"}, "expected": "a"}]""", $"Returns the text ({i}).", CancellationToken.None);
        }

        var text = new ChatResponse(new ChatMessage(ChatRole.Assistant, "done"));
        var withCall = new ChatResponse(
        [
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "skill_0", new Dictionary<string, object?> { ["text"] = "a" })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "a")]),
            new ChatMessage(ChatRole.Assistant, "done"),
        ]);
        _scripted = new FixedAnswer(text);
        _offering = new ChatClientBuilder(_scripted).UseAutoDev().Build(_services);
        _recording = new ChatClientBuilder(new FixedAnswer(withCall)).UseAutoDev().Build(_services);
        _options = new ChatOptions { AdditionalProperties = new() { [AgentIdentity.OptionsKey] = new AgentIdentity("t", "agent") } };
        await _offering.GetResponseAsync("warm the tool cache", _options);
    }

    /// <summary>A chat client that gives one answer and keeps nothing (the scripted client keeps every call, which would grow through a run).</summary>
    private sealed class FixedAnswer(ChatResponse answer) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => Task.FromResult(answer);

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            answer.ToChatResponseUpdates().ToAsyncEnumerable();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _services.DisposeAsync();

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> ScriptedClientAlone() => _scripted.GetResponseAsync("Extract the invoice id", _options);

    [Benchmark]
    public Task<ChatResponse> OfferSkills() => _offering.GetResponseAsync("Extract the invoice id", _options);

    [Benchmark]
    public Task<ChatResponse> OfferSkillsAndRecord() => _recording.GetResponseAsync("Extract the invoice id", _options);
}
