using System.IO.Compression;
using System.Text.Json;

namespace AutoDev.Tests;

/// <summary>One HumanEval problem (tests/data/HumanEval.jsonl.gz; MIT, see tests/data/SOURCE.md).</summary>
internal sealed record HumanEvalProblem(string TaskId, string Prompt, string EntryPoint, string CanonicalSolution, string Test)
{
    /// <summary>The canonical solution followed by its tests, as one module.</summary>
    public string Program => Prompt + CanonicalSolution + "\n\n" + Test + "\n\ncheck(" + EntryPoint + ")\n";

    /// <summary>
    /// The canonical solution with one deliberate bug: its return value is nudged (a number by one, a string by a
    /// character, a list by an element, a boolean flipped), so its tests must fail.
    /// </summary>
    public string BuggyProgram => Prompt + CanonicalSolution + "\n\n" + Test + "\n\n" +
        "_correct = " + EntryPoint + "\n" +
        "def _nudge(value):\n" +
        "    if isinstance(value, bool):\n        return not value\n" +
        "    if isinstance(value, (int, float)):\n        return value + 1\n" +
        "    if isinstance(value, str):\n        return value + '~'\n" +
        "    if isinstance(value, (list, tuple)):\n        return type(value)(list(value) + [None])\n" +
        "    if value is None:\n        return 0\n" +
        "    return None\n" +
        "def " + EntryPoint + "(*args, **kwargs):\n    return _nudge(_correct(*args, **kwargs))\n" +
        "check(" + EntryPoint + ")\n";
}

internal static class HumanEval
{
    private static readonly Lazy<IReadOnlyList<HumanEvalProblem>> LazyProblems = new(Load);

    public static IReadOnlyList<HumanEvalProblem> Problems => LazyProblems.Value;

    private static List<HumanEvalProblem> Load()
    {
        using var file = File.OpenRead(DataPath());
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var problems = new List<HumanEvalProblem>();
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            problems.Add(new HumanEvalProblem(
                root.GetProperty("task_id").GetString()!,
                root.GetProperty("prompt").GetString()!,
                root.GetProperty("entry_point").GetString()!,
                root.GetProperty("canonical_solution").GetString()!,
                root.GetProperty("test").GetString()!));
        }

        return problems;
    }

    private static string DataPath() => RepositoryPaths.Combine("tests", "data", "HumanEval.jsonl.gz");
}
