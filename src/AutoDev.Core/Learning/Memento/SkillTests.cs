using System.Text;
using System.Text.Json;

namespace AutoDev;

/// <summary>A skill's test cases (JSON, as stored in <see cref="SkillCandidate.TestCasesJson"/>) and the harness that runs them in the sandbox.</summary>
/// <remarks>
/// A case is <c>{"inputs": {...}, "expected": value}</c> or <c>{"inputs": {...}, "raises": "ValueError"}</c>. The
/// harness calls the entry point with each case's inputs as keyword arguments and compares the JSON form of the result.
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

    /// <summary>The module that runs the cases against <paramref name="entryPoint"/>: the code, then the harness.</summary>
    public static string Harness(string code, string entryPoint, string testsJson)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentException.ThrowIfNullOrWhiteSpace(entryPoint);
        ArgumentNullException.ThrowIfNull(testsJson);

        // A JSON string literal is a valid Python string literal.
        var literal = JsonSerializer.Serialize(testsJson);
        return new StringBuilder(code.TrimEnd())
            .Append("\n\n\ndef ").Append(HarnessEntryPoint).Append("():\n")
            .Append("    import json as _json\n")
            .Append("    _results = []\n")
            .Append("    for _index, _case in enumerate(_json.loads(").Append(literal).Append(")):\n")
            .Append("        try:\n")
            .Append("            _value = ").Append(entryPoint).Append("(**_case['inputs'])\n")
            .Append("        except Exception as _error:\n")
            .Append("            _results.append({'case': _index, 'ok': _case.get('raises') == type(_error).__name__, 'got': (type(_error).__name__ + ': ' + str(_error))[:200]})\n")
            .Append("            continue\n")
            .Append("        try:\n")
            .Append("            _shape = _json.loads(_json.dumps(_value))\n")
            .Append("        except (TypeError, ValueError):\n")
            .Append("            _results.append({'case': _index, 'ok': False, 'got': 'a value JSON cannot hold: ' + repr(_value)[:150]})\n")
            .Append("            continue\n")
            .Append("        _ok = 'raises' not in _case and _shape == _case.get('expected')\n")
            .Append("        _results.append({'case': _index, 'ok': _ok, 'got': repr(_value)[:200]})\n")
            .Append("    return _results\n")
            .ToString();
    }

    /// <summary>Reads the harness's result: how many cases passed, and a reason naming the first failures.</summary>
    public static (int Passed, int Total, string? Problem) Read(SandboxResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!result.Succeeded)
        {
            var error = result.Error is { } e ? $": {e.Type}: {e.Message}{(e.Line is { } line ? $" (line {line})" : string.Empty)}" : string.Empty;
            return (0, 0, $"{result.Status}{error}");
        }

        if (result.ReturnValue is not { ValueKind: JsonValueKind.Array } cases)
        {
            return (0, 0, "The test harness returned no results.");
        }

        var (passed, total) = (0, 0);
        var failures = new List<string>();
        foreach (var item in cases.EnumerateArray())
        {
            total++;
            if (item.GetProperty("ok").GetBoolean())
            {
                passed++;
            }
            else if (failures.Count < 3)
            {
                failures.Add($"case {item.GetProperty("case").GetInt32()} got {item.GetProperty("got").GetString()}");
            }
        }

        return passed == total && total > 0 ? (passed, total, null) : (passed, total, $"{total - passed} of {total} tests failed: {string.Join("; ", failures)}");
    }
}
