using Microsoft.Extensions.Logging;

namespace AutoDev.Sandbox.Docker.Internal;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Could not remove sandbox containers left behind by dead processes; they stay until removed by hand.")]
    public static partial void OrphanCleanupFailed(ILogger logger, Exception exception);
}
