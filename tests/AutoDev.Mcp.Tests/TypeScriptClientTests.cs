using System.Diagnostics;
using System.Text;
using System.Text.Json;
using AutoDev.Testing;
using static AutoDev.Tests.Mcp.McpServerHost;

namespace AutoDev.Tests.Mcp;

/// <summary>
/// The official MCP TypeScript SDK (<c>@modelcontextprotocol/sdk</c>, run by Node.js from <c>node/</c>; build/setup.sh
/// installs it) as a client of AutoDev's MCP server: over streamable HTTP, and over stdio starting the autodev tool.
/// </summary>
public sealed class TypeScriptClientTests
{
    private const string Arguments = """{"text": "Hi, invoice INV-2024-0042 is wrong"}""";
    private const string FailingArguments = """{"text": "no id"}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string ClientFolder => RepositoryPaths.Combine("tests", "AutoDev.Mcp.Tests", "node");

    [Fact]
    public async Task TheTypeScriptSdk_OverStreamableHttp_ListsCallsAndHearsOfAPromotion()
    {
        RequireNode();
        await using var host = await StartAsync();
        await host.Get<ISkillRegistry>().RegisterAsync(Acme, "extract_invoice_id", ExtractCode, "extract_invoice_id", ExtractTests, cancellationToken: Ct);

        await using var client = TypeScriptClient.Start("http", host.Endpoint(Acme).ToString(), "extract_invoice_id", Arguments, FailingArguments);
        await AssertServedAsync(client);
        await host.Get<ISkillRegistry>().RegisterAsync(Acme, "count_words", "def count_words(text: str) -> int:\n    return len(text.split())\n", "count_words", """[{"inputs": {"text": "a b"}, "expected": 2}]""", cancellationToken: Ct);
        await AssertChangedAsync(client);
    }

    [Fact]
    public async Task TheTypeScriptSdk_OverStdio_StartsTheAutodevTool_ListsCallsAndHearsOfAPromotionByAnotherProcess()
    {
        RequireNode();
        await using var store = await AutodevTool.CreateStoreAsync();
        await store.Get<ISkillRegistry>().RegisterAsync(Acme, "extract_invoice_id", ExtractCode, "extract_invoice_id", ExtractTests, cancellationToken: Ct);

        await using var client = TypeScriptClient.Start(
            "stdio", "extract_invoice_id", Arguments, FailingArguments, "--",
            "dotnet", AutodevTool.Assembly, "mcp", "--workspace", Acme, "--sqlite", store.File, "--refresh", "00:00:00.200");
        await AssertServedAsync(client);
        await store.Get<ISkillRegistry>().RegisterAsync(Acme, "count_words", "def count_words(text: str) -> int:\n    return len(text.split())\n", "count_words", """[{"inputs": {"text": "a b"}, "expected": 2}]""", cancellationToken: Ct);
        await AssertChangedAsync(client);
    }

    private static async Task AssertServedAsync(TypeScriptClient client)
    {
        var connected = await client.NextAsync("connected");
        Assert.Equal("autodev", connected.GetProperty("server").GetProperty("name").GetString());
        Assert.True(connected.GetProperty("listChanged").GetBoolean());

        var tools = (await client.NextAsync("tools")).GetProperty("tools");
        var listed = Assert.Single(tools.EnumerateArray());
        Assert.Equal("extract_invoice_id", listed.GetProperty("name").GetString());
        Assert.Equal("Returns the first invoice id (PREFIX-YYYY-NNNN) in the text.", listed.GetProperty("description").GetString());
        Assert.Equal(["text"], listed.GetProperty("inputSchema").GetProperty("required").EnumerateArray().Select(e => e.GetString()));

        var answer = (await client.NextAsync("call")).GetProperty("result");
        Assert.False(answer.TryGetProperty("isError", out var isError) && isError.GetBoolean(), answer.GetRawText());
        Assert.Equal("\"INV-2024-0042\"", answer.GetProperty("content")[0].GetProperty("text").GetString());

        var failure = (await client.NextAsync("call")).GetProperty("result");
        Assert.True(failure.GetProperty("isError").GetBoolean());
        Assert.StartsWith("The skill failed: Failed: AttributeError", failure.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);

        await client.NextAsync("waiting");
    }

    private static async Task AssertChangedAsync(TypeScriptClient client)
    {
        var changed = await client.NextAsync("changed");
        Assert.Equal(
            ["count_words", "extract_invoice_id"],
            changed.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(0, await client.ExitCodeAsync());
    }

    private static void RequireNode()
    {
        var sdk = Path.Combine(ClientFolder, "node_modules", "@modelcontextprotocol", "sdk", "package.json");
        ServiceRequirement.Require(File.Exists(sdk), $"the MCP TypeScript SDK is not installed in {ClientFolder} (bash build/setup.sh installs Node.js and runs npm ci there)");
    }

    /// <summary><c>node client.mjs ...</c>, read one JSON line at a time.</summary>
    private sealed class TypeScriptClient : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _error = new();

        private TypeScriptClient(Process process) => _process = process;

        public static TypeScriptClient Start(params string[] arguments)
        {
            var start = new ProcessStartInfo("node") { WorkingDirectory = ClientFolder, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("client.mjs");
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            var client = new TypeScriptClient(Process.Start(start)!);
            client._process.ErrorDataReceived += (_, e) =>
            {
                lock (client._error)
                {
                    client._error.AppendLine(e.Data);
                }
            };
            client._process.BeginErrorReadLine();
            return client;
        }

        /// <summary>The next line, which must be the event <paramref name="name"/>.</summary>
        public async Task<JsonElement> NextAsync(string name)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            var line = await _process.StandardOutput.ReadLineAsync(timeout.Token);
            Assert.True(line is not null, $"the TypeScript client ended before '{name}':\n{Errors()}");
            var element = JsonDocument.Parse(line).RootElement.Clone();
            Assert.True(element.GetProperty("event").GetString() == name, $"expected '{name}', the client said {line}\n{Errors()}");
            return element;
        }

        public async Task<int> ExitCodeAsync()
        {
            await _process.WaitForExitAsync(Ct);
            return _process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }

            _process.Dispose();
        }

        private string Errors()
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }
}
