using AutoDev.Llm.Anthropic;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Anthropic adapter on the AutoDev builder.</summary>
public static class AnthropicAutoDevBuilderExtensions
{
    /// <summary>
    /// Makes an <see cref="AnthropicChatClientAdapter"/> the chat client of AutoDev's engines. Settings come from
    /// <c>ANTHROPIC_BASE_URL</c>, <c>ANTHROPIC_API_KEY</c> and <c>ANTHROPIC_MODEL</c>, then the <c>AutoDev:Anthropic</c>
    /// section, then <paramref name="configure"/>; they are validated when the host starts.
    /// </summary>
    public static IAutoDevBuilder AddAnthropicChatClient(this IAutoDevBuilder builder, Action<AnthropicChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddChatClientOptions(
            AnthropicChatClientOptions.SectionName,
            (AnthropicChatClientOptions.EndpointVariable, AnthropicChatClientOptions.ApiKeyVariable, AnthropicChatClientOptions.ModelVariable),
            keyRequired: o => o.Endpoint is null,
            configure);
        return builder.UseChatClient(sp => new AnthropicChatClientAdapter(
            sp.GetRequiredService<IOptions<AnthropicChatClientOptions>>().Value,
            sp.GetService<TimeProvider>()));
    }
}
