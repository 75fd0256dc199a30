using System.Text;
using System.Text.Json;

namespace AutoDev;

/// <summary>
/// Runs a parent and a child on the same inputs in the sandbox and decides whether the child wins: the skill's tests
/// for both, then <see cref="EvolutionOptions.MeasurementRuns"/> alternating runs over every input, timed inside the
/// sandbox around each call. A child that answers differently where the parent answered is a behaviour change.
/// </summary>
internal sealed class MutationEvaluator(ISandbox sandbox, IFitnessService fitness, EvolutionOptions options)
{
    private const string MeasureEntryPoint = "_autodev_measure";

    /// <summary>Parent and child side by side, the signals each earned, and why the child lost (null when it won).</summary>
    public sealed record Outcome(MutationEvaluation Evaluation, IReadOnlyList<FitnessSignal> ParentSignals, IReadOnlyList<FitnessSignal> ChildSignals, string? FailureReason);

    /// <summary>
    /// The inputs an evaluation runs: the recorded ones, then those of the test cases that expect a value, distinct, at
    /// most <paramref name="max"/> (<see cref="EvolutionOptions.MaxEvaluationInputs"/>).
    /// </summary>
    public static IReadOnlyList<string> Inputs(IEnumerable<string> recorded, string testsJson, int max)
    {
        var inputs = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Object && inputs.Count < max && seen.Add(element.GetRawText()))
            {
                inputs.Add(element.GetRawText());
            }
        }

        foreach (var json in recorded)
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                Add(document.RootElement);
            }
            catch (JsonException)
            {
                // A recorded input that is not JSON cannot be replayed; skip it.
            }
        }

        if (!string.IsNullOrWhiteSpace(testsJson))
        {
            using var tests = JsonDocument.Parse(testsJson);
            foreach (var test in tests.RootElement.EnumerateArray())
            {
                // A case that expects an exception is checked by the tests; replaying it would count a wanted refusal as an error.
                if (test.TryGetProperty("expected", out _))
                {
                    Add(test.GetProperty("inputs"));
                }
            }
        }

        return inputs;
    }

    public async Task<Outcome> EvaluateAsync(string tenantId, string parentCode, string childCode, string entryPoint, string testsJson, IReadOnlyList<TestCase> heldOut, IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        // One sandbox call at a time: an evaluation's runs never compete with each other for the machine (research
        // evaluates several children in parallel, each of them sequentially). The tests and the held-out cases run in
        // one call per variant.
        var own = TestCase.ListOf(testsJson);
        IReadOnlyList<TestCase> cases = [.. own, .. heldOut];
        var parentTests = cases.Count > 0 ? SkillTests.Read(await RunAsync(tenantId, SkillTests.Harness(parentCode, entryPoint, cases), SkillTests.HarnessEntryPoint, cancellationToken).ConfigureAwait(false), cases) : null;
        var childTests = cases.Count > 0 ? SkillTests.Read(await RunAsync(tenantId, SkillTests.Harness(childCode, entryPoint, cases), SkillTests.HarnessEntryPoint, cancellationToken).ConfigureAwait(false), cases) : null;

        // Alternate the order (parent first, then child first) so drift in the machine's speed falls on both.
        var parentModule = MeasureModule(parentCode, entryPoint, inputs);
        var childModule = MeasureModule(childCode, entryPoint, inputs);
        var parentRuns = new List<Run>();
        var childRuns = new List<Run>();
        for (var run = 0; run < options.MeasurementRuns; run++)
        {
            var first = run % 2 == 0;
            (first ? parentRuns : childRuns).Add(Read(await RunAsync(tenantId, first ? parentModule : childModule, MeasureEntryPoint, cancellationToken).ConfigureAwait(false), inputs.Count));
            (first ? childRuns : parentRuns).Add(Read(await RunAsync(tenantId, first ? childModule : parentModule, MeasureEntryPoint, cancellationToken).ConfigureAwait(false), inputs.Count));
        }

        var parentOwn = parentTests?.Results.Take(own.Count).ToList() ?? [];
        var childOwn = childTests?.Results.Take(own.Count).ToList() ?? [];
        var childHeldOut = childTests?.Results.Skip(own.Count).ToList() ?? [];
        var (parentPassed, parentTotal) = (parentOwn.Count(r => r.Passed), own.Count);
        var (childPassed, childTotal) = (childOwn.Count(r => r.Passed), own.Count);
        var childProblem = childTests?.Failure ?? SkillTests.Problem(childOwn, "tests");
        var heldOutProblem = childTests?.Failure ?? SkillTests.Problem(childHeldOut, "held-out cases", named: 1);

        var parent = Measure(parentRuns, parentPassed, parentTotal);
        var child = Measure(childRuns, childPassed, childTotal);
        var pValue = MannWhitney.PValueLess(child.RunMilliseconds, parent.RunMilliseconds);
        var latencyCounted = pValue < options.LatencySignificance && child.MedianMilliseconds <= parent.MedianMilliseconds * (1 - options.MinLatencyImprovement);

        // Latency counts only when the difference is real; otherwise both get the pooled median and tie on it.
        var pooled = Median([.. parent.RunMilliseconds, .. child.RunMilliseconds]);
        var parentSignals = Signals(parent, parentRuns, latencyCounted ? parent.MedianMilliseconds : pooled);
        var childSignals = Signals(child, childRuns, latencyCounted ? child.MedianMilliseconds : pooled);
        parent = parent with { Fitness = fitness.Score(parentSignals) };
        child = child with { Fitness = fitness.Score(childSignals) };
        var mismatches = Mismatches(inputs, parentRuns, childRuns);
        var difference = mismatches.Count == 0 ? null : Describe(mismatches);
        var childFailure = childRuns.Select(r => r.Failure).FirstOrDefault(f => f is not null);

        string? reason =
            childFailure is not null ? $"The child did not run: {childFailure}"
            : heldOut.Count > 0 && heldOutProblem is not null ? $"The child misses held-out answers: {heldOutProblem}"
            : difference is not null ? $"Behaviour change: {difference}"
            : childPassed < parentPassed || (parentTotal > 0 && parentPassed == parentTotal && childPassed < childTotal) ? $"The child passes fewer tests than its parent ({childPassed} of {childTotal} against {parentPassed} of {parentTotal}): {childProblem}"
            : child.Fitness <= parent.Fitness + options.MinFitnessGain ? NotFitter(parent, child, pValue, latencyCounted)
            : null;

        var evaluation = new MutationEvaluation
        {
            Runs = options.MeasurementRuns,
            InputCount = inputs.Count,
            Parent = parent,
            Child = child with { Failure = childFailure },
            BehaviourPreserved = difference is null && childFailure is null,
            BehaviourDifference = difference,
            Mismatches = mismatches,
            HeldOutResults = childHeldOut,
            LatencyPValue = pValue,
            LatencyCounted = latencyCounted,
            ChildWins = reason is null,
        };
        return new Outcome(evaluation, parentSignals, childSignals, reason);
    }

    private static string NotFitter(VariantMeasurement parent, VariantMeasurement child, double pValue, bool latencyCounted) =>
        $"The child is not fitter than its parent ({child.Fitness:0.0000} against {parent.Fitness:0.0000}; median run {child.MedianMilliseconds:0.###} ms against {parent.MedianMilliseconds:0.###} ms, " +
        (latencyCounted ? "a real difference" : $"a difference within the noise, p = {pValue:0.###}") + ").";

    private Task<SandboxResult> RunAsync(string tenantId, string module, string entryPoint, CancellationToken cancellationToken) =>
        sandbox.ExecuteAsync(new SandboxRequest
        {
            TenantId = tenantId,
            Code = module,
            EntryPoint = entryPoint,
            SafetyLevel = SafetyLevel.High,
            Timeout = options.EvaluationTimeout,
        }, cancellationToken);

    /// <summary>The module that calls the entry point on each input and returns <c>[ok, json or error, ms]</c> per input.</summary>
    internal static string MeasureModule(string code, string entryPoint, IReadOnlyList<string> inputs)
    {
        var literal = JsonSerializer.Serialize("[" + string.Join(',', inputs) + "]");
        return new StringBuilder(code.TrimEnd())
            .Append("\n\n\ndef ").Append(MeasureEntryPoint).Append("():\n")
            .Append("    import json as _json\n")
            .Append("    import time as _time\n")
            .Append("    _out = []\n")
            .Append("    for _inputs in _json.loads(").Append(literal).Append("):\n")
            .Append("        _started = _time.perf_counter()\n")
            .Append("        try:\n")
            .Append("            _value = ").Append(entryPoint).Append("(**_inputs)\n")
            .Append("            _ok = True\n")
            .Append("        except Exception as _error:\n")
            .Append("            _value, _ok = (type(_error).__name__ + ': ' + str(_error))[:200], False\n")
            .Append("        _ms = (_time.perf_counter() - _started) * 1000.0\n")
            .Append("        if _ok:\n")
            .Append("            try:\n")
            .Append("                _value = _json.dumps(_value, sort_keys=True, allow_nan=False)\n")
            .Append("            except (TypeError, ValueError):\n")
            .Append("                _value, _ok = 'a value JSON cannot hold: ' + repr(_value)[:150], False\n")
            .Append("        _out.append([_ok, _value, _ms])\n")
            .Append("    return _out\n")
            .ToString();
    }

    private static Run Read(SandboxResult result, int inputCount)
    {
        if (result.Succeeded && result.ReturnValue is { ValueKind: JsonValueKind.Array } calls && calls.GetArrayLength() == inputCount)
        {
            var ok = new bool[inputCount];
            var values = new string[inputCount];
            double ms = 0, characters = result.Stdout.Length + result.Stderr.Length;
            var i = 0;
            foreach (var call in calls.EnumerateArray())
            {
                ok[i] = call[0].GetBoolean();
                values[i] = call[1].GetString() ?? string.Empty;
                ms += call[2].GetDouble();
                characters += ok[i] ? values[i].Length : 0;
                i++;
            }

            return new Run(ok, values, ms, characters / 4, null);
        }

        // The whole run failed (time-out, crash, syntax error): every call failed, and the run took what it took.
        var failure = result.Error is { } e ? $"{result.Status}: {e.Type}: {e.Message}" : result.Status.ToString();
        return new Run(new bool[inputCount], new string[inputCount], result.Duration.TotalMilliseconds, 0, failure)
        {
            SyntaxError = result.Status == SandboxStatus.SyntaxError,
        };
    }

    /// <summary>
    /// Every input the parent handled on which some child run answered differently (<see cref="AnswerComparison"/>)
    /// from every answer the parent gave it. An input the parent never handled is the child's to handle: that is the
    /// fix a failure trigger asks for.
    /// </summary>
    private static List<BehaviourMismatch> Mismatches(IReadOnlyList<string> inputs, List<Run> parentRuns, List<Run> childRuns)
    {
        var mismatches = new List<BehaviourMismatch>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var answers = parentRuns.Where(r => r.Ok[i]).Select(r => r.Values[i]).Distinct(StringComparer.Ordinal).ToList();
            if (answers.Count == 0)
            {
                continue;
            }

            foreach (var run in childRuns)
            {
                if (!run.Ok[i] || !answers.Exists(a => SameAnswer(a, run.Values[i])))
                {
                    var got = run.Ok[i] ? run.Values[i] : run.Failure is null ? "raised " + run.Values[i] : "failed: " + run.Failure;
                    mismatches.Add(new(inputs[i], answers[0], got));
                    break;
                }
            }
        }

        return mismatches;
    }

    /// <summary>Two answers of the measuring module: JSON compared by <see cref="AnswerComparison"/>; text that is not JSON (a sandbox that did not run the module) compared as text.</summary>
    private static bool SameAnswer(string parent, string child)
    {
        try
        {
            return AnswerComparison.Same(parent, child);
        }
        catch (System.Text.Json.JsonException)
        {
            return string.Equals(parent, child, StringComparison.Ordinal);
        }
    }

    private static string Describe(List<BehaviourMismatch> mismatches)
    {
        var first = mismatches[0];
        var answer = first.ChildAnswer.StartsWith("raised ", StringComparison.Ordinal) || first.ChildAnswer.StartsWith("failed: ", StringComparison.Ordinal) ? first.ChildAnswer : "returned " + Cut(first.ChildAnswer);
        var more = mismatches.Count > 1 ? $" ({mismatches.Count} inputs differ in all)" : string.Empty;
        return $"on {Cut(first.InputsJson)} the parent returned {Cut(first.ParentAnswer)}, the child {answer}.{more}";
    }

    private static List<FitnessSignal> Signals(VariantMeasurement measured, List<Run> runs, double latencyMs)
    {
        var signals = new List<FitnessSignal>();
        if (!runs.Exists(r => r.SyntaxError))
        {
            signals.Add(new(FitnessSignalNames.Compiles));
        }

        if (runs.Exists(r => r.Ok.Any(ok => ok)))
        {
            signals.Add(new(FitnessSignalNames.Executed));
        }

        if (measured.TestsTotal > 0)
        {
            signals.Add(new(FitnessSignalNames.TestsPassed, (double)measured.TestsPassed / measured.TestsTotal));
        }

        signals.Add(new(FitnessSignalNames.SuccessRate, measured.SuccessRate));
        signals.Add(new(FitnessSignalNames.LatencyMilliseconds, latencyMs));
        signals.Add(new(FitnessSignalNames.OutputTokens, measured.OutputTokens));
        return signals;
    }

    /// <summary>A variant's runs summed up; its fitness comes later, from the signals.</summary>
    private static VariantMeasurement Measure(List<Run> runs, int testsPassed, int testsTotal)
    {
        var ms = runs.Select(r => r.Milliseconds).ToArray();
        var calls = runs.Sum(r => r.Ok.Length);
        return new()
        {
            RunMilliseconds = ms,
            MedianMilliseconds = Median(ms),
            SuccessRate = calls == 0 ? 0 : (double)runs.Sum(r => r.Ok.Count(ok => ok)) / calls,
            OutputTokens = Median([.. runs.Select(r => r.Tokens)]),
            TestsPassed = testsPassed,
            TestsTotal = testsTotal,
        };
    }

    internal static double Median(double[] values)
    {
        if (values.Length == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static string Cut(string text) => text.Length <= 120 ? text : string.Concat(text.AsSpan(0, 117), "...");

    private sealed record Run(bool[] Ok, string[] Values, double Milliseconds, double Tokens, string? Failure)
    {
        public bool SyntaxError { get; init; }
    }
}
