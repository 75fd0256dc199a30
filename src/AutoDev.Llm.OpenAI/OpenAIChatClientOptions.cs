namespace AutoDev.Llm.OpenAI;

/// <summary>
/// Options of the OpenAI adapter. <see cref="LlmClientOptions.Endpoint"/> points it at any OpenAI-compatible server:
/// vLLM, Ollama and LM Studio (<c>http://localhost:11434/v1/</c> and the like), or Azure OpenAI's v1 API
/// (<c>https://&lt;resource&gt;.openai.azure.com/openai/v1/</c>).
/// </summary>
/// <remarks>Bound from <c>OPENAI_BASE_URL</c>, <c>OPENAI_API_KEY</c> and <c>OPENAI_MODEL</c>, then the <c>AutoDev:OpenAI</c> section, then code.</remarks>
public sealed class OpenAIChatClientOptions : LlmClientOptions
{
    /// <summary>The configuration section: <c>AutoDev:OpenAI</c>.</summary>
    public const string SectionName = "AutoDev:OpenAI";

    /// <summary>The variable that holds the endpoint, as the OpenAI SDKs name it.</summary>
    public const string EndpointVariable = "OPENAI_BASE_URL";

    /// <summary>The variable that holds the API key.</summary>
    public const string ApiKeyVariable = "OPENAI_API_KEY";

    /// <summary>The variable that holds the model.</summary>
    public const string ModelVariable = "OPENAI_MODEL";
}
