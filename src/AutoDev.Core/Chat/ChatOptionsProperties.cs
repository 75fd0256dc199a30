using Microsoft.Extensions.AI;

namespace AutoDev;

/// <summary>How AutoDev's chat middleware takes its own entries out of a request's options before it goes on.</summary>
internal static class ChatOptionsProperties
{
    /// <summary>
    /// Removes <paramref name="key"/> from <paramref name="options"/>' additional properties, and the dictionary when
    /// nothing is left. Call it on a <see cref="ChatOptions.Clone"/> (which copies the dictionary), never on the caller's options.
    /// </summary>
    public static ChatOptions WithoutProperty(this ChatOptions options, string key)
    {
        if (options.AdditionalProperties is { } properties && properties.Remove(key) && properties.Count == 0)
        {
            options.AdditionalProperties = null;
        }

        return options;
    }
}
