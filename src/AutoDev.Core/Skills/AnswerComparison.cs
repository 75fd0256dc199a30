using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace AutoDev;

/// <summary>
/// How AutoDev decides that a skill gave the right answer: the JSON form of the returned value against the expected
/// one. Strings, booleans, <c>null</c> and integers must be equal exactly; arrays element by element (a Python tuple is
/// an array); objects key by key, with the same keys. Where either side is a floating-point number, the two must be
/// within <see cref="FloatTolerance"/> of each other, the check HumanEval itself uses (<c>abs(a - b) &lt; 1e-6</c>),
/// so <c>2</c> and <c>2.0</c> are the same answer. A boolean is never a number.
/// </summary>
/// <remarks>Used for a candidate's own tests and held-out cases, and for a mutation's child against its parent.</remarks>
public static class AnswerComparison
{
    /// <summary>The largest absolute difference between two floating-point answers that still counts as equal.</summary>
    public const double FloatTolerance = 1e-6;

    /// <summary>Where <paramref name="actualJson"/> first differs from <paramref name="expectedJson"/>, or <see langword="null"/> when they are the same answer.</summary>
    /// <exception cref="JsonException">Either side is not JSON.</exception>
    public static string? Difference(string expectedJson, string actualJson)
    {
        ArgumentNullException.ThrowIfNull(expectedJson);
        ArgumentNullException.ThrowIfNull(actualJson);
        using var expected = JsonDocument.Parse(expectedJson);
        using var actual = JsonDocument.Parse(actualJson);
        return Difference(expected.RootElement, actual.RootElement, "$");
    }

    /// <summary>Whether the two JSON values are the same answer; see <see cref="Difference(string, string)"/>.</summary>
    public static bool Same(string expectedJson, string actualJson) => Difference(expectedJson, actualJson) is null;

    private static string? Difference(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.ValueKind == JsonValueKind.Number && actual.ValueKind == JsonValueKind.Number)
        {
            return SameNumber(expected.GetRawText(), actual.GetRawText()) ? null : Differs(path, expected, actual);
        }

        if (Kind(expected.ValueKind) != Kind(actual.ValueKind))
        {
            return Differs(path, expected, actual);
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.String:
                return string.Equals(expected.GetString(), actual.GetString(), StringComparison.Ordinal) ? null : Differs(path, expected, actual);
            case JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null:
                return expected.ValueKind == actual.ValueKind ? null : Differs(path, expected, actual);
            case JsonValueKind.Array:
                var (expectedLength, actualLength) = (expected.GetArrayLength(), actual.GetArrayLength());
                for (var i = 0; i < Math.Min(expectedLength, actualLength); i++)
                {
                    if (Difference(expected[i], actual[i], $"{path}[{i}]") is { } inner)
                    {
                        return inner;
                    }
                }

                return expectedLength == actualLength ? null : $"at {path}: expected {expectedLength} element(s), got {actualLength}";
            default:
                var expectedNames = expected.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                foreach (var property in actual.EnumerateObject())
                {
                    if (!expectedNames.Contains(property.Name))
                    {
                        return $"at {path}: unexpected key \"{property.Name}\"";
                    }
                }

                foreach (var property in expected.EnumerateObject())
                {
                    if (!actual.TryGetProperty(property.Name, out var other))
                    {
                        return $"at {path}: missing key \"{property.Name}\"";
                    }

                    if (Difference(property.Value, other, $"{path}.{property.Name}") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
        }
    }

    private static JsonValueKind Kind(JsonValueKind kind) => kind == JsonValueKind.False ? JsonValueKind.True : kind;

    private static bool SameNumber(string expected, string actual)
    {
        if (IsInteger(expected) && IsInteger(actual))
        {
            return BigInteger.Parse(expected, CultureInfo.InvariantCulture) == BigInteger.Parse(actual, CultureInfo.InvariantCulture);
        }

        var (a, b) = (double.Parse(expected, CultureInfo.InvariantCulture), double.Parse(actual, CultureInfo.InvariantCulture));
        return a == b || Math.Abs(a - b) < FloatTolerance;
    }

    private static bool IsInteger(string raw) => raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0;

    private static string Differs(string path, JsonElement expected, JsonElement actual) =>
        $"at {path}: expected {Cut(expected.GetRawText())}, got {Cut(actual.GetRawText())}";

    private static string Cut(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 197), "...");
}
