using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AutoDev;

/// <summary>What was wrong with a model's answer.</summary>
public enum AnswerProblem
{
    /// <summary>Nothing: the answer held what was asked for.</summary>
    None = 0,

    /// <summary>The answer was empty or blank.</summary>
    Empty = 1,

    /// <summary>The answer holds no Python function definition at all.</summary>
    NoCode = 2,

    /// <summary>The answer defines functions, but not the one asked for (missing or renamed).</summary>
    FunctionMissing = 3,

    /// <summary>The answer holds no JSON object or array.</summary>
    NoJson = 4,

    /// <summary>The answer has something that starts like JSON but does not parse.</summary>
    InvalidJson = 5,
}

/// <summary>Python code taken from a model's answer, or why there was none.</summary>
/// <param name="Code">The code block that defines the requested function, without fences or prose.</param>
/// <param name="Problem">What was wrong, or <see cref="AnswerProblem.None"/>.</param>
/// <param name="Reason">What was wrong, in words a reviewer understands.</param>
/// <param name="FunctionsFound">The top-level functions the answer defines, in every block.</param>
public sealed record CodeAnswer(string? Code, AnswerProblem Problem, string? Reason, IReadOnlyList<string> FunctionsFound)
{
    /// <summary>Whether code defining the function was found.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Code))]
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(false, nameof(Reason))]
    public bool Succeeded => Problem == AnswerProblem.None;
}

/// <summary>A JSON value taken from a model's answer, or why there was none.</summary>
/// <param name="Json">The JSON text of the first complete object or array.</param>
/// <param name="Problem">What was wrong, or <see cref="AnswerProblem.None"/>.</param>
/// <param name="Reason">What was wrong, in words.</param>
public sealed record JsonAnswer(string? Json, AnswerProblem Problem, string? Reason)
{
    /// <summary>Whether a JSON value was found.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Json))]
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(false, nameof(Reason))]
    public bool Succeeded => Problem == AnswerProblem.None;
}

/// <summary>
/// Takes code and JSON out of what models actually answer: code fences of every form, prose before and after the
/// code, several code blocks, JSON followed by an explanation. Every failure comes back with a reason, never as an exception.
/// </summary>
public static partial class ModelAnswers
{
    private static readonly HashSet<string> PythonKeywords = new(StringComparer.Ordinal)
    {
        "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except",
        "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass",
        "raise", "return", "try", "while", "with", "yield", "match", "case", "type", "print",
    };

    private static readonly JsonReaderOptions LenientJson = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>
    /// The code that defines the top-level function <paramref name="functionName"/>: the first fenced block that defines
    /// it, or, when the answer has no fences, the code between the prose before and after it.
    /// </summary>
    public static CodeAnswer ExtractFunction(string? answer, string functionName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(functionName);
        if (string.IsNullOrWhiteSpace(answer))
        {
            return new(null, AnswerProblem.Empty, "The answer is empty.", []);
        }

        var blocks = CodeFences.Blocks(answer);
        IReadOnlyList<string> candidates = blocks.Count > 0 ? blocks : [WithoutProse(answer)];
        var found = new List<string>();
        string? chosen = null;
        foreach (var block in candidates)
        {
            var names = TopLevelFunctions(block);
            found.AddRange(names.Where(n => !found.Contains(n)));
            if (chosen is null && names.Contains(functionName))
            {
                chosen = block;
            }
        }

        if (chosen is not null)
        {
            return new(chosen, AnswerProblem.None, null, found);
        }

        return found.Count == 0
            ? new(null, AnswerProblem.NoCode, $"The answer has no Python function definition; '{functionName}' was asked for.", found)
            : new(null, AnswerProblem.FunctionMissing, $"The answer defines {string.Join(", ", found.Select(n => $"'{n}'"))} but not '{functionName}'.", found);
    }

