using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AutoDev.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Benchmarks.LearningQuality;

/// <summary>A HumanEval problem: its prompt, entry point, canonical solution and check program.</summary>
internal sealed record Problem(string TaskId, string Prompt, string EntryPoint, string CanonicalSolution, string Test)
{
    /// <summary>The number in <c>HumanEval/17</c>.</summary>
    public int Number => int.Parse(TaskId[(TaskId.IndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// What the agent was asked: a heading, then the HumanEval prompt. AutoDev names the skill after the heading
    /// (<c>humaneval_56</c>): two problems share an entry point (<c>correct_bracketing</c>), and a workspace's skill names are unique.
    /// </summary>
    public string Task => $"HumanEval {Number} for {EntryPoint}:\n{Prompt}";
}

/// <summary>One record of a replay file: what a model wrote for a problem, and the docstring examples it saw.</summary>
/// <param name="TaskId">The problem, <c>HumanEval/0</c>.</param>
/// <param name="GivenTests">The docstring examples as <c>assert f(...) == ...</c> lines.</param>
/// <param name="Solutions">What the model wrote: one program, or several samples.</param>
/// <param name="IsSolved">The upstream label, when there is one.</param>
internal sealed record ReplayRecord(string TaskId, IReadOnlyList<string> GivenTests, IReadOnlyList<string> Solutions, bool? IsSolved);

/// <summary>What the sandbox worked out for a problem before the replay: the model's tests, the held-out cases, and the recorded inputs.</summary>
/// <param name="Given">The given tests as AutoDev test cases (keyword arguments and expected value), in the answer's JSON block.</param>
/// <param name="HeldOut">Three distinct calls HumanEval's check makes (by a <see cref="HeldOutRule"/>), with the canonical solution's answers.</param>
/// <param name="Recorded">The check's further distinct inputs: what a parent skill ran on in production, for mutations.</param>
internal sealed record Prepared(IReadOnlyList<TestCase> Given, IReadOnlyList<TestCase> HeldOut, IReadOnlyList<string> Recorded);

/// <summary>How one candidate fared under the three policies, and the truth.</summary>
internal sealed record Verdict(Problem Problem, SkillCandidate? Candidate, bool Runs, bool OwnTests, bool HeldOut, bool Right);

/// <summary>
/// Replays what real models wrote for HumanEval through the real Memento-Skills loop: per problem, an agent records two
/// failed episodes of the task, a scripted chat client answers with the recorded program and test cases made from
/// the docstring examples, validation runs in the sandbox, the stores are a SQLite file, and a reviewer approves
/// what validated. Two of the three held-out cases travel as the failures' resolutions, the third as an acceptance
/// case registered for the task. The truth is HumanEval's whole check run on each candidate's code in the sandbox.
/// </summary>
internal static class Replay
{
    public const string Workspace = "humaneval";

    /// <summary>At most this many held-out cases per problem: a person confirms only a few outcomes (chosen by a <see cref="HeldOutRule"/>).</summary>
    public const int HeldOutPerProblem = 3;

    /// <summary>How long a candidate's validation may run: HumanEval's own harness gives a program 3 seconds.</summary>
    public static readonly TimeSpan ValidationTimeout = TimeSpan.FromSeconds(3);

    /// <summary>How long the judge's run of the whole check may take: the 20 seconds the upstream labels were made with.</summary>
    private static readonly TimeSpan JudgeTimeout = TimeSpan.FromSeconds(20);

    public static string Root { get; } = FindRoot();

    public static string DataFile(params string[] parts) => Path.Combine([Root, "tests", "data", .. parts]);

    /// <summary>HumanEval's 164 problems, by task id.</summary>
    public static IReadOnlyDictionary<string, Problem> Problems() =>
        ReadLines(DataFile("HumanEval.jsonl.gz"))
            .Select(r => new Problem(r["task_id"]!.GetValue<string>(), r["prompt"]!.GetValue<string>(), r["entry_point"]!.GetValue<string>(), r["canonical_solution"]!.GetValue<string>(), r["test"]!.GetValue<string>()))
            .ToDictionary(p => p.TaskId);

    /// <summary>A replay file of one program per problem: <c>task_id</c>, <c>given_tests</c>, <c>solution</c>, <c>is_solved</c> (LDB's format).</summary>
    public static List<ReplayRecord> Load(string path) =>
        [.. ReadLines(path)
            .Select(r => new ReplayRecord(
                r["task_id"]!.GetValue<string>(),
                [.. r["given_tests"]!.AsArray().Select(t => t!.GetValue<string>())],
                [r["solution"]!.GetValue<string>()],
                r["is_solved"]?.GetValue<bool>()))
            .OrderBy(r => int.Parse(r.TaskId[(r.TaskId.IndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>
    /// CodeT's CodeGen-16B file (<c>prompt</c>, 100 <c>samples</c> each), matched to task ids through its prompts file;
    /// each sample is appended to its prompt. The docstring examples come from <paramref name="givenFrom"/>.
    /// </summary>
    public static List<ReplayRecord> LoadSamples(string path, string promptsPath, IReadOnlyList<ReplayRecord> givenFrom)
    {
        var taskOf = ReadLines(promptsPath).ToDictionary(r => r["prompt"]!.GetValue<string>(), r => r["task_id"]!.GetValue<string>());
        var given = givenFrom.ToDictionary(r => r.TaskId, r => r.GivenTests);
        return [.. ReadLines(path)
            .Select(r =>
            {
                var prompt = r["prompt"]!.GetValue<string>();
                var task = taskOf[prompt];
                return new ReplayRecord(task, given[task], [.. r["samples"]!.AsArray().Select(s => prompt + s!.GetValue<string>())], null);
            })
            .OrderBy(r => int.Parse(r.TaskId[(r.TaskId.IndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture))];
    }

    /// <summary>
    /// Works out, in the sandbox, each problem's test cases from its docstring examples and its held-out cases and
    /// recorded inputs from a run of HumanEval's check on the canonical solution.
    /// </summary>
    public static async Task<Dictionary<string, Prepared>> PrepareAsync(ISandbox sandbox, IEnumerable<(Problem Problem, IReadOnlyList<string> GivenTests)> problems, int parallelism, HeldOutRule rule = HeldOutRule.Last)
    {
        var prepared = new ConcurrentDictionary<string, Prepared>();
        await Parallel.ForEachAsync(problems, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (item, ct) =>
        {
            var (problem, given) = item;
            var result = await sandbox.ExecuteAsync(new SandboxRequest
            {
                TenantId = Workspace,
                Code = PreparationModule(problem, given, rule),
                EntryPoint = "_prepare",
                Timeout = JudgeTimeout,
                SafetyLevel = SafetyLevel.High,
            }, ct);
            if (result is not { Succeeded: true, ReturnValue: { } value })
            {
                throw new InvalidOperationException($"Preparing {problem.TaskId} failed: {result.Status} {result.Error?.Message}");
            }

            prepared[problem.TaskId] = new Prepared(
                [.. value.GetProperty("given").EnumerateArray().Select(c => TestCase.Returns(c[0].GetRawText(), c[1].GetRawText()))],
                [.. value.GetProperty("held_out").EnumerateArray().Select(c => TestCase.Returns(c[0].GetRawText(), c[1].GetRawText(), "HumanEval check"))],
                [.. value.GetProperty("recorded").EnumerateArray().Select(c => c.GetRawText())]);
        });
        return new(prepared);
    }

    /// <summary>The answer a model gives in the format AutoDev's prompt asks for: the program, then the test cases.</summary>
    public static string Answer(string program, Prepared prepared, string name, string entryPoint)
    {
        var code = program.TrimEnd();
        if (name != entryPoint)
        {
            code += $"\n\n\ndef {name}(*args, **kwargs):\n    return {entryPoint}(*args, **kwargs)\n";
        }

        return $"```python\n{code}\n```\n\n```json\n{TestsJson(prepared)}\n```\n";
    }

    /// <summary>The given tests as AutoDev's test cases JSON, one case per line.</summary>
    public static string TestsJson(Prepared prepared)
    {
        var tests = new StringBuilder("[");
        for (var i = 0; i < prepared.Given.Count; i++)
        {
            var c = prepared.Given[i];
            tests.Append(i == 0 ? "\n  " : ",\n  ").Append("{\"inputs\": ").Append(c.InputsJson).Append(", \"expected\": ").Append(c.ExpectedJson).Append('}');
        }

        return tests.Append("\n]").ToString();
    }

    /// <summary>
    /// Runs the replay on a fresh host over <paramref name="database"/>: every problem through the Memento loop, then a
    /// reviewer's approval of every validated candidate. Returns each problem's candidate and how long it all took.
    /// </summary>
    public static async Task<(Dictionary<string, SkillCandidate> Candidates, TimeSpan Elapsed)> RunAsync(
        ReplaySetup setup,
        IReadOnlyList<(Problem Problem, ReplayRecord Record)> problems,
        IReadOnlyDictionary<string, Prepared> prepared,
        int samples,
        int parallelism)
    {
        var byName = problems.ToDictionary(p => MementoEngine.SuggestName(p.Problem.Task), p => p);
        var asked = new ConcurrentDictionary<string, int>();
        var chat = new ScriptedChatClient((messages, _, _) =>
        {
            var prompt = messages[^1].Text;
            var name = NameAsked(prompt);
            var (problem, record) = byName[name];
            var sample = asked.AddOrUpdate(name, 0, (_, n) => n + 1);
            return Task.FromResult(ScriptedChatClient.Text(Answer(record.Solutions[sample % record.Solutions.Count], prepared[problem.TaskId], name, problem.EntryPoint)));
        });

        var services = new ServiceCollection();
        var builder = services.AddAutoDev(o =>
        {
            o.EventDispatchMode = EventDispatchMode.Inline;
            o.CandidatesPerPattern = samples;
            o.ValidationTimeout = ValidationTimeout;
            o.Workspaces[Workspace] = new WorkspaceSettings { Enabled = true, MaxSkillCandidatesPerDay = 10, DailyTokenBudget = WorkspaceSettings.MaxDailyTokenBudget };
        })
            .UseChatClient(chat)
            .AddEntityFrameworkStores(o => o.UseSqlite($"Data Source={setup.Database}"));
        setup.ConfigureSandbox(builder);
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<AutoDev.EntityFrameworkCore.IAutoDevDatabase>().MigrateAsync();
        var loop = provider.GetRequiredService<MementoLoop>();
        await loop.StartAsync(CancellationToken.None);
        await loop.Recovery;

        // The sandbox's warm workers start before the clock does.
        var sandbox = provider.GetRequiredService<ISandbox>();
        await Task.WhenAll(Enumerable.Range(0, parallelism).Select(_ => sandbox.ExecuteAsync(new SandboxRequest { TenantId = Workspace, Code = "def f():\n    return 1\n", EntryPoint = "f" }, CancellationToken.None)));

        var agents = provider.GetRequiredService<IAgentProfileStore>();
        foreach (var (problem, _) in problems)
        {
            await agents.AddAsync(new AgentProfile { TenantId = Workspace, AgentId = AgentOf(problem), Maturity = AgentMaturity.Intern }, CancellationToken.None);
        }

        var recorder = provider.GetRequiredService<IEpisodeRecorder>();
        var acceptance = provider.GetRequiredService<AcceptanceCases>();
        var review = provider.GetRequiredService<IReviewService>();
        var candidates = provider.GetRequiredService<ISkillCandidateStore>();
        var found = new ConcurrentDictionary<string, SkillCandidate>();
        using var onValidated = provider.GetRequiredService<IEventBus>().Subscribe<SkillCandidateValidated>((e, _) =>
        {
            found[e.Candidate.AgentId] = e.Candidate;
            return ValueTask.CompletedTask;
        });
        using var onGenerated = provider.GetRequiredService<IEventBus>().Subscribe<SkillCandidateGenerated>((e, _) =>
        {
            found.TryAdd(e.Candidate.AgentId, e.Candidate);
            return ValueTask.CompletedTask;
        });

        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(problems, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (item, ct) =>
        {
            var problem = item.Problem;
            var cases = prepared[problem.TaskId].HeldOut;
            if (cases.Count > 2)
            {
                await acceptance.AddForTaskAsync(Workspace, problem.Task, cases[2], "a reviewer", ct);
            }

            for (var attempt = 0; attempt < 2; attempt++)
            {
                await recorder.RecordAsync(new Episode
                {
                    TenantId = Workspace,
                    AgentId = AgentOf(problem),
                    TaskDescription = problem.Task,
                    Success = false,
                    ErrorTrace = "AssertionError: the answer was wrong",
                    HumanIntervention = true,
                    Resolution = attempt < cases.Count ? cases[attempt] : null,
                }, ct);
            }

            if (found.TryGetValue(AgentOf(problem), out var candidate) && candidate.Status == SkillCandidateStatus.Validated)
            {
                await review.ApproveAsync(Workspace, candidate.Id, "a reviewer", "passes its tests and the held-out cases", ct);
            }
        });
        watch.Stop();
        await loop.StopAsync(CancellationToken.None);

        var result = new Dictionary<string, SkillCandidate>();
        foreach (var (problem, _) in problems)
        {
            if (found.TryGetValue(AgentOf(problem), out var candidate))
            {
                result[problem.TaskId] = (await candidates.FindAsync(Workspace, candidate.Id, CancellationToken.None))!;
            }
        }

        return (result, watch.Elapsed);
    }

    /// <summary>
    /// Whether <paramref name="code"/> passes the whole of HumanEval's check for <paramref name="problem"/>, run in the
    /// sandbox. The code runs on its own, as a skill does; the check runs beside the prompt's own definitions (some
    /// checks make their inputs with a helper the prompt defines, such as <c>encode_shift</c>) and calls the code's function.
    /// </summary>
    public static async Task<bool> JudgeAsync(ISandbox sandbox, Problem problem, string code)
    {
        static string Literal(string text) => JsonSerializer.Serialize(text);
        var module = $$"""
            def _autodev_judge():
                skill = {}
                exec({{Literal(code)}}, skill)
                helpers = {}
                exec({{Literal(problem.Prompt + "    pass\n")}}, helpers)
                helpers[{{Literal(problem.EntryPoint)}}] = skill[{{Literal(problem.EntryPoint)}}]  # some checks call the function by name
                exec({{Literal(problem.Test)}}, helpers)
                helpers["check"](skill[{{Literal(problem.EntryPoint)}}])
                return True
            """;
        var result = await sandbox.ExecuteAsync(new SandboxRequest { TenantId = Workspace, Code = module, EntryPoint = "_autodev_judge", Timeout = JudgeTimeout, SafetyLevel = SafetyLevel.High }, CancellationToken.None);
        return result.Succeeded;
    }

    /// <summary>Each candidate's verdict under the three policies (read from its recorded case results) and by HumanEval's check.</summary>
    public static async Task<List<Verdict>> JudgeAllAsync(ISandbox sandbox, IReadOnlyList<(Problem Problem, ReplayRecord Record)> problems, IReadOnlyDictionary<string, SkillCandidate> candidates, int parallelism)
    {
        var verdicts = new ConcurrentBag<Verdict>();
        await Parallel.ForEachAsync(problems, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (item, _) =>
        {
            var candidate = candidates.GetValueOrDefault(item.Problem.TaskId);
            var right = candidate is not null && candidate.Code.Length > 0 && await JudgeAsync(sandbox, item.Problem, candidate.Code);
            verdicts.Add(Read(item.Problem, candidate, right));
        });
        return [.. verdicts.OrderBy(v => v.Problem.Number)];
    }

    /// <summary>
    /// (A) the code runs: its validation run completed and none of its own tests raised; (B) its own tests all pass;
    /// (C) its own tests and every held-out case pass, which is what AutoDev validates.
    /// </summary>
    public static Verdict Read(Problem problem, SkillCandidate? candidate, bool right)
    {
        var ran = candidate is { Validation.Succeeded: true, TestResults.Count: > 0 };
        var runs = ran && candidate!.TestResults.All(r => !r.Actual.StartsWith("raised ", StringComparison.Ordinal));
        var own = ran && candidate!.TestResults.All(r => r.Passed);
        var heldOut = own && candidate!.HeldOutResults.All(r => r.Passed);
        return new Verdict(problem, candidate, runs, own, heldOut, right);
    }

    /// <summary>Deletes a replay's SQLite file and its journal files.</summary>
    public static void DeleteDatabase(string database)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var path in (string[])[database, database + "-wal", database + "-shm"])
        {
            File.Delete(path);
        }
    }

    public static string AgentOf(Problem problem) => "agent-" + problem.Number.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The function name AutoDev's prompt asks for: <c>Write a function named `x`</c>.</summary>
    public static string NameAsked(string prompt)
    {
        const string marker = "Write a function named `";
        var start = prompt.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        return prompt[start..prompt.IndexOf('`', start)];
    }

    private static string PreparationModule(Problem problem, IReadOnlyList<string> given, HeldOutRule rule)
    {
        static string Literal(string text) => JsonSerializer.Serialize(text);
        return $$"""
            import ast, copy, inspect, json

            _PROGRAM = {{Literal(problem.Prompt + problem.CanonicalSolution)}}
            _TEST = {{Literal(problem.Test)}}
            _ENTRY = {{Literal(problem.EntryPoint)}}
            _GIVEN = json.loads({{Literal(JsonSerializer.Serialize(given))}})
            _RULE = {{Literal(rule.ToString().ToLowerInvariant())}}


            def _prepare():
                namespace = {}
                exec(_PROGRAM, namespace)
                function = namespace[_ENTRY]
                signature = inspect.signature(function)

                def lists(value):
                    if isinstance(value, (list, tuple)):
                        return [lists(v) for v in value]
                    if isinstance(value, dict):
                        return {k: lists(v) for k, v in value.items()}
                    return value

                def keywords(args, kwargs):
                    # Only inputs JSON carries faithfully: a tuple becomes a list, but a dictionary with keys that are
                    # not strings would come back with other keys, so such a call is left out.
                    inputs = dict(signature.bind(*args, **kwargs).arguments)
                    if json.loads(json.dumps(inputs, allow_nan=False)) != lists(inputs):
                        raise ValueError("inputs that JSON does not carry faithfully")
                    return inputs

                def as_json(value):
                    return json.loads(json.dumps(value, allow_nan=False))

                given = []
                for line in _GIVEN:
                    try:
                        node = ast.parse(line.strip()).body[0]
                    except (SyntaxError, IndexError):
                        continue
                    if not isinstance(node, ast.Assert):
                        continue
                    test = node.test
                    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq) and isinstance(test.left, ast.Call):
                        call, expected = test.left, test.comparators[0]
                    elif isinstance(test, ast.Call):
                        call, expected = test, ast.Constant(True)
                    elif isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.Call):
                        call, expected = test.operand, ast.Constant(False)
                    else:
                        continue
                    if not (isinstance(call.func, ast.Name) and call.func.id == _ENTRY):
                        continue
                    try:
                        args = [ast.literal_eval(a) for a in call.args]
                        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
                        given.append([as_json(keywords(args, kwargs)), as_json(ast.literal_eval(expected))])
                    except (ValueError, TypeError, SyntaxError, RecursionError):
                        continue

                calls = []

                def recorder(*args, **kwargs):
                    try:
                        inputs = json.dumps(keywords(copy.deepcopy(args), copy.deepcopy(kwargs)), sort_keys=True, allow_nan=False)
                    except (TypeError, ValueError):
                        inputs = None
                    copies = copy.deepcopy((args, kwargs))
                    value = function(*copies[0], **copies[1])
                    calls.append((inputs, value))
                    return value

                # HumanEval runs the check in the program's own namespace: some checks call the prompt's helpers.
                exec(_TEST, namespace)
                namespace["check"](recorder)
                # The held-out cases, among the distinct inputs, by the rule (see HeldOutRule). The rest are recorded.
                distinct, seen = [], set()
                for inputs, value in calls:
                    if inputs is None or inputs in seen:
                        continue
                    try:
                        answer = as_json(value)
                    except (TypeError, ValueError):
                        continue
                    seen.add(inputs)
                    distinct.append((inputs, answer))
                held_out = []
                if _RULE == "first":
                    held_out = distinct[:{{HeldOutPerProblem}}]
                elif _RULE == "last":
                    held_out = distinct[-{{HeldOutPerProblem}}:]
                elif _RULE == "spread":
                    picks = sorted({round(i * (len(distinct) - 1) / ({{HeldOutPerProblem}} - 1)) for i in range({{HeldOutPerProblem}})}) if distinct else []
                    held_out = [distinct[i] for i in picks]
                else:
                    answers = []
                    for inputs, answer in distinct:
                        if len(held_out) < {{HeldOutPerProblem}} and answer not in answers:
                            held_out.append((inputs, answer))
                            answers.append(answer)
                    for inputs, answer in distinct:
                        if len(held_out) < {{HeldOutPerProblem}} and (inputs, answer) not in held_out:
                            held_out.append((inputs, answer))
                recorded = [json.loads(inputs) for inputs, answer in distinct if (inputs, answer) not in held_out][:29]
                held_out = [[json.loads(inputs), answer] for inputs, answer in held_out]
                return {"given": given, "held_out": held_out, "recorded": recorded}
            """;
    }

    private static IEnumerable<JsonObject> ReadLines(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        while (reader.ReadLine() is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return JsonNode.Parse(line)!.AsObject();
            }
        }
    }

    private static string FindRoot()
    {
        for (var directory = AppContext.BaseDirectory; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "AutoDev.Core.sln")))
            {
                return directory;
            }
        }

        throw new InvalidOperationException($"No AutoDev.Core.sln above {AppContext.BaseDirectory}: run from inside the repository.");
    }
}

/// <summary>Which of the check's distinct calls become a problem's held-out cases: the fixed rule a person confirming a few outcomes follows.</summary>
internal enum HeldOutRule
{
    /// <summary>The last three: HumanEval's checks end with the edge cases worked out by hand, the ones a person who steps in confirms. The default.</summary>
    Last,

    /// <summary>The first three, in the check's order.</summary>
    First,

    /// <summary>The first, the middle and the last.</summary>
    Spread,

    /// <summary>Different answers first (a yes and a no), then in the check's order.</summary>
    Varied,
}

/// <summary>Where a replay keeps its SQLite file and which sandbox it validates in.</summary>
/// <param name="Database">The SQLite file (created and migrated by the run).</param>
/// <param name="ConfigureSandbox">Registers the sandbox: Docker's warm tier for the benchmark, the default tiers for the test.</param>
internal sealed record ReplaySetup(string Database, Action<IAutoDevBuilder> ConfigureSandbox);
