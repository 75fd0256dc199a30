using System.Diagnostics.CodeAnalysis;

namespace AutoDev;

/// <summary>
/// The rule for skill names and entry points: a Python identifier of ASCII letters, digits and underscores, not
/// starting with a digit, at most <see cref="MaxLength"/> characters. Such a name is safe as a file name, a zip entry,
/// a tool name and a log value.
/// </summary>
public static class SkillNames
{
    /// <summary>The longest skill name or entry point: 64 characters.</summary>
    public const int MaxLength = 64;

    /// <summary>Whether <paramref name="name"/> is a valid skill name.</summary>
    public static bool IsValid([NotNullWhen(true)] string? name) =>
        name is { Length: > 0 and <= MaxLength }
        && !char.IsAsciiDigit(name[0])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>Returns <paramref name="name"/> when it is valid.</summary>
    /// <exception cref="ArgumentException">It is not a Python identifier of at most <see cref="MaxLength"/> ASCII characters.</exception>
    public static string Ensure(string? name, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(name))] string? parameter = null) =>
        IsValid(name)
            ? name
            : throw new ArgumentException(
                $"'{parameter}' must be a Python identifier (ASCII letters, digits and underscores, not starting with a digit) of at most {MaxLength} characters.",
                parameter);
}
