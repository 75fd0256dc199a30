using Microsoft.Extensions.Logging;

namespace AutoDev.Sandbox.Docker.Internal;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Could not remove sandbox containers left behind by dead processes; they stay until removed by hand.")]
    public static partial void OrphanCleanupFailed(ILogger logger, Exception exception);

    [LoggerMessage(2, LogLevel.Warning, "The Docker sandbox tier cannot run code, so the next strongest tier will (DockerSandboxOptions.AllowFallback): {Reason}")]
    public static partial void FallingBack(ILogger logger, string reason);
}
