using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>
/// The default <see cref="IChatGateway"/>: a façade over AutoDev's chat pipeline that tags each call with its
/// <see cref="ChatCallContext"/> and turns a final failure into a failed result.
/// </summary>
internal sealed class ChatGateway(ChatPipeline pipeline) : IChatGateway
{
    /// <inheritdoc/>
    public async Task<ChatCallResult> GetResponseAsync(ChatCallContext context, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(messages);
        Guard.Id(context.TenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(context.Purpose);
        options = options?.Clone() ?? new ChatOptions();
        (options.AdditionalProperties ??= [])[ChatCallContext.OptionsKey] = context;
        try
        {
            var response = await pipeline.Client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            return new ChatCallResult(response, (ChatCallRecord)response.AdditionalProperties![ChatCallRecord.ResponseKey]!, null);
        }
        catch (ChatServiceException failure) when (failure.Record is { } record)
        {
            return new ChatCallResult(null, record, failure);
        }
    }
}

/// <summary>
/// AutoDev's chat pipeline over the chat client it uses (<see cref="AutoDevChatClient"/>), built once at the first call:
/// usage recording → resilience → OpenTelemetry (gen_ai spans and metrics, one per attempt) → logging → the host's own
/// middleware (<c>ConfigureChatPipeline</c>) → the client.
/// </summary>
internal sealed class ChatPipeline(IServiceProvider services, IOptions<ChatPipelineOptions> options)
{
    private readonly Lazy<IChatClient> _client = new(() => Build(services, options.Value));

    /// <summary>The pipeline.</summary>
    /// <exception cref="InvalidOperationException">No chat client is registered.</exception>
    public IChatClient Client => _client.Value;

    /// <summary>The pipeline if it was built; the health check must not build it.</summary>
    public IChatClient? BuiltClient => _client.IsValueCreated ? _client.Value : null;

    private static IChatClient Build(IServiceProvider services, ChatPipelineOptions options)
    {
        var loggerFactory = services.GetService<ILoggerFactory>();
        var builder = new ChatClientBuilder(AutoDevChatClient.Resolve(services))
            .UseAutoDevUsageRecording()
            .UseAutoDevResilience()
            .UseOpenTelemetry(loggerFactory, AutoDevTelemetry.CoreName)
            .UseLogging(loggerFactory);
        foreach (var configure in options.Steps)
        {
            configure(builder);
        }

        return builder.Build(services);
    }
}

/// <summary>The host's own middleware for AutoDev's chat pipeline, in the order it was added.</summary>
internal sealed class ChatPipelineOptions
{
    public List<Action<ChatClientBuilder>> Steps { get; } = [];
}
