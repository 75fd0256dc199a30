using AutoDev.Llm.OpenAI;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the OpenAI adapter on the AutoDev builder.</summary>
public static class OpenAIAutoDevBuilderExtensions
{
    /// <summary>
    /// Makes an <see cref="OpenAIChatClientAdapter"/> the chat client of AutoDev's engines. Settings come from
    /// <c>OPENAI_BASE_URL</c>, <c>OPENAI_API_KEY</c> and <c>OPENAI_MODEL</c>, then the <c>AutoDev:OpenAI</c> section,
    /// then <paramref name="configure"/>; they are validated when the host starts.
    /// </summary>
    /// <example>
    /// <code>
    /// services.AddAutoDev().AddOpenAIChatClient(o =>
    /// {
    ///     o.Endpoint = new Uri("http://localhost:11434/v1/"); // Ollama; leave unset for OpenAI itself
    ///     o.Model = "qwen2.5-coder";
    /// });
    /// </code>
    /// </example>
    public static IAutoDevBuilder AddOpenAIChatClient(this IAutoDevBuilder builder, Action<OpenAIChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddChatClientOptions(
            OpenAIChatClientOptions.SectionName,
            (OpenAIChatClientOptions.EndpointVariable, OpenAIChatClientOptions.ApiKeyVariable, OpenAIChatClientOptions.ModelVariable),
            keyRequired: o => o.Endpoint is null,
            configure);
        return builder.UseChatClient(sp => new OpenAIChatClientAdapter(
            sp.GetRequiredService<IOptions<OpenAIChatClientOptions>>().Value,
            sp.GetService<TimeProvider>()));
    }
}
