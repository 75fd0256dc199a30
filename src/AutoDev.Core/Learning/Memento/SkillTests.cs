using System.Text;
using System.Text.Json;

namespace AutoDev;

/// <summary>A skill's test cases (JSON, as stored in <see cref="SkillCandidate.TestCasesJson"/>) and the harness that runs them in the sandbox.</summary>
/// <remarks>
/// A case is <c>{"inputs": {...}, "expected": value}</c> or <c>{"inputs": {...}, "raises": "ValueError"}</c>. The
/// harness calls the entry point with each case's inputs as keyword arguments; the host compares the JSON form of the
/// result with <see cref="AnswerComparison"/>.
/// </remarks>
internal static class SkillTests
{
    /// <summary>The harness function's name.</summary>
    public const string HarnessEntryPoint = "_autodev_run_tests";

    /// <summary>The test cases in a model's answer: the first fenced block other than <paramref name="code"/> that holds a JSON array of cases.</summary>
    /// <returns>The normalized JSON array, or the reason there is none.</returns>
    public static (string? Json, string? Problem) Extract(string answer, string code)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(code);
        string? problem = null;
        foreach (var block in CodeFences.Blocks(answer).Where(b => b != code))
        {
            var json = ModelAnswers.ExtractJson(block);
            if (!json.Succeeded)
            {
                problem ??= json.Reason;
                continue;
            }

            var (normalized, error) = Normalize(json.Json);
            if (normalized is not null)
            {
                return (normalized, null);
            }

            problem ??= error;
        }

