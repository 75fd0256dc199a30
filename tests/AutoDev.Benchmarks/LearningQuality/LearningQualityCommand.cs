using System.Diagnostics;
using System.Globalization;
using AutoDev.Sandbox.Docker;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Benchmarks.LearningQuality;

/// <summary>
/// How often AutoDev promotes a wrong skill, on what real models wrote for HumanEval (see <see cref="Replay"/>).
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project tests/AutoDev.Benchmarks -- learning-quality &lt;file.jsonl.gz&gt; [--problems N] [--parallelism P] [--held-out last|first|spread|varied] [--no-mutations]</c>.
/// A file of one program per problem (<c>task_id</c>, <c>given_tests</c>, <c>solution</c>, <c>is_solved</c>) prints
/// the three policies' table and the mutation check's; CodeT's sample file (<c>prompt</c>, <c>samples</c>) prints
/// <c>k</c> = 1 against <c>k</c> = 5 under policy (C). Validation runs in Docker's warm tier; the store is a SQLite file.
/// </remarks>
internal static class LearningQualityCommand
{
    public const string Command = "learning-quality";

    public static async Task RunAsync(string[] args)
    {
        if (args.Length < 2)
        {
            throw new ArgumentException($"usage: {Command} <file.jsonl.gz> [--problems N] [--parallelism P] [--held-out last|first|spread|varied] [--no-mutations]");
        }

        var file = Path.GetFullPath(args[1]);
        var count = Option(args, "--problems", 164);
        var parallelism = Option(args, "--parallelism", 2);
        var rule = Array.IndexOf(args, "--held-out") is var r and > 0 ? Enum.Parse<HeldOutRule>(args[r + 1], ignoreCase: true) : HeldOutRule.Last;
        var problems = Replay.Problems();
        await using var tools = new ServiceCollection().AddAutoDevForTools().BuildServiceProvider();
        var sandbox = tools.GetRequiredService<ISandbox>();
        Console.WriteLine($"learning-quality {Path.GetFileName(file)} · {count} problems · held-out rule {rule} · parallelism {parallelism} · sandbox {sandbox.Tier}");

        if (IsSampleFile(file))
        {
            await RunSamplesAsync(file, problems, sandbox, count, parallelism, rule);
            return;
        }

        var records = Replay.Load(file).Take(count).ToList();
        var pairs = records.Select(r => (problems[r.TaskId], r)).ToList();
        var prepared = await Replay.PrepareAsync(sandbox, pairs.Select(p => (p.Item1, p.r.GivenTests)), parallelism, rule);
        var verdicts = await ReplayAsync(pairs, prepared, sandbox, samples: 1, parallelism, "replay");
        Print(verdicts.Verdicts, verdicts.Elapsed, records);
        if (!args.Contains("--no-mutations"))
        {
            await MutationsAsync(pairs, prepared, sandbox, tools.GetRequiredService<IFitnessService>(), parallelism);
        }
    }

    private static async Task<(List<Verdict> Verdicts, TimeSpan Elapsed)> ReplayAsync(
        List<(Problem, ReplayRecord)> pairs, IReadOnlyDictionary<string, Prepared> prepared, ISandbox judge, int samples, int parallelism, string name)
    {
        var database = Path.Combine(Path.GetTempPath(), $"autodev-{name}-{Guid.NewGuid():N}.db");
        try
        {
            var setup = new ReplaySetup(database, builder => builder.AddDockerSandbox());
            var (candidates, elapsed) = await Replay.RunAsync(setup, pairs, prepared, samples, parallelism);
            var judged = Stopwatch.StartNew();
            var verdicts = await Replay.JudgeAllAsync(judge, pairs, candidates, parallelism);
            Console.WriteLine($"  ({name}: replay {elapsed.TotalSeconds:0.0} s, {pairs.Count / elapsed.TotalSeconds:0.0} problems/s; HumanEval's check on every candidate {judged.Elapsed.TotalSeconds:0.0} s)");
            return (verdicts, elapsed);
        }
        finally
        {
            Replay.DeleteDatabase(database);
        }
    }

