using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>AutoDev's chat middleware for any <see cref="ChatClientBuilder"/>, a host's own pipeline included.</summary>
public static class AutoDevChatClientBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="SkillLearningChatClient"/>: the workspace's skills are offered as tools in every request, and
    /// requests that called tools are recorded as episodes, so the agent learns with no host code. The agent comes
    /// from <c>ChatOptions.AdditionalProperties[AgentIdentity.OptionsKey]</c> or <see cref="SkillLearningOptions.Identify"/>.
    /// Needs <c>AddAutoDev()</c>'s services. Put it before (outside) <c>UseFunctionInvocation()</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The pipeline is built without <c>AddAutoDev()</c>'s services.</exception>
    public static ChatClientBuilder UseAutoDev(this ChatClientBuilder builder, Action<SkillLearningOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new SkillLearningOptions();
        configure?.Invoke(options);
        return builder.Use((inner, services) =>
        {
            static T Need<T>(IServiceProvider services)
                where T : class =>
                services.GetService<T>() ?? throw new InvalidOperationException("UseAutoDev needs AutoDev's services: call services.AddAutoDev() and build the pipeline with that service provider.");
            return new SkillLearningChatClient(
                inner,
                Need<ISkillRunner>(services),
                Need<IEpisodeRecorder>(services),
                Need<IEventBus>(services),
                options,
                services.GetService<TimeProvider>(),
                services.GetService<ILoggerFactory>()?.CreateLogger<SkillLearningChatClient>());
        });
    }

    /// <summary>
    /// Adds <see cref="ResilientChatClient"/>: time-out per attempt, retries and the circuit breaker, from the
    /// registered <see cref="ChatResilienceOptions"/> (<c>AddAutoDev().ConfigureChat(...)</c>) unless
    /// <paramref name="configure"/> changes a copy of them.
    /// </summary>
    public static ChatClientBuilder UseAutoDevResilience(this ChatClientBuilder builder, Action<ChatResilienceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var registered = services.GetService<IOptions<ChatResilienceOptions>>()?.Value ?? new ChatResilienceOptions();
            var options = configure is null ? registered : Copy(registered, configure);
            return new ResilientChatClient(inner, options, services.GetService<TimeProvider>(), services.GetService<ILoggerFactory>()?.CreateLogger<ResilientChatClient>());
        });
    }

    /// <summary>
    /// Adds <see cref="UsageRecordingChatClient"/>: calls that carry a <see cref="ChatCallContext"/> are recorded in the
    /// registered <see cref="IChatCallStore"/> and count against the workspace's token budget. Needs <c>AddAutoDev()</c>.
    /// Put it before (outside) <see cref="UseAutoDevResilience"/>, so that a call is one record whatever its attempts.
    /// </summary>
    /// <exception cref="InvalidOperationException">The pipeline is built without <c>AddAutoDev()</c>'s services.</exception>
    public static ChatClientBuilder UseAutoDevUsageRecording(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => new UsageRecordingChatClient(
            inner,
            services.GetService<IChatCallStore>() ?? throw new InvalidOperationException("UseAutoDevUsageRecording needs AutoDev's services: call services.AddAutoDev() and build the pipeline with that service provider."),
            services.GetService<IOptions<ChatResilienceOptions>>()?.Value.MaxOutputTokens ?? ChatResilienceOptions.DefaultMaxOutputTokens,
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>()?.CreateLogger<UsageRecordingChatClient>())
        {
            Observed = services.GetService<WorkspaceUsage>(),
        });
    }

    private static ChatResilienceOptions Copy(ChatResilienceOptions source, Action<ChatResilienceOptions> configure)
    {
        var copy = source.Clone();
        configure(copy);
        var validation = new ChatResilienceOptionsValidator().Validate(null, copy);
        return validation.Failed ? throw new OptionsValidationException(nameof(ChatResilienceOptions), typeof(ChatResilienceOptions), validation.Failures) : copy;
    }
}
