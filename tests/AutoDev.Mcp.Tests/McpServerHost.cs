using AutoDev.Mcp;
using AutoDev.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;

using AutoDev.Tests.Web;

namespace AutoDev.Tests.Mcp;

/// <summary>
/// An ASP.NET Core host on a loopback port of Kestrel serving <c>MapAutoDevMcp()</c>, with in-memory stores, the real
/// sandbox (the strongest local tier) and three workspaces: acme, globex and lab.
/// </summary>
internal sealed class McpServerHost : IAsyncDisposable
{
    public const string Acme = "acme";
    public const string Globex = "globex";
    public const string Lab = "lab";

    /// <summary>A skill that answers, with annotations and a docstring.</summary>
    public const string ExtractCode = """
        import re

        def extract_invoice_id(text: str, prefix: str = "INV") -> str:
            "Returns the first invoice id (PREFIX-YYYY-NNNN) in the text."
            return re.search(prefix + r"-\d{4}-\d{4}", text).group(0)
        """;

    public const string ExtractTests = """[{"inputs": {"text": "about INV-2024-0042"}, "expected": "INV-2024-0042"}]""";

    private readonly WebApplication _app;

    private McpServerHost(WebApplication app, Uri address) => (_app, Address) = (app, address);

    /// <summary>The server's root, for example <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>The MCP endpoint of a workspace.</summary>
    public Uri Endpoint(string workspace) => new(Address, $"autodev/mcp/{workspace}");

    public static async Task<McpServerHost> StartAsync(Action<WebApplicationBuilder>? configure = null, Action<WebApplication, IEndpointConventionBuilder>? map = null)
    {
        var (builder, autodev) = LoopbackWebApp.Create(Acme, Globex, Lab);
        autodev.AddMcpServer(mcp => mcp.RefreshInterval = TimeSpan.Zero);
        configure?.Invoke(builder);
        var app = builder.Build();
        var endpoints = app.MapAutoDevMcp();
        map?.Invoke(app, endpoints);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Urls.First();
        var host = new McpServerHost(app, new Uri(address.TrimEnd('/') + "/"));
        ServiceRequirement.Require(await app.Services.GetServices<ISandboxTier>().OfType<BubblewrapSandbox>().Single().CheckAvailabilityAsync(TestContext.Current.CancellationToken));
        return host;
    }

    /// <summary>Connects the MCP C# SDK's client to a workspace's endpoint over streamable HTTP.</summary>
    public Task<McpClient> ConnectAsync(string workspace, McpClientOptions? options = null, HttpClient? http = null) =>
        McpClient.CreateAsync(
            http is null
                ? new HttpClientTransport(new HttpClientTransportOptions { Endpoint = Endpoint(workspace), TransportMode = HttpTransportMode.StreamableHttp })
                : new HttpClientTransport(new HttpClientTransportOptions { Endpoint = Endpoint(workspace), TransportMode = HttpTransportMode.StreamableHttp }, http, ownsHttpClient: false),
            options ?? new McpClientOptions { ClientInfo = new() { Name = "test-agent", Version = "1.0" } },
            cancellationToken: TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