    private static void Print(List<Verdict> verdicts, TimeSpan elapsed, List<ReplayRecord> records)
    {
        var labels = records.Where(r => r.IsSolved is not null).ToDictionary(r => r.TaskId, r => r.IsSolved!.Value);
        var right = verdicts.Count(v => v.Right);
        Console.WriteLine($"candidates {verdicts.Count}; right by HumanEval's check in the sandbox {right} (upstream label: {labels.Values.Count(l => l)}; they disagree on {verdicts.Count(v => labels.TryGetValue(v.Problem.TaskId, out var l) && l != v.Right)})");
        Console.WriteLine("| policy | validated | validated and right | validated but wrong (false promotions) | rejected but right (false rejections) | false promotions / validated | false rejections / right | replay time, problems/s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (policy, accepted) in new (string, Func<Verdict, bool>)[]
        {
            ("(A) the code runs", v => v.Runs),
            ("(B) its own tests", v => v.OwnTests),
            ("(C) own tests + 3 held-out", v => v.HeldOut),
        })
        {
            var validated = verdicts.Count(accepted);
            var validatedRight = verdicts.Count(v => accepted(v) && v.Right);
            var wrong = validated - validatedRight;
            var rejectedRight = verdicts.Count(v => !accepted(v) && v.Right);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {policy} | {validated} | {validatedRight} | {wrong} | {rejectedRight} | {Percent(wrong, validated)} | {Percent(rejectedRight, right)} | {elapsed.TotalSeconds:0.0} s, {verdicts.Count / elapsed.TotalSeconds:0.0}/s |"));
        }

        var promoted = verdicts.Count(v => v.Candidate?.Status == SkillCandidateStatus.Promoted);
        if (promoted != verdicts.Count(v => v.HeldOut))
        {
            throw new InvalidOperationException($"{promoted} candidates were promoted, but {verdicts.Count(v => v.HeldOut)} pass policy (C): the table does not read what AutoDev did.");
        }

        foreach (var v in verdicts.Where(v => v.HeldOut && !v.Right))
        {
            Console.WriteLine($"  false promotion: {v.Problem.TaskId}");
        }

        foreach (var v in verdicts.Where(v => !v.HeldOut && v.Right))
        {
            Console.WriteLine($"  false rejection: {v.Problem.TaskId}: {Cut(v.Candidate?.FailureReason)}");
        }
    }

