using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AutoDev.AgentFramework;

/// <summary>
/// Microsoft Agent Framework agents that learn with AutoDev. The framework's place for this is the agent's chat
/// client layer: a <see cref="ChatClientAgent"/> calls its model through an <see cref="IChatClient"/> pipeline, and
/// AutoDev's <see cref="SkillLearningChatClient"/> in that pipeline sees every run's requests, tool calls and results.
/// </summary>
public static class AutoDevAgentExtensions
{
    /// <summary>
    /// A <see cref="ChatClientAgent"/> over <paramref name="chatClient"/> for <paramref name="identity"/>: every run is
    /// offered the workspace's skills beside <paramref name="tools"/>, and every run that called tools is recorded as
    /// an episode of that agent, so its failures become skills it is then offered.
    /// </summary>
    /// <param name="chatClient">The model's chat client.</param>
    /// <param name="services">The host's services, with <c>AddAutoDev()</c>.</param>
    /// <param name="identity">The workspace and agent the runs belong to (a run's <c>ChatOptions</c> may carry another under <see cref="AgentIdentity.OptionsKey"/>).</param>
    /// <param name="instructions">The agent's instructions.</param>
    /// <param name="tools">The agent's own tools.</param>
    /// <param name="configure">Changes the <see cref="SkillLearningOptions"/>.</param>
    /// <exception cref="InvalidOperationException"><paramref name="services"/> lack <c>AddAutoDev()</c>'s services.</exception>
    public static ChatClientAgent AsAutoDevAgent(
        this IChatClient chatClient,
        IServiceProvider services,
        AgentIdentity identity,
        string? instructions = null,
        IList<AITool>? tools = null,
        Action<SkillLearningOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(identity);
        var pipeline = chatClient.AsBuilder()
            .UseAutoDev(options =>
            {
                options.Identify = _ => identity;
                configure?.Invoke(options);
            })
            .UseFunctionInvocation()
            .Build(services);
        return new ChatClientAgent(pipeline, instructions, identity.AgentId, description: null, tools, services.GetService<ILoggerFactory>(), services);
    }
}
