using System.Text.Json;
using System.Text.Json.Serialization;

namespace AutoDev.Mcp;

/// <summary>Source-generated serialization of a tool call's arguments into a skill's inputs.</summary>
[JsonSerializable(typeof(IDictionary<string, JsonElement>))]
internal sealed partial class McpJsonContext : JsonSerializerContext;
