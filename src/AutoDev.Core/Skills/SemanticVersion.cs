using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace AutoDev;

/// <summary>A skill version number, <c>MAJOR.MINOR.PATCH</c>. New skills start at <see cref="Initial"/>; an evolved version bumps the minor number.</summary>
public readonly record struct SemanticVersion(int Major, int Minor, int Patch) : IComparable<SemanticVersion>
{
    /// <summary>The first version of every new skill, 1.0.0.</summary>
    public static SemanticVersion Initial { get; } = new(1, 0, 0);

    /// <summary>The largest number of each part: 999,999. <see cref="Parse"/> refuses larger ones, so every version has a next one.</summary>
    public const int MaxPart = 999_999;

    /// <summary>The next minor version: 1.0.3 becomes 1.1.0.</summary>
    /// <exception cref="InvalidOperationException">The minor number is at <see cref="MaxPart"/>.</exception>
    public SemanticVersion NextMinor() =>
        Minor < MaxPart ? new(Major, Minor + 1, 0) : throw new InvalidOperationException($"{this} has no next minor version: the minor number is at its maximum of {MaxPart:N0}.");

    /// <summary>The next major version: 1.4.2 becomes 2.0.0.</summary>
    /// <exception cref="InvalidOperationException">The major number is at <see cref="MaxPart"/>.</exception>
    public SemanticVersion NextMajor() =>
        Major < MaxPart ? new(Major + 1, 0, 0) : throw new InvalidOperationException($"{this} has no next major version: the major number is at its maximum of {MaxPart:N0}.");

    /// <inheritdoc/>
    public int CompareTo(SemanticVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major) : Minor != other.Minor ? Minor.CompareTo(other.Minor) : Patch.CompareTo(other.Patch);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}");

    /// <summary>Parses <c>MAJOR.MINOR.PATCH</c>.</summary>
    /// <exception cref="FormatException">The text is not three integers from 0 to <see cref="MaxPart"/> separated by dots.</exception>
    public static SemanticVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw new FormatException($"'{text}' is not a version of the form MAJOR.MINOR.PATCH with parts from 0 to {MaxPart}.");

    /// <summary>Parses <c>MAJOR.MINOR.PATCH</c> without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out SemanticVersion version)
    {
        version = default;
        var parts = text?.Split('.');
        if (parts is not { Length: 3 })
        {
            return false;
        }

        if (int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major) && major <= MaxPart
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor) && minor <= MaxPart
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var patch) && patch <= MaxPart)
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

/// <summary>
/// Writes a <see cref="SemanticVersion"/> as text, <c>1.0.0</c>, as people and tools write versions; reads the same.
/// Opt-in (add it to a <see cref="System.Text.Json.JsonSerializerOptions"/>): AutoDev's HTTP API and CLI use it.
/// </summary>
public sealed class SemanticVersionJsonConverter : System.Text.Json.Serialization.JsonConverter<SemanticVersion>
{
    /// <inheritdoc/>
    public override SemanticVersion Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        SemanticVersion.TryParse(reader.GetString(), out var version) ? version : throw new System.Text.Json.JsonException("A version is text such as 1.0.0.");

    /// <inheritdoc/>
    public override void Write(System.Text.Json.Utf8JsonWriter writer, SemanticVersion value, System.Text.Json.JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString());
    }
}
