using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AutoDev.Mcp;

/// <summary>
/// A workspace's skill as an MCP tool: its name, its docstring as the description and its entry point's parameters as
/// the input schema (those <see cref="ISkillRunner.GetToolsAsync"/> offers chat agents). A call runs the skill's active
/// version in the sandbox through <see cref="ISkillRunner"/>, which publishes <see cref="SkillExecuted"/>; a failure
/// is a tool error carrying the sandbox's reason (<see cref="SkillRunResult.Failure"/>), never a protocol error.
/// </summary>
internal sealed class SkillTool(string tenantId, AIFunction function, ISkillRunner runner, AutoDevMcpOptions options) : McpServerTool
{
    public override Tool ProtocolTool { get; } = new()
    {
        Name = function.Name,
        Description = function.Description,
        InputSchema = function.JsonSchema,
    };

    public override IReadOnlyList<object> Metadata { get; } = [];

    public override async ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var inputs = JsonSerializer.Serialize(
            request.Params?.Arguments ?? new Dictionary<string, JsonElement>(),
            McpJsonContext.Default.IDictionaryStringJsonElement);
        try
        {
            var run = await runner.RunAsync(new SkillRunRequest
            {
                TenantId = tenantId,
                SkillName = function.Name,
                InputsJson = inputs,
                AgentId = request.Server.ClientInfo?.Name,
                RecordInputs = options.RecordInputs,
                Timeout = options.ToolTimeout,
            }, cancellationToken).ConfigureAwait(false);
            return run.Failure is { } failure
                ? Error(failure)
                : new CallToolResult { Content = [new TextContentBlock { Text = run.Result.ReturnValue?.GetRawText() ?? "null" }] };
        }
        catch (AutoDevException ex)
        {
            // The skill was rolled back to nothing or removed since the list, or the sandbox refused or is unavailable.
            return Error($"{SkillLearningChatClient.SkillFailurePrefix}: {ex.Message}");
        }
    }

    private static CallToolResult Error(string message) => new() { IsError = true, Content = [new TextContentBlock { Text = message }] };
}
