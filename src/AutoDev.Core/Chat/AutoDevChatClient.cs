using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev;

/// <summary>Which <see cref="IChatClient"/> AutoDev calls.</summary>
/// <remarks>
/// The client registered for AutoDev, keyed <see cref="ServiceKey"/> (as <c>UseChatClient</c> and the provider packages
/// register it), else the host's unkeyed <see cref="IChatClient"/>. It is looked up at the first model call, so a host
/// that never lets AutoDev call a model needs none.
/// </remarks>
public static class AutoDevChatClient
{
    /// <summary>The service key of the <see cref="IChatClient"/> AutoDev uses when the host has another one of its own: <c>AutoDev</c>.</summary>
    public const string ServiceKey = "AutoDev";

    /// <exception cref="InvalidOperationException">No chat client is registered.</exception>
    internal static IChatClient Resolve(IServiceProvider services) =>
        services.GetKeyedService<IChatClient>(ServiceKey)
        ?? services.GetService<IChatClient>()
        ?? throw new InvalidOperationException("No IChatClient is registered. Register one (services.AddChatClient(...)), or call AddOpenAIChatClient / AddAnthropicChatClient on the AutoDev builder.");
}