        return (null, problem is null ? "The answer has no block of test cases." : $"The answer's test cases are unusable: {problem}");
    }

    /// <summary>Checks the cases' shape and writes them compactly; returns the reason when the shape is wrong.</summary>
    public static (string? Json, string? Problem) Normalize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() == 0)
            {
                return (null, "the test cases must be a non-empty JSON array.");
            }

            var index = 0;
            foreach (var item in root.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Object)
                {
                    return (null, $"case {index} has no \"inputs\" object.");
                }

                var hasExpected = item.TryGetProperty("expected", out _);
                var hasRaises = item.TryGetProperty("raises", out var raises) && raises.ValueKind == JsonValueKind.String;
                if (hasExpected == hasRaises)
                {
                    return (null, $"case {index} must have either \"expected\" or \"raises\".");
                }

                index++;
            }

            return (JsonSerializer.Serialize(root), null);
        }
        catch (JsonException ex)
        {
            return (null, ex.Message);
        }
    }

    /// <summary>The names of the inputs the cases pass, with the JSON kind of their first value: the skill's parameters.</summary>
    public static IReadOnlyList<(string Name, JsonValueKind Kind)> Parameters(string testsJson)
    {
        ArgumentNullException.ThrowIfNull(testsJson);
        var parameters = new List<(string, JsonValueKind)>();
        if (string.IsNullOrWhiteSpace(testsJson))
        {
            return parameters;
        }

        using var document = JsonDocument.Parse(testsJson);
        foreach (var item in document.RootElement.EnumerateArray())
        {
            foreach (var input in item.GetProperty("inputs").EnumerateObject())
            {
                if (!parameters.Exists(p => p.Item1 == input.Name))
                {
                    parameters.Add((input.Name, input.Value.ValueKind));
                }
            }
        }

        return parameters;
    }

    /// <summary>The most characters of a returned value's JSON the harness hands back; a longer answer is a failed case.</summary>
    public const int MaxAnswerLength = 100_000;

    /// <summary>
    /// The module that calls <paramref name="entryPoint"/> with each case's inputs and returns, per case,
    /// <c>[None, json]</c> for a returned value or <c>[type, "type: message"]</c> for a raised exception. Only the
    /// inputs go into the sandbox: the expected answers stay on the host, so code cannot read them and repeat them.
    /// </summary>
    public static string Harness(string code, string entryPoint, IReadOnlyList<TestCase> cases)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentException.ThrowIfNullOrWhiteSpace(entryPoint);
        ArgumentNullException.ThrowIfNull(cases);

        // A JSON string literal is a valid Python string literal.
        var literal = JsonSerializer.Serialize("[" + string.Join(',', cases.Select(c => c.InputsJson)) + "]");
        return new StringBuilder(code.TrimEnd())
            .Append("\n\n\ndef ").Append(HarnessEntryPoint).Append("():\n")
            .Append("    import json as _json\n")
            .Append("    _results = []\n")
            .Append("    for _inputs in _json.loads(").Append(literal).Append("):\n")
            .Append("        try:\n")
            .Append("            _value = ").Append(entryPoint).Append("(**_inputs)\n")
            .Append("        except Exception as _error:\n")
            .Append("            _results.append([type(_error).__name__, (type(_error).__name__ + ': ' + str(_error))[:1000]])\n")
            .Append("            continue\n")
            .Append("        try:\n")
            .Append("            _text = _json.dumps(_value, allow_nan=False)\n")
            .Append("        except (TypeError, ValueError, RecursionError):\n")
            .Append("            _results.append(['', 'a value JSON cannot hold: ' + repr(_value)[:300]])\n")
            .Append("            continue\n")
            .Append("        _results.append([None, _text] if len(_text) <= ").Append(MaxAnswerLength).Append(" else ['', 'a value of ' + str(len(_text)) + ' characters of JSON, more than ").Append(MaxAnswerLength).Append("'])\n")
            .Append("    return _results\n")
            .ToString();
    }

    /// <summary>The module that runs the test cases of <paramref name="testsJson"/>; see <see cref="Harness(string, string, IReadOnlyList{TestCase})"/>.</summary>
    public static string Harness(string code, string entryPoint, string testsJson) => Harness(code, entryPoint, TestCase.ListOf(testsJson));

    /// <summary>
    /// Reads the harness's result against the cases it ran: each case's outcome, or, when the run as a whole failed
    /// (syntax error, time-out, crash, a result of the wrong shape), why, and no outcomes.
    /// </summary>
    public static CaseRun Read(SandboxResult result, IReadOnlyList<TestCase> cases)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(cases);
        if (!result.Succeeded)
        {
            var error = result.Error is { } e ? $": {e.Type}: {e.Message}{(e.Line is { } line ? $" (line {line})" : string.Empty)}" : string.Empty;
            return new([], $"{result.Status}{error}");
        }

        if (result.ReturnValue is not { ValueKind: JsonValueKind.Array } answers || answers.GetArrayLength() != cases.Count)
        {
            return new([], "The test harness returned no results.");
        }

        var results = new CaseResult[cases.Count];
        for (var i = 0; i < cases.Count; i++)
        {
            var answer = answers[i];
            if (answer.ValueKind != JsonValueKind.Array || answer.GetArrayLength() != 2 || answer[1].ValueKind != JsonValueKind.String
                || answer[0].ValueKind is not (JsonValueKind.Null or JsonValueKind.String))
            {
                return new([], "The test harness returned a result of the wrong shape.");
            }

            results[i] = Check(cases[i], answer[0].ValueKind == JsonValueKind.Null ? null : answer[0].GetString(), answer[1].GetString()!);
        }

        return new(results, null);
    }

    /// <summary>The outcome of one case: <paramref name="raised"/> is the exception's type (empty for a value JSON cannot hold), or null when <paramref name="text"/> is the returned JSON.</summary>
    private static CaseResult Check(TestCase testCase, string? raised, string text)
    {
        if (raised is null)
        {
            string? difference;
            try
            {
                difference = testCase.ExpectedJson is { } expected ? AnswerComparison.Difference(expected, text) : $"returned a value instead of raising {testCase.Raises}";
            }
            catch (JsonException)
            {
                difference = "returned text that is not JSON";
            }

            return new() { Case = testCase, Actual = text, Passed = difference is null, Difference = difference };
        }

        var passed = raised.Length > 0 && string.Equals(raised, testCase.Raises, StringComparison.Ordinal);
        return new()
        {
            Case = testCase,
            Actual = raised.Length == 0 ? text : "raised " + text,
            Passed = passed,
            Difference = passed ? null : testCase.Raises is null ? "raised instead of returning" : raised.Length == 0 ? "returned a value JSON cannot hold" : $"raised {raised} instead of {testCase.Raises}",
        };
    }

    /// <summary>Why a run's cases did not all pass, naming the first failures (<paramref name="what"/>: "tests", "held-out cases"); null when they did.</summary>
    public static string? Problem(IReadOnlyList<CaseResult> results, string what, int named = 3)
    {
        var failed = results.Index().Where(r => !r.Item.Passed).ToList();
        return failed.Count == 0
            ? null
            : $"{failed.Count} of {results.Count} {what} failed: {string.Join("; ", failed.Take(named).Select(r => $"case {r.Index} {r.Item}"))}";
    }
}

/// <summary>The outcome of a harness run: each case's result, or why the run as a whole failed (then no results).</summary>
internal sealed record CaseRun(IReadOnlyList<CaseResult> Results, string? Failure);
