using System.Diagnostics;
using AutoDev;
using AutoDev.Testing;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Benchmarks;

/// <summary>
/// A 10-iteration research experiment on the slow <c>process_invoice</c> skill: a scripted model answers at once, the
/// real sandbox (bubblewrap, warm) runs every evaluation, stores in memory. Baseline: the very sandbox calls that
/// one experiment made, replayed alone, one after another as the experiment made them. The difference is
/// AlphaEvolver's own overhead (gate, budget, prompt, parse, store, statistics, fitness, events).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, warmupCount: 1, iterationCount: 8)]
public class ResearchBenchmarks
{
    private EvolutionBench _bench = null!;
    private List<SandboxRequest> _calls = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _bench = await EvolutionBench.StartAsync();
        _bench.Sandbox.Recording = true;
        await Experiment();
        _bench.Sandbox.Recording = false;
        _calls = [.. _bench.Sandbox.Recorded];
    }

    private TimeSpan _experimentTime;
    private TimeSpan _sandboxTime;

    [GlobalCleanup]
    public async Task Cleanup()
    {
        // Measured inside each experiment: its wall time against the time its (sequential) sandbox calls took.
        if (_sandboxTime > TimeSpan.Zero)
        {
            Console.WriteLine($"// research overhead: {(_experimentTime - _sandboxTime).TotalMilliseconds:0} ms outside the sandbox in {_experimentTime.TotalMilliseconds:0} ms = {(_experimentTime - _sandboxTime) / _sandboxTime:P2} of sandbox time");
        }

        await _bench.DisposeAsync();
    }

    [IterationSetup]
    public void NextDay() => _bench.NextDay();

    [Benchmark(Baseline = true)]
    public async Task<int> SandboxCallsAlone()
    {
        var succeeded = 0;
        foreach (var call in _calls)
        {
            succeeded += (await _bench.Sandbox.Inner.ExecuteAsync(call, CancellationToken.None)).Succeeded ? 1 : 0;
        }

        return succeeded;
    }

    [Benchmark]
    public async Task<int> ResearchExperiment10Iterations() => await Experiment();

    private async Task<int> Experiment()
    {
        var sandboxBefore = _bench.Sandbox.Busy;
        var started = Stopwatch.GetTimestamp();
        var report = await _bench.Research.RunAsync(
            new ResearchRequest(EvolutionBench.Tenant, EvolutionBench.Agent, EvolutionBench.Skill) { Iterations = 10, ChildrenPerIteration = 1 },
            CancellationToken.None);
        _experimentTime += Stopwatch.GetElapsedTime(started);
        _sandboxTime += _bench.Sandbox.Busy - sandboxBefore;
        return report.Steps.Count == 10 ? report.Steps.Count : throw new InvalidOperationException($"The experiment stopped early: {report.StopReason}.");
    }
}

/// <summary>
/// Four children of <c>process_invoice</c> evaluated against it in the real sandbox (bubblewrap, warm): one after
/// another (baseline), and in parallel as a research iteration does; with the default two warm sandbox workers per
/// workspace, and with one per child.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, warmupCount: 1, iterationCount: 8)]
public class ParallelEvaluationBenchmarks
{
    private EvolutionBench _bench = null!;

    [Params(SandboxOptions.DefaultWarmWorkersPerTenant, 4)]
    public int WarmWorkers { get; set; }

    [GlobalSetup]
    public async Task Setup() => _bench = await EvolutionBench.StartAsync(WarmWorkers);

    [GlobalCleanup]
    public async Task Cleanup() => await _bench.DisposeAsync();

    [Benchmark(Baseline = true)]
    public async Task<int> FourChildrenOneAfterAnother()
    {
        var passed = 0;
        foreach (var id in await FourPendingChildrenAsync())
        {
            passed += (await _bench.Alpha.SandboxExecuteMutationAsync(EvolutionBench.Tenant, id, CancellationToken.None)).Status == ToolMutationStatus.Passed ? 1 : 0;
        }

        return passed;
    }

    [Benchmark]
    public async Task<int> FourChildrenInParallel()
    {
        var evaluated = await Task.WhenAll((await FourPendingChildrenAsync()).Select(id => _bench.Alpha.SandboxExecuteMutationAsync(EvolutionBench.Tenant, id, CancellationToken.None)));
        return evaluated.Count(m => m.Status == ToolMutationStatus.Passed);
    }

