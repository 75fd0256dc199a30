using Microsoft.Extensions.Configuration;

namespace AutoDev;

/// <summary>
/// What every LLM adapter needs: where the service is, the key, the model. The provider packages derive their options
/// from it (<c>OpenAIChatClientOptions</c>, <c>AnthropicChatClientOptions</c>), so both are configured the same way.
/// </summary>
/// <remarks>
/// Values come, each overriding the one before: from the provider's usual environment variables (for example
/// <c>OPENAI_API_KEY</c>), from the <c>AutoDev:&lt;Provider&gt;</c> configuration section, from code.
/// <see cref="ToString"/> never shows the key, and neither does any log or error AutoDev writes.
/// </remarks>
public abstract class LlmClientOptions
{
    /// <summary>The service's base address; <see langword="null"/> for the provider's own service.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The API key. Optional for local servers that need none.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The model to ask when a call's <c>ChatOptions.ModelId</c> names none. Required.</summary>
    public string? Model { get; set; }

    /// <summary>The answer's token limit when a call's <c>ChatOptions.MaxOutputTokens</c> sets none.</summary>
    /// <value>Default 4,096.</value>
    public int MaxOutputTokens { get; set; } = 4096;

    /// <summary>
    /// The transport's own limit for one HTTP request. <see cref="ResilientChatClient"/>'s attempt time-out
    /// (<see cref="ChatResilienceOptions.AttemptTimeout"/>) is the one that usually applies; this guards direct use.
    /// </summary>
    /// <value>Default 10 minutes.</value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The options with the key hidden.</summary>
    public override string ToString() =>
        $"{GetType().Name} {{ Endpoint = {Endpoint?.ToString() ?? "(provider default)"}, Model = {Model ?? "(none)"}, ApiKey = {(string.IsNullOrEmpty(ApiKey) ? "(none)" : "(set)")} }}";

    /// <summary>What is wrong with the options, in messages that say what to set; empty when they are valid.</summary>
    /// <param name="section">The configuration section the options bind from, for the messages.</param>
    /// <param name="keyRequired">Whether the service needs a key (the provider's own service does).</param>
    public IReadOnlyList<string> Validate(string section, bool keyRequired)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Model))
        {
            errors.Add($"{section}:Model is required: name the model to ask.");
        }

        if (Endpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https")))
        {
            errors.Add($"{section}:Endpoint must be an absolute http or https address.");
        }

        if (keyRequired && string.IsNullOrWhiteSpace(ApiKey))
        {
            errors.Add($"{section}:ApiKey is required for the provider's own service.");
        }

        if (MaxOutputTokens < 1)
        {
            errors.Add($"{section}:MaxOutputTokens must be at least 1.");
        }

        if (RequestTimeout <= TimeSpan.Zero && RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{section}:RequestTimeout must be positive.");
        }

        return errors;
    }

    /// <summary>
    /// Fills <see cref="Endpoint"/>, <see cref="ApiKey"/> and <see cref="Model"/> from variables (looked up in
    /// <paramref name="configuration"/>, which in a default host holds the environment, else in the process environment).
    /// </summary>
    public void ApplyEnvironment(IConfiguration? configuration, string endpointVariable, string apiKeyVariable, string modelVariable)
    {
        var endpoint = Lookup(configuration, endpointVariable);
        if (!string.IsNullOrWhiteSpace(endpoint) && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            Endpoint = uri;
        }

        ApiKey = Lookup(configuration, apiKeyVariable) is { Length: > 0 } key ? key : ApiKey;
        Model = Lookup(configuration, modelVariable) is { Length: > 0 } model ? model : Model;
    }

    private static string? Lookup(IConfiguration? configuration, string name) =>
        configuration?[name] ?? Environment.GetEnvironmentVariable(name);
}
