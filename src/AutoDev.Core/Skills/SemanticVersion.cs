using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace AutoDev;

/// <summary>A skill version number, <c>MAJOR.MINOR.PATCH</c>. New skills start at <see cref="Initial"/>; an evolved version bumps the minor number.</summary>
public readonly record struct SemanticVersion(int Major, int Minor, int Patch) : IComparable<SemanticVersion>
{
    /// <summary>The first version of every new skill, 1.0.0.</summary>
    public static SemanticVersion Initial { get; } = new(1, 0, 0);

    /// <summary>The next minor version: 1.0.3 becomes 1.1.0.</summary>
    public SemanticVersion NextMinor() => new(Major, Minor + 1, 0);

    /// <summary>The next major version: 1.4.2 becomes 2.0.0.</summary>
    public SemanticVersion NextMajor() => new(Major + 1, 0, 0);

    /// <inheritdoc/>
    public int CompareTo(SemanticVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major) : Minor != other.Minor ? Minor.CompareTo(other.Minor) : Patch.CompareTo(other.Patch);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}");

    /// <summary>Parses <c>MAJOR.MINOR.PATCH</c>.</summary>
    /// <exception cref="FormatException">The text is not three non-negative integers separated by dots.</exception>
    public static SemanticVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw new FormatException($"'{text}' is not a version of the form MAJOR.MINOR.PATCH.");

    /// <summary>Parses <c>MAJOR.MINOR.PATCH</c> without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out SemanticVersion version)
    {
        version = default;
        var parts = text?.Split('.');
        if (parts is not { Length: 3 })
        {
            return false;
        }

        if (int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var patch))
        {
            version = new SemanticVersion(major, minor, patch);
            return true;
        }

        return false;
    }

    /// <summary>Whether this version sorts before <paramref name="right"/>.</summary>
    public static bool operator <(SemanticVersion left, SemanticVersion right) => left.CompareTo(right) < 0;

    /// <summary>Whether this version sorts after <paramref name="right"/>.</summary>
    public static bool operator >(SemanticVersion left, SemanticVersion right) => left.CompareTo(right) > 0;

    /// <summary>Whether this version sorts before or equals <paramref name="right"/>.</summary>
    public static bool operator <=(SemanticVersion left, SemanticVersion right) => left.CompareTo(right) <= 0;

    /// <summary>Whether this version sorts after or equals <paramref name="right"/>.</summary>
    public static bool operator >=(SemanticVersion left, SemanticVersion right) => left.CompareTo(right) >= 0;
}
