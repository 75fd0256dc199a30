using AutoDev.AspNetCore;
using AutoDev.Sandbox.Docker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AutoDev.Samples.Invoice;

/// <summary><c>--serve</c>: after the story, AutoDev's dashboard over the sample's SQLite file, on this machine only, until Ctrl+C.</summary>
internal static class DashboardServer
{
    public static async Task ServeAsync(string database, string workspace, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAutoDev(options => options.Workspaces[workspace] = new WorkspaceSettings { Enabled = true })
            .AddEntityFrameworkStores(o => o.UseSqlite($"Data Source={database}"))
            .AddDockerSandbox(docker => docker.AllowFallback = true)
            .AddHttpApi();
        await using var app = builder.Build();
        app.MapAutoDev();
        await app.StartAsync();
        Console.WriteLine();
        Console.WriteLine($"Dashboard: {app.Urls.First()}/autodev/#/w/{workspace}/skills (this machine only; Ctrl+C stops it)");
        await Console.Out.FlushAsync();
        await app.WaitForShutdownAsync();
    }
}