    private static async Task RunSamplesAsync(string file, IReadOnlyDictionary<string, Problem> problems, ISandbox sandbox, int count, int parallelism, HeldOutRule rule)
    {
        var given = Replay.Load(Replay.DataFile("llm-humaneval", "ldb-gpt-3.5-turbo-0613.jsonl.gz"));
        var records = Replay.LoadSamples(file, Path.Combine(Path.GetDirectoryName(file)!, "codet-humaneval-prompts.jsonl.gz"), given).Take(count).ToList();
        var pairs = records.Select(r => (problems[r.TaskId], r)).ToList();
        var prepared = await Replay.PrepareAsync(sandbox, pairs.Select(p => (p.Item1, p.r.GivenTests)), parallelism, rule);
        Console.WriteLine("| k | kept skill right | validated but wrong | no skill kept | model calls | replay time |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var k in (int[])[1, 5])
        {
            var (verdicts, elapsed) = await ReplayAsync(pairs, prepared, sandbox, k, parallelism, $"k{k}");
            var kept = verdicts.Count(v => v.HeldOut && v.Right);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {k} | {kept} of {verdicts.Count} ({Percent(kept, verdicts.Count)}) | {verdicts.Count(v => v.HeldOut && !v.Right)} | {verdicts.Count(v => !v.HeldOut)} | {verdicts.Count * k} | {elapsed.TotalSeconds:0.0} s |"));
        }
    }

    /// <summary>Per problem, the canonical solution as parent and the model's program as child, through AlphaEvolver's behaviour check.</summary>
    private static async Task MutationsAsync(List<(Problem Problem, ReplayRecord Record)> pairs, Dictionary<string, Prepared> prepared, ISandbox sandbox, IFitnessService fitness, int parallelism)
    {
        var options = new EvolutionOptions { MeasurementRuns = 3 };
        var evaluator = new MutationEvaluator(sandbox, fitness, options);
        var outcomes = new System.Collections.Concurrent.ConcurrentBag<(string TaskId, bool Right, string? Reason)>();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(pairs, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (pair, ct) =>
        {
            var (problem, record) = pair;
            var cases = prepared[problem.TaskId];
            var testsJson = Replay.TestsJson(cases);
            var inputs = MutationEvaluator.Inputs(cases.Recorded, testsJson, options.MaxEvaluationInputs);
            var child = record.Solutions[0];
            var right = await Replay.JudgeAsync(sandbox, problem, child);
            if (inputs.Count == 0 && cases.HeldOut.Count == 0)
            {
                // What AlphaEvolver does then: nothing to compare the two on, so the child fails.
                outcomes.Add((problem.TaskId, right, "Nothing to compare parent and child on."));
                return;
            }

            var outcome = await evaluator.EvaluateAsync(Replay.Workspace, problem.Prompt + problem.CanonicalSolution, child, problem.EntryPoint, testsJson, cases.HeldOut, inputs, ct);
            outcomes.Add((problem.TaskId, right, outcome.FailureReason));
        });
        static bool ByBehaviour(string? reason) => reason is not null && !reason.StartsWith("The child is not fitter", StringComparison.Ordinal);
        var wrong = outcomes.Where(o => !o.Right).ToList();
        var right = outcomes.Where(o => o.Right).ToList();
        Console.WriteLine($"mutations (canonical parent, the model's program as child; {watch.Elapsed.TotalSeconds:0.0} s):");
        Console.WriteLine("| children | wrong | wrong rejected by the behaviour check | right | right rejected by it by mistake |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| {outcomes.Count} | {wrong.Count} | {wrong.Count(o => ByBehaviour(o.Reason))} ({Percent(wrong.Count(o => ByBehaviour(o.Reason)), wrong.Count)}) | {right.Count} | {right.Count(o => ByBehaviour(o.Reason))} ({Percent(right.Count(o => ByBehaviour(o.Reason)), right.Count)}) |");
        foreach (var o in right.Where(o => ByBehaviour(o.Reason)).OrderBy(o => o.TaskId, StringComparer.Ordinal))
        {
            Console.WriteLine($"  right child rejected: {o.TaskId}: {Cut(o.Reason)}");
        }

        foreach (var o in wrong.Where(o => !ByBehaviour(o.Reason)).OrderBy(o => o.TaskId, StringComparer.Ordinal))
        {
            Console.WriteLine($"  wrong child not rejected: {o.TaskId}: {Cut(o.Reason)}");
        }
    }

    private static bool IsSampleFile(string file)
    {
        using var stream = new System.IO.Compression.GZipStream(File.OpenRead(file), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(stream);
        return reader.ReadLine() is { } line && System.Text.Json.Nodes.JsonNode.Parse(line)!["samples"] is not null;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i > 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string Percent(int part, int whole) => whole == 0 ? "–" : (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Cut(string? text) => text is null ? "(none)" : text.Length <= 200 ? text : text[..200] + "…";

    /// <summary>AutoDev with Docker's warm tier, for the sandbox that prepares and judges (not the replay's own host).</summary>
    private static IServiceCollection AddAutoDevForTools(this IServiceCollection services)
    {
        services.AddAutoDev().AddDockerSandbox();
        return services;
    }
}
