namespace AutoDev.Internal;

internal static class Guard
{
    /// <summary>Tenant and agent ids are host-chosen strings: non-empty, at most 128 characters.</summary>
    public static string Id(string? value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, name);
        if (value.Length > 128)
        {
            throw new ArgumentException($"'{name}' must be at most 128 characters.", name);
        }

        return value;
    }

    /// <summary>The longest key a store indexes (a failure pattern's key): short enough for every database's index.</summary>
    public const int MaxKeyLength = 512;

    /// <summary>A key a store indexes: non-empty, at most <see cref="MaxKeyLength"/> characters, no NUL.</summary>
    public static string Key(string? value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, name);
        if (value.Length > MaxKeyLength)
        {
            throw new ArgumentException($"'{name}' must be at most {MaxKeyLength} characters; it has {value.Length:N0}.", name);
        }

        return Text(value, name)!;
    }

    /// <summary>Text a store keeps: anything but the NUL character, which PostgreSQL's text cannot hold.</summary>
    public static string? Text(string? value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null) =>
        value is not null && value.Contains('\0', StringComparison.Ordinal)
            ? throw new ArgumentException($"'{name}' contains a NUL character, which no store keeps; remove it or encode the value.", name)
            : value;

    /// <summary>Text from outside AutoDev (a model's answer, an error message) made storable: NUL characters become U+FFFD.</summary>
    public static string Storable(string value) => value.Contains('\0', StringComparison.Ordinal) ? value.Replace('\0', '\uFFFD') : value;
}
