using System.Text.Json;
using AutoDev;
using AutoDev.Testing;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AutoDev.Benchmarks;

/// <summary>
/// Reflection's decision for a new failure, with 1,000 agents × 100 stored failures. Baseline: comparing the new
/// failure with every stored failure (the whole-history pairwise scan the design rules out).
/// </summary>
[MemoryDiagnoser]
public class ReflectionBenchmarks
{
    private const int Agents = 1000;
    private const int FailuresPerAgent = 100;
    private static readonly string[] Tasks =
    [
        "Extract invoice ID from customer emails", "Create invoice for order", "Refund order for customer",
        "Summarize the refund policy", "Look up VAT number in the CRM", "Translate the email to German",
        "Schedule a call with the customer", "Cancel the subscription", "Update the shipping address",
        "Merge duplicate customer records",
    ];

    private FailurePatternDetector _engine = null!;
    private InMemoryEpisodeStore _episodes = null!;
    private List<TaskSignature> _history = null!;
    private readonly LexicalTaskSimilarity _similarity = new();
    private int _next;

    [GlobalSetup]
    public async Task Setup()
    {
        _episodes = new InMemoryEpisodeStore(new InMemoryAgentProfileStore());
        _engine = new FailurePatternDetector(_similarity, _episodes, new InMemorySkillCandidateStore(), Options.Create(new AutoDevOptions { FailureThreshold = int.MaxValue }), Microsoft.Extensions.Logging.Abstractions.NullLogger<FailurePatternDetector>.Instance);
        _history = [];
        for (var agent = 0; agent < Agents; agent++)
        {
            for (var i = 0; i < FailuresPerAgent; i++)
            {
                var episode = NewFailure(agent, i);
                await _episodes.AddAsync(episode, CancellationToken.None);
                await _engine.ObserveFailureAsync(episode, CancellationToken.None);
                _history.Add(LexicalTaskSimilarity.Sign(episode.TaskDescription));
            }
        }
    }

    [Benchmark(Baseline = true)]
    public int PairwiseScanOfTheWholeHistory()
    {
        var signature = LexicalTaskSimilarity.Sign(Tasks[_next++ % Tasks.Length] + " #" + _next);
        var similar = 0;
        foreach (var stored in _history)
        {
            similar += _similarity.Similarity(signature, stored) >= _similarity.Threshold ? 1 : 0;
        }

        return similar;
    }

    [Benchmark]
    public async Task<ReflectionAction> ReflectionDecision()
    {
        var n = _next++;
        return (await _engine.ObserveFailureAsync(NewFailure(n % Agents, n), CancellationToken.None)).Action;
    }

    private static Episode NewFailure(int agent, int i) => new()
    {
        TenantId = "bench",
        AgentId = $"agent-{agent}",
        TaskDescription = $"{Tasks[(agent + i) % Tasks.Length]} #{i}",
        Success = false,
        OccurredAt = DateTimeOffset.UnixEpoch.AddSeconds(i),
    };
}

/// <summary>
/// The Memento loop's own cost from a failure to a validated candidate (record the failure, reflect, gate, prompt,
/// parse, store, validate, score, review check) with a model and a sandbox that answer at once, in-memory stores.
/// Baseline: the same model and sandbox calls alone, so the difference is the loop's overhead.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, warmupCount: 3, iterationCount: 15)]
public class MementoLoopBenchmarks
{
    private const string Answer = """
        ```python
        def extract_invoice_id(text: str) -> str:
            "Return the id."
            return text.split()[-1]
        ```
        ```json
        [{"inputs": {"text": "id INV-1"}, "expected": "INV-1"}]
        ```
        """;

    // The harness's answer for the one case: returned "INV-1" (the host compares it with the expected value).
    private static readonly SandboxResult Passed = FakeSandbox.Success(JsonSerializer.Deserialize<JsonElement>("""[[null, "\"INV-1\""]]"""));

    private ServiceProvider _services = null!;
    private IEpisodeRecorder _recorder = null!;
    private IAgentProfileStore _agents = null!;
    private ScriptedChatClient _chat = null!;
    private FakeSandbox _sandbox = null!;
    private int _agent;

    [GlobalSetup]
    public async Task Setup()
    {
        _chat = new ScriptedChatClient((_, _, _) => Task.FromResult(ScriptedChatClient.Text(Answer)));
        _sandbox = new FakeSandbox((_, _) => Task.FromResult(Passed));
        var services = new ServiceCollection();
        services.AddAutoDev(o => o.EventDispatchMode = EventDispatchMode.Inline).UseChatClient(_chat).UseSandbox(_sandbox);
        _services = services.BuildServiceProvider();
        await _services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync("bench", new WorkspaceSettings { Enabled = true }, CancellationToken.None);
        await _services.GetRequiredService<MementoLoop>().StartAsync(CancellationToken.None);
        _recorder = _services.GetRequiredService<IEpisodeRecorder>();
        _agents = _services.GetRequiredService<IAgentProfileStore>();
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _services.DisposeAsync();

    [Benchmark(Baseline = true)]
    public async Task<bool> ModelAndSandboxAlone()
    {
        var answer = await _chat.GetResponseAsync([new ChatMessage(ChatRole.User, "write extract_invoice_id")]);
        var result = await _sandbox.ExecuteAsync(new SandboxRequest { TenantId = "bench", Code = answer.Text, EntryPoint = "extract_invoice_id" }, CancellationToken.None);
        return result.Succeeded;
    }

    [Benchmark]
    public async Task<bool> FailureToValidatedCandidate()
    {
        // A fresh INTERN agent each time: its own daily limit and its own failure pattern.
        var agent = $"agent-{_agent++}";
        await _agents.AddAsync(new AgentProfile { TenantId = "bench", AgentId = agent, Maturity = AgentMaturity.Intern }, CancellationToken.None);
        EpisodeRecorded? last = null;
        for (var i = 0; i < 2; i++)
        {
            last = await _recorder.RecordAsync(new Episode { TenantId = "bench", AgentId = agent, TaskDescription = $"Extract invoice ID from {Letters(_agent)} emails", ErrorTrace = "KeyError", ContextJson = """{"text": "id INV-1"}""" });
        }

        return last!.Episode.Success;
    }

    /// <summary>A word per number (digits would be ignored by the task similarity): 0 → "a", 27 → "bb".</summary>
    private static string Letters(int n) => n < 26 ? ((char)('a' + n)).ToString() : Letters((n / 26) - 1) + (char)('a' + (n % 26));
}
