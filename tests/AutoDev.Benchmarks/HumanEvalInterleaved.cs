using System.Diagnostics;
using System.Globalization;

namespace AutoDev.Benchmarks;

/// <summary>
/// HumanEval-164 through baseline (a) and each warm tier, interleaved: every round runs each variant once, in an order
/// that rotates from round to round, so that a machine whose speed drifts during the run (as the 2-core VMs this
/// project is measured on do, by ±15% within minutes) slows every variant alike. Reports each variant's median wall
/// time and problems/s, and the median of its per-round ratios to (a) from the same round.
/// </summary>
/// <remarks><c>dotnet run -c Release --project tests/AutoDev.Benchmarks -- humaneval-interleaved [rounds] [parallelism]</c></remarks>
internal static class HumanEvalInterleaved
{
    public const string Command = "humaneval-interleaved";

    public static async Task RunAsync(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        var parallelism = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
        var programs = HumanEvalData.Programs();
        await using var tiers = await SandboxSet.CreateAsync(parallelism);
        await tiers.WarmUpAsync("humaneval");
        (string Name, Func<Task> Run)[] variants =
        [
            ("(a) fork-per-problem, no isolation", () => HumanEvalData.RunLeanForkHarnessAsync(warmStart: false)),
            ("(a') (a) with the warm tiers' start-up work", () => HumanEvalData.RunLeanForkHarnessAsync(warmStart: true)),
            ("BubblewrapWarm", () => HumanEvalData.RunAllAsync(tiers.Bubblewrap, programs, parallelism)),
            ("BubblewrapWarm, inline scheduling", () => HumanEvalData.RunAllAsync(tiers.BubblewrapInline, programs, parallelism)),
            ("DockerWarm", () => HumanEvalData.RunAllAsync(tiers.DockerWarm, programs, parallelism)),
            ("DockerWarm, inline scheduling", () => HumanEvalData.RunAllAsync(tiers.DockerWarmInline, programs, parallelism)),
            ("DockerWarm, gVisor (runsc)", () => HumanEvalData.RunAllAsync(tiers.DockerWarmGVisor, programs, parallelism)),
        ];

        // Warm-up rounds (JIT, the fork servers' first pages), not measured.
        for (var round = 0; round < 3; round++)
        {
            foreach (var variant in variants)
            {
                await variant.Run();
            }
        }

        var times = variants.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < variants.Length; k++)
            {
                var v = (k + round) % variants.Length;
                var watch = Stopwatch.StartNew();
                await variants[v].Run();
                times[v].Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        Console.WriteLine($"HumanEval-{programs.Count}, {rounds} interleaved rounds, parallelism {parallelism}");
        Console.WriteLine("| variant | median wall | problems/s | median ratio to (a), same round | ratio range (10th-90th percentile) |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        for (var v = 0; v < variants.Length; v++)
        {
            var ratios = times[v].Zip(times[0], (t, a) => t / a).ToList();
            var median = Median(times[v]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {variants[v].Name} | {median:F1} ms | {programs.Count * 1000 / median:F0} | {Median(ratios):F2} | {Percentile(ratios, 0.1):F2}-{Percentile(ratios, 0.9):F2} |"));
        }
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        var position = p * (sorted.Count - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }
}
