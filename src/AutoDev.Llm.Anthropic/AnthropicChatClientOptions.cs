namespace AutoDev.Llm.Anthropic;

/// <summary>Options of the Anthropic adapter; the same shape as the OpenAI adapter's.</summary>
/// <remarks>Bound from <c>ANTHROPIC_BASE_URL</c>, <c>ANTHROPIC_API_KEY</c> and <c>ANTHROPIC_MODEL</c>, then the <c>AutoDev:Anthropic</c> section, then code.</remarks>
public sealed class AnthropicChatClientOptions : LlmClientOptions
{
    /// <summary>The configuration section: <c>AutoDev:Anthropic</c>.</summary>
    public const string SectionName = "AutoDev:Anthropic";

    /// <summary>The variable that holds the endpoint, as the Anthropic SDKs name it.</summary>
    public const string EndpointVariable = "ANTHROPIC_BASE_URL";

    /// <summary>The variable that holds the API key.</summary>
    public const string ApiKeyVariable = "ANTHROPIC_API_KEY";

    /// <summary>The variable that holds the model.</summary>
    public const string ModelVariable = "ANTHROPIC_MODEL";
}
