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
}
