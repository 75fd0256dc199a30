using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AutoDev.Tests.Mcp;

/// <summary>The built <c>autodev</c> tool, and an AutoDev SQLite file for it to serve (written by a second AutoDev host, as a reviewer's process would).</summary>
internal static class AutodevTool
{
    /// <summary>The tool's assembly, built by this test project's reference to it.</summary>
    public static string Assembly
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = RepositoryPaths.Combine("src", "AutoDev.Cli", "bin", configuration, "net10.0", "autodev.dll");
            Assert.True(File.Exists(path), $"{path} is missing, although this test project references the tool");
            return path;
        }
    }

    /// <summary>Runs the tool to its end with <paramref name="arguments"/>.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>A started AutoDev host over a new SQLite file with the acme workspace saved; dispose it to stop it and delete the file.</summary>
    public static async Task<StoreHost> CreateStoreAsync()
    {
        var file = Path.Combine(Path.GetTempPath(), $"autodev-mcp-{Guid.NewGuid():N}.db");
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddAutoDev(o => o.EventDispatchMode = EventDispatchMode.Inline)
            .AddEntityFrameworkStores(o => o.UseSqlite($"Data Source={file}"), stores => stores.MigrateOnStart = true);
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.Services.GetRequiredService<IWorkspaceStore>().SaveSettingsAsync(McpServerHost.Acme, new WorkspaceSettings { Enabled = true }, TestContext.Current.CancellationToken);
        return new StoreHost(host, file);
    }

    internal sealed class StoreHost(IHost host, string file) : IAsyncDisposable
    {
        public string File { get; } = file;

        public T Get<T>()
            where T : notnull => host.Services.GetRequiredService<T>();

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var path in (string[])[File, File + "-wal", File + "-shm"])
            {
                System.IO.File.Delete(path);
            }
        }
    }
}
