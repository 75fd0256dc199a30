using System.Globalization;

namespace AutoDev.Benchmarks;

/// <summary>
/// What the per-execution clean-up of a warm fork server costs on its own: inside each warm tier, the runner's own
/// clean-up functions (empty the temp root and <c>/dev/shm</c>, remove every SysV IPC object) are timed over many
/// calls, after an execution that left nothing (the common case) and after one that left a file in each place and a
/// SysV segment. Baseline: an empty Python call timed the same way, in the same sandbox.
/// </summary>
/// <remarks><c>dotnet run -c Release --project tests/AutoDev.Benchmarks -- cleanup-cost [calls]</c></remarks>
internal static class CleanupCost
{
    public const string Command = "cleanup-cost";

    private const string Timing = """
        import ctypes, os, time
        def run(source, calls, leave):
            runner = {'__name__': 'autodev_runner_under_benchmark'}
            exec(compile(source, '<runner>', 'exec'), runner)
            libc = ctypes.CDLL(None)
            def left():
                open('/tmp/left', 'w').write('x')
                open('/dev/shm/left', 'w').write('x')
                libc.shmget(0, 4096, 0o1600)
            def clean():
                runner['_empty_dir']('/tmp')
                runner['_empty_dir']('/dev/shm')
                runner['_remove_sysv_ipc']()
            def nothing():
                pass
            samples = {'baseline': [], 'clean-up': []}
            for _ in range(calls):
                for name, step in (('baseline', nothing), ('clean-up', clean)):
                    if leave:
                        left()
                    start = time.perf_counter_ns()
                    step()
                    samples[name].append((time.perf_counter_ns() - start) / 1000.0)
                    clean()
            return {name: sorted(values) for name, values in samples.items()}
        """;

    public static async Task RunAsync(string[] args)
    {
        var calls = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000;
        await using var tiers = await SandboxSet.CreateAsync(1);
        Console.WriteLine($"Per-execution clean-up inside each warm tier, {calls} calls each; microseconds");
        Console.WriteLine("| tier | after | baseline p50 | clean-up p50 | clean-up p95 |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        foreach (var (name, tier) in new (string, ISandbox)[] { ("bubblewrap", tiers.Bubblewrap), ("docker", tiers.DockerWarm), ("docker, gVisor", tiers.DockerWarmGVisor) })
        {
            foreach (var leave in new[] { false, true })
            {
                var result = await tier.ExecuteAsync(
                    new SandboxRequest
                    {
                        TenantId = "cleanup",
                        Code = Timing,
                        EntryPoint = "run",
                        InputsJson = System.Text.Json.JsonSerializer.Serialize(new { source = PythonRunner.Source, calls, leave }),
                        Timeout = TimeSpan.FromSeconds(120),
                        SafetyLevel = SafetyLevel.Low,
                    },
                    CancellationToken.None);
                if (!result.Succeeded)
                {
                    throw new InvalidOperationException($"{name}: {result.Status} {result.Error?.Message}\n{result.Stderr}");
                }

                var baseline = result.ReturnValue!.Value.GetProperty("baseline");
                var cleanup = result.ReturnValue.Value.GetProperty("clean-up");
                double At(System.Text.Json.JsonElement sorted, double q) => sorted[(int)(q * (sorted.GetArrayLength() - 1))].GetDouble();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {(leave ? "a file in /tmp and /dev/shm, a SysV segment" : "nothing left")} | {At(baseline, 0.5):0.0} | {At(cleanup, 0.5):0.0} | {At(cleanup, 0.95):0.0} |"));
            }
        }
    }
}