    /// <summary>The first complete JSON object or array in the answer (inside a fence or not), ignoring any text after it.</summary>
    public static JsonAnswer ExtractJson(string? answer)
    {
        if (string.IsNullOrWhiteSpace(answer))
        {
            return new(null, AnswerProblem.Empty, "The answer is empty.");
        }

        string? firstError = null;
        foreach (var text in CodeFences.Blocks(answer).Append(answer))
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            for (var start = 0; start < bytes.Length; start++)
            {
                if (bytes[start] is not ((byte)'{' or (byte)'['))
                {
                    continue;
                }

                var reader = new Utf8JsonReader(bytes.AsSpan(start), LenientJson);
                try
                {
                    if (reader.Read() && reader.TrySkip())
                    {
                        return new(Encoding.UTF8.GetString(bytes, start, (int)reader.BytesConsumed), AnswerProblem.None, null);
                    }

                    firstError ??= "The JSON value is cut off before its end.";
                }
                catch (JsonException ex)
                {
                    firstError ??= ex.Message;
                }
            }
        }

        return firstError is null
            ? new(null, AnswerProblem.NoJson, "The answer holds no JSON object or array.")
            : new(null, AnswerProblem.InvalidJson, $"The answer's JSON does not parse: {firstError}");
    }

    /// <summary>
    /// The docstring of the top-level function <paramref name="functionName"/>: the string literal that opens its body
    /// (single, double or triple quoted), each line trimmed; <see langword="null"/> when it has none.
    /// </summary>
    public static string? Docstring(string code, string functionName)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(functionName);
        for (var match = DocstringPattern().Match(code); match.Success; match = match.NextMatch())
        {
            if (match.Groups["name"].Value != functionName)
            {
                continue;
            }

            var text = match.Groups["triple"].Success ? match.Groups["triple"].Value : match.Groups["single"].Value;
            var docstring = string.Join('\n', text.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim())).Trim();
            return docstring.Length == 0 ? null : docstring;
        }

        return null;
    }

    [GeneratedRegex("""^(?:async[ \t]+)?def[ \t]+(?<name>\w+)[ \t]*\((?:[^()]|\([^()]*\))*\)[^:\n]*:[ \t]*\n[ \t]+[rRuU]?(?:"{3}(?<triple>.*?)"{3}|'{3}(?<triple>.*?)'{3}|"(?<single>[^"\n]*)"|'(?<single>[^'\n]*)')""", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex DocstringPattern();

    /// <summary>The top-level (unindented) <c>def</c> and <c>async def</c> names of a piece of Python, in order.</summary>
    public static IReadOnlyList<string> TopLevelFunctions(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return [.. TopLevelDef().Matches(code).Select(m => m.Groups["name"].Value).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Drops the prose before the first line of code and from the first top-level prose line after it.</summary>
    private static string WithoutProse(string answer)
    {
        var lines = answer.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var first = Array.FindIndex(lines, l => CodeStart().IsMatch(l));
        if (first < 0)
        {
            return answer.Trim();
        }

        var end = lines.Length;
        for (var i = first + 1; i < lines.Length; i++)
        {
            if (IsTopLevelProse(lines[i]))
            {
                end = i;
                break;
            }
        }

        return string.Join('\n', lines[first..end]).TrimEnd();
    }

    /// <summary>An unindented line whose first two tokens are words and the first is no Python keyword: "This function returns ...".</summary>
    private static bool IsTopLevelProse(string line)
    {
        var match = ProseStart().Match(line);
        return match.Success && !PythonKeywords.Contains(match.Groups["word"].Value);
    }

    [GeneratedRegex(@"^(?:async[ \t]+)?def[ \t]+(?<name>[A-Za-z_]\w*)[ \t]*\(", RegexOptions.Multiline)]
    private static partial Regex TopLevelDef();

    [GeneratedRegex(@"^(?:(?:async[ \t]+)?def[ \t]|class[ \t]|import[ \t]|from[ \t]+\S+[ \t]+import[ \t]|@\w)")]
    private static partial Regex CodeStart();

    [GeneratedRegex(@"^(?<word>[A-Za-z][\w']*)[,:]?[ \t]+[A-Za-z]")]
    private static partial Regex ProseStart();
}
