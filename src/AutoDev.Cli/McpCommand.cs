using System.CommandLine;
using AutoDev.Mcp;
using AutoDev.Sandbox.Docker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AutoDev.Cli;

/// <summary><c>autodev mcp --workspace acme --sqlite autodev.db</c>: serves a workspace's skills to an MCP client over stdio.</summary>
internal static class McpCommand
{
    /// <summary>The exit code when the workspace is unknown to the store.</summary>
    public const int UnknownWorkspace = 3;

    public static Command Create()
    {
        var workspace = new Option<string>("--workspace", "-w") { Description = "The workspace whose skills are served.", Required = true };
        var refresh = new Option<TimeSpan>("--refresh")
        {
            Description = "How often the store is checked for promotions and rollbacks made elsewhere, which clients hear of as tools/list_changed (0 turns it off).",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(5),
        };
        var store = new TargetOptions();
        var command = new Command("mcp", "Serves a workspace's learned skills as MCP tools over standard input and output, each run in AutoDev's sandbox (Docker where its engine is there, otherwise bubblewrap). Logs go to standard error.")
        {
            workspace,
            refresh,
        };
        store.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            // Standard output carries the protocol: the host writes nothing else there.
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Configuration.AddEnvironmentVariables();
            builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
            var autodev = builder.Services.AddAutoDev(builder.Configuration)
                .AddDockerSandbox(docker => docker.AllowFallback = true)
                .AddMcpServer(mcp => mcp.RefreshInterval = result.GetValue(refresh));
            store.Apply(result, autodev);

            using var host = builder.Build();
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await host.Services.GetRequiredService<AutoDevMcpServer>().RunStdioAsync(result.GetValue(workspace)!, cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (EntityNotFoundException ex)
            {
                await result.InvocationConfiguration.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return UnknownWorkspace;
            }
            finally
            {
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
        });
        return command;
    }
}
