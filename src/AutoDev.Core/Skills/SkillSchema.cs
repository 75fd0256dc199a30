using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AutoDev;

/// <summary>
/// The JSON schema of a skill's inputs, for the tools it is offered as (chat agents, MCP clients): one property per
/// parameter of its entry point, typed from the parameter's Python annotation, required unless it has a default.
/// A parameter without a usable annotation takes the JSON kind its tests pass; code whose entry point cannot be read
/// falls back to the tests' inputs, all required.
/// </summary>
internal static partial class SkillSchema
{
    /// <summary>The schema of <paramref name="entryPoint"/>'s parameters in <paramref name="code"/>.</summary>
    public static JsonElement For(string code, string entryPoint, string testsJson)
    {
        var tested = SkillTests.Parameters(testsJson);
        var properties = new JsonObject();
        var required = new JsonArray();
        var parameters = Parameters(code, entryPoint);
        if (parameters is null)
        {
            foreach (var (name, kind) in tested)
            {
                properties[name] = KindSchema(kind);
                required.Add(name);
            }
        }
        else
        {
            foreach (var parameter in parameters)
            {
                var kind = tested.FirstOrDefault(t => t.Name == parameter.Name).Kind;
                properties[parameter.Name] = (parameter.Annotation is { } annotation ? AnnotationSchema(annotation) : null)
                    ?? (kind == JsonValueKind.Undefined ? new JsonObject() : KindSchema(kind));
                if (!parameter.HasDefault)
                {
                    required.Add(parameter.Name);
                }
            }
        }

        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties, ["required"] = required };
        using var document = JsonDocument.Parse(schema.ToJsonString());
        return document.RootElement.Clone();
    }

    /// <summary>A parameter of a Python function: its name, its annotation's text, whether it has a default.</summary>
    internal sealed record Parameter(string Name, string? Annotation, bool HasDefault);

    /// <summary>
    /// The keyword-passable parameters of the top-level function <paramref name="entryPoint"/>, in order (not
    /// <c>*args</c>, <c>**kwargs</c> or the <c>/</c> and <c>*</c> markers); <see langword="null"/> when it is not there.
    /// </summary>
    internal static IReadOnlyList<Parameter>? Parameters(string code, string entryPoint)
    {
        ArgumentNullException.ThrowIfNull(code);
        var match = DefPattern().Matches(code).FirstOrDefault(m => m.Groups["name"].Value == entryPoint);
        if (match is null || Split(code, match.Index + match.Length, ')') is not { } parts)
        {
            return null;
        }

        var parameters = new List<Parameter>();
        var keywordOnlyAfterPositionalOnly = false;
        foreach (var part in parts)
        {
            var text = part.Trim();
            if (text.Length == 0 || text == "*" || text.StartsWith('*'))
            {
                continue;
            }

            if (text == "/")
            {
                // Parameters before "/" cannot be passed by keyword; the harness passes keywords.
                parameters.Clear();
                keywordOnlyAfterPositionalOnly = true;
                continue;
            }

            var equals = TopLevelIndex(text, '=');
            var head = equals < 0 ? text : text[..equals];
            var colon = TopLevelIndex(head, ':');
            var name = (colon < 0 ? head : head[..colon]).Trim();
            var annotation = colon < 0 ? null : head[(colon + 1)..].Trim();
            if (name.Length == 0 || (parameters.Count == 0 && !keywordOnlyAfterPositionalOnly && name is "self" or "cls"))
            {
                continue;
            }

            parameters.Add(new Parameter(name, string.IsNullOrEmpty(annotation) ? null : annotation, equals >= 0));
        }

        return parameters;
    }

    /// <summary>The schema of a Python annotation, or <see langword="null"/> when it says nothing JSON can check.</summary>
    internal static JsonObject? AnnotationSchema(string annotation)
    {
        var text = annotation.Trim();
        if (text.Length >= 2 && text[0] is '"' or '\'' && text[^1] == text[0])
        {
            text = text[1..^1].Trim(); // a forward reference: "list[int]"
        }

        var union = SplitTopLevel(text, '|');
        if (union.Count > 1)
        {
            return OneOf(union);
        }

        var bracket = text.IndexOf('[', StringComparison.Ordinal);
        var name = (bracket < 0 ? text : text[..bracket]).Trim();
        var arguments = bracket >= 0 && text.EndsWith(']') ? SplitTopLevel(text[(bracket + 1)..^1], ',') : [];
        name = name[(name.LastIndexOf('.') + 1)..]; // typing.List, t.Optional, collections.abc.Sequence
        switch (name)
        {
            case "int":
                return new JsonObject { ["type"] = "integer" };
            case "float":
                return new JsonObject { ["type"] = "number" };
            case "str":
                return new JsonObject { ["type"] = "string" };
            case "bool":
                return new JsonObject { ["type"] = "boolean" };
            case "dict" or "Dict" or "Mapping" or "MutableMapping":
                return new JsonObject { ["type"] = "object" };
            case "list" or "List" or "Sequence" or "MutableSequence" or "Iterable" or "Collection" or "set" or "Set" or "frozenset" or "FrozenSet":
                var array = new JsonObject { ["type"] = "array" };
                if (arguments.Count == 1 && AnnotationSchema(arguments[0]) is { } items)
                {
                    array["items"] = items;
                }

                return array;
            case "tuple" or "Tuple":
                return new JsonObject { ["type"] = "array" };
            case "Optional" when arguments.Count == 1:
                return OneOf([arguments[0], "None"]);
            case "Union" when arguments.Count > 0:
                return OneOf(arguments);
            default:
                return null; // Any, object, a class of the skill's own, a type variable
        }
    }

    /// <summary>A union: the schema of its one non-None member; <see langword="null"/> (anything) when it has several.</summary>
    private static JsonObject? OneOf(IReadOnlyList<string> members)
    {
        var typed = members.Where(m => m.Trim() is not ("None" or "NoneType")).ToList();
        return typed.Count == 1 ? AnnotationSchema(typed[0]) : null;
    }

    private static JsonObject KindSchema(JsonValueKind kind) => new()
    {
        ["type"] = kind switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Array => "array",
            JsonValueKind.Object => "object",
            _ => "string",
        },
    };

    /// <summary>Splits <paramref name="code"/> from <paramref name="start"/> at top-level commas up to the closing <paramref name="end"/>.</summary>
    private static List<string>? Split(string code, int start, char end)
    {
        var parts = new List<string>();
        var depth = 0;
        var from = start;
        for (var i = start; i < code.Length; i++)
        {
            var c = code[i];
            if (c is '"' or '\'')
            {
                i = SkipString(code, i);
            }
            else if (c == '#')
            {
                i = code.IndexOf('\n', i) is var newline and >= 0 ? newline : code.Length;
            }
            else if (c is '(' or '[' or '{')
            {
                depth++;
            }
            else if (depth == 0 && c == end)
            {
                parts.Add(Uncomment(code[from..i]));
                return parts;
            }
            else if (c is ')' or ']' or '}')
            {
                depth--;
            }
            else if (depth == 0 && c == ',')
            {
                parts.Add(Uncomment(code[from..i]));
                from = i + 1;
            }
        }

        return null;
    }

    /// <summary>The parts of <paramref name="text"/> between top-level <paramref name="separator"/>s, trimmed, empty ones left out.</summary>
    private static List<string> SplitTopLevel(string text, char separator)
    {
        var result = new List<string>();
        var from = 0;
        foreach (var at in TopLevelIndices(text, separator))
        {
            result.Add(text[from..at].Trim());
            from = at + 1;
        }

        result.Add(text[from..].Trim());
        return result.Where(p => p.Length > 0).ToList();
    }

    /// <summary>The index of the first <paramref name="c"/> outside brackets and strings, or -1.</summary>
    private static int TopLevelIndex(string text, char c) => TopLevelIndices(text, c).DefaultIfEmpty(-1).First();

    /// <summary>The indices of <paramref name="c"/> outside brackets and strings, in order.</summary>
    private static IEnumerable<int> TopLevelIndices(string text, char c)
    {
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '"' or '\'':
                    i = SkipString(text, i);
                    break;
                case '(' or '[' or '{':
                    depth++;
                    break;
                case ')' or ']' or '}':
                    depth--;
                    break;
                case var other when other == c && depth == 0:
                    yield return i;
                    break;
            }
        }
    }

    /// <summary>The index of the quote that closes the string literal opening at <paramref name="start"/>.</summary>
    private static int SkipString(string text, int start)
    {
        var quote = text[start];
        var triple = start + 2 < text.Length && text[start + 1] == quote && text[start + 2] == quote;
        var delimiter = triple ? new string(quote, 3) : quote.ToString();
        for (var i = start + delimiter.Length; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (string.CompareOrdinal(text, i, delimiter, 0, delimiter.Length) == 0)
            {
                return i + delimiter.Length - 1;
            }
        }

        return text.Length;
    }

    private static string Uncomment(string part) =>
        string.Join('\n', part.Split('\n').Select(line => TopLevelIndex(line, '#') is var hash and >= 0 ? line[..hash] : line));

    [GeneratedRegex(@"^(?:async[ \t]+)?def[ \t]+(?<name>\w+)[ \t]*\(", RegexOptions.Multiline)]
    private static partial Regex DefPattern();
}
