using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using static AutoDev.Tests.Mcp.McpServerHost;

namespace AutoDev.Tests.Mcp;

/// <summary><c>autodev mcp --workspace acme --sqlite ...</c>, started by the MCP C# SDK's stdio client as an agent's host starts it.</summary>
public sealed class McpStdioTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Two revisions of the protocol: a client of the initialize handshake (2025-11-25, what most clients speak) hears
    /// list changes session-wide; a client of the 2026-07-28 revision (the C# SDK's default) asks for them with
    /// <c>subscriptions/listen</c>, which the SDK's client has no method for yet, so the request is sent as such.
    /// </summary>
    [Theory]
    [InlineData("2025-11-25")]
    [InlineData(null)]
    public async Task TheTool_ServesTheStoresSkills_OverStdio_AndAPromotionByAnotherProcess_ReachesTheClientAsListChanged(string? protocolVersion)
    {
        await using var store = await AutodevTool.CreateStoreAsync();
        var registry = store.Get<ISkillRegistry>();
        await registry.RegisterAsync(Acme, "extract_invoice_id", ExtractCode, "extract_invoice_id", ExtractTests, cancellationToken: Ct);
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "autodev",
            Command = "dotnet",
            Arguments = [AutodevTool.Assembly, "mcp", "--workspace", Acme, "--sqlite", store.File, "--refresh", "00:00:00.200"],
            StandardErrorLines = line => TestContext.Current.TestOutputHelper?.WriteLine(line),
        });
        await using var client = await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new() { Name = "stdio-agent", Version = "1.0" }, ProtocolVersion = protocolVersion }, cancellationToken: Ct);
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
        {
            changed.TrySetResult();
            return ValueTask.CompletedTask;
        });
        using var listening = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        if (protocolVersion is null)
        {
            _ = client.SendRequestAsync(
                new JsonRpcRequest
                {
                    Method = RequestMethods.SubscriptionsListen,
                    Params = JsonSerializer.SerializeToNode(
                        new SubscriptionsListenRequestParams { Notifications = new SubscriptionsListenNotifications { ToolsListChanged = true } },
                        McpJsonUtilities.DefaultOptions),
                },
                listening.Token);
        }

        var tools = await client.ListToolsAsync(cancellationToken: Ct);
        var answer = await client.CallToolAsync("extract_invoice_id", new Dictionary<string, object?> { ["text"] = "re: INV-2025-0001" }, cancellationToken: Ct);
        var failure = await client.CallToolAsync("extract_invoice_id", new Dictionary<string, object?> { ["text"] = "nothing" }, cancellationToken: Ct);

        Assert.Equal("autodev", client.ServerInfo?.Name);
        Assert.Equal(["extract_invoice_id"], tools.Select(t => t.Name));
        Assert.Equal("\"INV-2025-0001\"", Assert.IsType<TextContentBlock>(Assert.Single(answer.Content)).Text);
        Assert.True(failure.IsError);
        Assert.StartsWith("The skill failed: Failed: AttributeError", Assert.IsType<TextContentBlock>(Assert.Single(failure.Content)).Text, StringComparison.Ordinal);

        // Another process (here, this test's own AutoDev host) adds a skill to the same store.
        await registry.RegisterAsync(Acme, "count_words", "def count_words(text: str) -> int:\n    return len(text.split())\n", "count_words", """[{"inputs": {"text": "a b"}, "expected": 2}]""", cancellationToken: Ct);
        await changed.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        Assert.Equal(["count_words", "extract_invoice_id"], (await client.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name).Order(StringComparer.Ordinal));
        await listening.CancelAsync();
    }

    [Fact]
    public async Task AnUnknownWorkspace_ExitsWithCode3_AndSaysWhy_OnStandardError()
    {
        await using var store = await AutodevTool.CreateStoreAsync();

        var (exitCode, output, error) = await AutodevTool.RunAsync("mcp", "--workspace", "nowhere", "--sqlite", store.File);

        Assert.Equal(3, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Contains("No Workspace with id 'nowhere'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingStoreOrNone_IsAUsageError_WithExitCode1()
    {
        var missing = await AutodevTool.RunAsync("mcp", "--workspace", Acme, "--sqlite", Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.db"));
        var none = await AutodevTool.RunAsync("mcp", "--workspace", Acme);

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("No AutoDev database at", missing.Error, StringComparison.Ordinal);
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("Name one AutoDev store: --sqlite <file> or --postgres <connection string>.", none.Error, StringComparison.Ordinal);
    }
}
