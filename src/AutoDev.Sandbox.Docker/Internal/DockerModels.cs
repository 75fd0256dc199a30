using System.Text.Json;
using System.Text.Json.Serialization;

namespace AutoDev.Sandbox.Docker.Internal;

internal sealed class DockerVersion
{
    public string? Version { get; init; }

    public string? ApiVersion { get; init; }
}

internal sealed class DockerError
{
    [JsonPropertyName("message")]
    public string? Message { get; init; }
}

internal sealed class ContainerCreateResponse
{
    public required string Id { get; init; }
}

internal sealed class ContainerSummary
{
    public required string Id { get; init; }

    public Dictionary<string, string>? Labels { get; init; }
}

internal sealed class ContainerCreateRequest
{
    public required string Image { get; init; }

    public required IReadOnlyList<string> Cmd { get; init; }

    public required IReadOnlyList<string> Env { get; init; }

    public required string User { get; init; }

    public string WorkingDir { get; init; } = "/tmp";

    public bool AttachStdin { get; init; }

    public bool AttachStdout { get; init; }

    public bool AttachStderr { get; init; }

    public bool OpenStdin { get; init; }

    public bool StdinOnce { get; init; }

    public bool Tty { get; init; }

    public bool NetworkDisabled { get; init; } = true;

    public string Hostname { get; init; } = "autodev-sandbox";

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public required HostConfig HostConfig { get; init; }
}

internal sealed class HostConfig
{
    public string NetworkMode { get; init; } = "none";

    public bool ReadonlyRootfs { get; init; } = true;

    public required IReadOnlyDictionary<string, string> Tmpfs { get; init; }

    public long Memory { get; init; }

    public long MemorySwap { get; init; }

    public long NanoCpus { get; init; }

    public long PidsLimit { get; init; }

    public IReadOnlyList<string> CapDrop { get; init; } = ["ALL"];

    public IReadOnlyList<string> SecurityOpt { get; init; } = ["no-new-privileges"];

    public bool Init { get; init; }

    public string IpcMode { get; init; } = "private";

    /// <summary>The size of the container's <c>/dev/shm</c>, in bytes.</summary>
    public long ShmSize { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Runtime { get; init; }

    public IReadOnlyList<Ulimit> Ulimits { get; init; } = [];

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Binds { get; init; }

    /// <summary>Containers' output goes to no log: the fork server's protocol is not worth storing.</summary>
    public LogConfig LogConfig { get; init; } = new() { Type = "none" };
}

internal sealed class LogConfig
{
    public required string Type { get; init; }
}

internal sealed class ContainerWaitResponse
{
    public long StatusCode { get; init; }
}

internal sealed class Ulimit
{
    public required string Name { get; init; }

    public long Soft { get; init; }

    public long Hard { get; init; }
}

[JsonSerializable(typeof(DockerVersion))]
[JsonSerializable(typeof(DockerError))]
[JsonSerializable(typeof(ContainerCreateRequest))]
[JsonSerializable(typeof(ContainerCreateResponse))]
[JsonSerializable(typeof(ContainerWaitResponse))]
[JsonSerializable(typeof(List<ContainerSummary>), TypeInfoPropertyName = "ListContainerSummary")]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class DockerJsonContext : JsonSerializerContext;
