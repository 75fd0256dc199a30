using System.Net;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using static AutoDev.Tests.Mcp.McpServerHost;

namespace AutoDev.Tests.Mcp;

/// <summary>AutoDev's MCP server over streamable HTTP in ASP.NET Core, driven by the MCP C# SDK's own client.</summary>
public sealed class McpHttpTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AClient_ListsTheWorkspacesSkills_WithDocstringAndAnnotatedSchema_AndCallsOne_InTheSandbox()
    {
        await using var host = await StartAsync();
        await host.Get<ISkillRegistry>().RegisterAsync(Acme, "extract_invoice_id", ExtractCode, "extract_invoice_id", ExtractTests, cancellationToken: Ct);
        var executed = new List<SkillExecuted>();
        using var subscription = host.Get<IEventBus>().Subscribe<SkillExecuted>((e, _) => { executed.Add(e); return ValueTask.CompletedTask; });
        await using var client = await host.ConnectAsync(Acme);

        var tool = Assert.Single(await client.ListToolsAsync(cancellationToken: Ct));
        var result = await client.CallToolAsync("extract_invoice_id", new Dictionary<string, object?> { ["text"] = "Hi, invoice INV-2024-0077 is wrong" }, cancellationToken: Ct);

        Assert.Equal("extract_invoice_id", tool.Name);
        Assert.Equal("Returns the first invoice id (PREFIX-YYYY-NNNN) in the text.", tool.Description);
        Assert.Equal(
            """{"type":"object","properties":{"text":{"type":"string"},"prefix":{"type":"string"}},"required":["text"]}""",
            tool.JsonSchema.GetRawText());
        Assert.True(client.ServerCapabilities.Tools?.ListChanged, "the server advertises tools/list_changed");
        Assert.NotEqual(true, result.IsError);
        Assert.Equal("\"INV-2024-0077\"", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        var run = Assert.Single(executed);
        Assert.True(run.Success);
        Assert.Equal("test-agent", run.AgentId); // the MCP client's name
    }

    [Fact]
    public async Task ASkillThatFails_IsAToolError_WithTheSandboxsReason_AndIsPublishedAsAFailedExecution()
    {
        await using var host = await StartAsync();
        await host.Get<ISkillRegistry>().RegisterAsync(Acme, "extract_invoice_id", ExtractCode, "extract_invoice_id", ExtractTests, cancellationToken: Ct);
        var executed = new List<SkillExecuted>();
        using var subscription = host.Get<IEventBus>().Subscribe<SkillExecuted>((e, _) => { executed.Add(e); return ValueTask.CompletedTask; });
        await using var client = await host.ConnectAsync(Acme);

        var noMatch = await client.CallToolAsync("extract_invoice_id", new Dictionary<string, object?> { ["text"] = "no id here" }, cancellationToken: Ct);
        var missingArgument = await client.CallToolAsync("extract_invoice_id", new Dictionary<string, object?>(), cancellationToken: Ct);
        var unknownTool = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("no_such_skill", cancellationToken: Ct).AsTask());

        Assert.True(noMatch.IsError);
        Assert.StartsWith("The skill failed: Failed: AttributeError: ", Text(noMatch), StringComparison.Ordinal);
        Assert.True(missingArgument.IsError);
        Assert.Contains("TypeError", Text(missingArgument), StringComparison.Ordinal);
        Assert.Contains("no_such_skill", unknownTool.Message, StringComparison.Ordinal);
        Assert.Equal(["AttributeError", "TypeError"], executed.Select(e => e.ErrorType));
        Assert.All(executed, e => Assert.False(e.Success));
    }

    [Fact]
    public async Task APromotionOrRollback_SendsListChanged_ToTheWorkspacesClients_AndOnlyToThem()
    {
        await using var host = await StartAsync();
        var registry = host.Get<ISkillRegistry>();
        await registry.RegisterAsync(Acme, "extract_invoice_id", ExtractCode, "extract_invoice_id", ExtractTests, cancellationToken: Ct);
        await using var acme = await host.ConnectAsync(Acme);
        await using var globex = await host.ConnectAsync(Globex);
        var acmeChanges = Notifications(acme);
        var globexChanges = Notifications(globex);
        Assert.Single(await acme.ListToolsAsync(cancellationToken: Ct));

        // A reviewer promotes a skill: an Agent Skills folder from the lab workspace, imported and approved.
        await registry.RegisterAsync(Lab, "count_words", "def count_words(text: str) -> int:\n    \"Counts the words.\"\n    return len(text.split())\n", "count_words", """[{"inputs": {"text": "a b c"}, "expected": 3}]""", cancellationToken: Ct);
        var folder = Directory.CreateTempSubdirectory("autodev-mcp-");
        try
        {
            var exported = await registry.ExportAgentSkillAsync(Lab, "count_words", folder.FullName, Ct);
            var candidate = await registry.ImportAgentSkillAsync(Acme, exported, cancellationToken: Ct);
            Assert.Equal(SkillCandidateStatus.Validated, candidate.Status);
            await host.Get<IReviewService>().ApproveAsync(Acme, candidate.Id, "alice", "approved over MCP", Ct);
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        await acmeChanges.ReadAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(["count_words", "extract_invoice_id"], (await acme.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name).Order(StringComparer.Ordinal));

        // A rollback is a change too, though the tool's name stays.
        await registry.RegisterAsync(Acme, "legacy", "def legacy(x: int) -> int:\n    return x\n", "legacy", """[{"inputs": {"x": 1}, "expected": 1}]""", cancellationToken: Ct);
        await acmeChanges.ReadAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await host.Get<ISkillRegistry>().RollbackAsync(Acme, "legacy", SemanticVersion.Initial, Ct);
        await acmeChanges.ReadAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.False(globexChanges.TryRead(out _), "a client of another workspace hears nothing of acme's skills");
        Assert.Empty(await globex.ListToolsAsync(cancellationToken: Ct));
    }

    [Fact]
    public async Task AnUnknownWorkspace_Is404_AndNoSessionOpens()
    {
        await using var host = await StartAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.ConnectAsync("nowhere"));

        Assert.Contains("404", error.ToString(), StringComparison.Ordinal);
    }

    private static string Text(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    /// <summary>Every <c>notifications/tools/list_changed</c> the client receives, in order.</summary>
    private static System.Threading.Channels.ChannelReader<JsonRpcNotification> Notifications(McpClient client)
    {
        var channel = System.Threading.Channels.Channel.CreateUnbounded<JsonRpcNotification>();
        client.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (notification, _) =>
        {
            channel.Writer.TryWrite(notification);
            return ValueTask.CompletedTask;
        });
        return channel.Reader;
    }
}