    /// <summary>Four children written by the scripted model (the same small cost in both benchmarks), on a fresh day for the limit.</summary>
    private async Task<List<Guid>> FourPendingChildrenAsync()
    {
        _bench.NextDay();
        var ids = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add((await _bench.Alpha.GenerateToolMutationAsync(new MutationRequest(EvolutionBench.Tenant, EvolutionBench.Agent, EvolutionBench.Skill, MutationTrigger.Research), CancellationToken.None)).Id);
        }

        return ids;
    }
}

/// <summary>AutoDev with the slow skill, an AUTONOMOUS agent in a workspace that opted in to research, a scripted model and the real sandbox.</summary>
internal sealed class EvolutionBench : IAsyncDisposable
{
    public const string Tenant = "bench";
    public const string Agent = "researcher";
    public const string Skill = "process_invoice";

    private readonly ServiceProvider _services;
    private readonly ShiftedClock _clock;

    private EvolutionBench(ServiceProvider services, ShiftedClock clock, RecordingSandbox sandbox)
    {
        (_services, _clock, Sandbox) = (services, clock, sandbox);
        Alpha = services.GetRequiredService<AlphaEvolverEngine>();
        Research = services.GetRequiredService<ResearchExperiments>();
    }

    public AlphaEvolverEngine Alpha { get; }

    public ResearchExperiments Research { get; }

    public RecordingSandbox Sandbox { get; }

    public static async Task<EvolutionBench> StartAsync(int warmWorkers = SandboxOptions.DefaultWarmWorkersPerTenant)
    {
        var clock = new ShiftedClock();
        var variant = 0;

        // Each answer is the dictionary version with its own comment, so no child is the parent's code unchanged.
        var chat = new ScriptedChatClient((_, _, _) => Task.FromResult(ScriptedChatClient.Text(
            ScriptedAnswers.ProcessInvoiceFast.Replace("CATALOG = [", $"# variant {Interlocked.Increment(ref variant)}\nCATALOG = [", StringComparison.Ordinal))));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddAutoDev(o => o.EventDispatchMode = EventDispatchMode.Inline).UseChatClient(chat).ConfigureSandbox(o => o.WarmWorkersPerTenant = warmWorkers);
        services.AddSingleton<RecordingSandbox>(sp => new(ActivatorUtilities.CreateInstance<TieredSandbox>(sp)));
        services.AddSingleton<ISandbox>(sp => sp.GetRequiredService<RecordingSandbox>());
        var provider = services.BuildServiceProvider();
        var sandbox = provider.GetRequiredService<RecordingSandbox>();

        await provider.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync(Tenant, new WorkspaceSettings { Enabled = true, BackgroundEvolution = true, MaxMutationsPerDay = 50, DailyTokenBudget = 1_000_000_000 }, CancellationToken.None);
        await provider.GetRequiredService<IAgentProfileStore>().AddAsync(new AgentProfile { TenantId = Tenant, AgentId = Agent, Maturity = AgentMaturity.Autonomous }, CancellationToken.None);
        await provider.GetRequiredService<ISkillRegistry>().RegisterAsync(Tenant, Skill, ScriptedAnswers.ProcessInvoiceSlow, Skill, ScriptedAnswers.ProcessInvoiceTests);
        return new EvolutionBench(provider, clock, sandbox);
    }

    /// <summary>A new UTC day: fresh daily limits and budget, so every iteration can run in full.</summary>
    public void NextDay() => _clock.Offset += TimeSpan.FromDays(1);

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();

    /// <summary>The system clock, moved forward by whole days; timers and time stamps stay the system's.</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
    }
}

/// <summary>Passes calls to the real sandbox and, while asked, records them.</summary>
internal sealed class RecordingSandbox(ISandbox inner) : ISandbox
{
    private readonly List<SandboxRequest> _recorded = [];

    public ISandbox Inner { get; } = inner;

    public string Tier => Inner.Tier;

    public bool Recording { get; set; }

    public IReadOnlyList<SandboxRequest> Recorded
    {
        get
        {
            lock (_recorded)
            {
                return [.. _recorded];
            }
        }
    }

    private long _busyTicks;

    /// <summary>The total wall time of every call (their sum: exact when calls do not overlap).</summary>
    public TimeSpan Busy => TimeSpan.FromTicks(Interlocked.Read(ref _busyTicks));

    public async Task<SandboxResult> ExecuteAsync(SandboxRequest request, CancellationToken cancellationToken)
    {
        if (Recording)
        {
            lock (_recorded)
            {
                _recorded.Add(request);
            }
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            return await Inner.ExecuteAsync(request, cancellationToken);
        }
        finally
        {
            Interlocked.Add(ref _busyTicks, Stopwatch.GetElapsedTime(started).Ticks);
        }
    }
}
