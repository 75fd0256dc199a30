using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Serialization;

namespace AutoDev.Sandboxing;

/// <summary>
/// AutoDev's Python runner script, shipped inside AutoDev.Core, and its line protocol. Every sandbox tier starts
/// <c>python3 -I -S -c &lt;Source&gt; [--serve]</c> inside its isolation, writes one request per line, and reads one
/// result per line, so every tier has the same semantics.
/// </summary>
/// <remarks>Tier authors use this to build a tier of their own; hosts never need it.</remarks>
internal static partial class PythonRunner
{
    /// <summary>Default of <see cref="SandboxLimits.MaxOutputBytes"/>: 64 KiB per stream.</summary>
    public const int DefaultMaxOutputBytes = 64 * 1024;

    private static readonly Lazy<string> LazySource = new(() =>
    {
        using var stream = typeof(PythonRunner).Assembly.GetManifestResourceStream("AutoDev.Sandboxing.autodev_runner.py")
            ?? throw new InvalidOperationException("The Python runner is missing from AutoDev.Core.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>The runner's Python source.</summary>
    public static string Source => LazySource.Value;

    /// <summary>The arguments after the Python executable: <c>-I -S -c &lt;source&gt;</c>, plus <c>--serve</c> for a fork server.</summary>
    public static IReadOnlyList<string> Arguments(bool serve) => serve ? ["-I", "-S", "-c", Source, "--serve"] : ["-I", "-S", "-c", Source];

    /// <summary>
    /// The arguments for a fork server that imports <paramref name="preloadedModules"/> once, before it forks any child,
    /// so that executions importing them find them loaded (see <see cref="SandboxOptions.PreloadedModules"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a Python module name such as <c>typing</c> or <c>collections.abc</c>.</exception>
    public static IReadOnlyList<string> Arguments(bool serve, IEnumerable<string> preloadedModules)
    {
        ArgumentNullException.ThrowIfNull(preloadedModules);
        var modules = preloadedModules.ToList();
        if (ModuleNameError(modules) is { } error)
        {
            throw new ArgumentException(error, nameof(preloadedModules));
        }

        var arguments = Arguments(serve);
        return modules.Count == 0 ? arguments : [.. arguments, "--preload", string.Join(',', modules)];
    }

    /// <summary>Says which name is not a Python module name, or <see langword="null"/> when all are.</summary>
    internal static string? ModuleNameError(IEnumerable<string?> names)
    {
        foreach (var name in names)
        {
            if (name is null || !ModuleName().IsMatch(name))
            {
                return $"'{name}' is not a Python module name (letters, digits and underscores, dot-separated).";
            }
        }

        return null;
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex ModuleName();

    /// <summary>Writes a request as one line of JSON (without the line end).</summary>
    /// <exception cref="ArgumentException">The request's <see cref="SandboxRequest.InputsJson"/> is not a JSON object.</exception>
    public static string FormatRequest(SandboxRequest request, Guid executionId, SandboxLimits limits, string? tmpRoot = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(limits);
        JsonElement inputs;
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(request.InputsJson) ? "{}" : request.InputsJson);
            inputs = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"InputsJson is not valid JSON: {ex.Message}", nameof(request), ex);
        }

        if (inputs.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("InputsJson must be a JSON object whose properties are the keyword arguments.", nameof(request));
        }

        var wire = new RunnerRequest
        {
            Id = executionId.ToString("N"),
            Code = request.Code,
            EntryPoint = request.EntryPoint,
            Inputs = inputs,
            TimeoutSeconds = request.Timeout.TotalSeconds,
            MemoryBytes = request.MemoryLimitBytes,
            MaxOutputBytes = limits.MaxOutputBytes,
            MaxFileBytes = limits.MaxFileBytes,
            MaxProcesses = limits.MaxProcesses,
            TmpRoot = tmpRoot,
        };
        return JsonSerializer.Serialize(wire, RunnerJsonContext.Default.RunnerRequest);
    }

    /// <summary>
    /// Reads one result line into a <see cref="SandboxResult"/>. Never throws: a line that is not a well-formed result
    /// (which sandboxed code may try to forge) is a <see cref="SandboxStatus.Crashed"/> result that says why.
    /// </summary>
    /// <param name="line">The line the runner wrote.</param>
    /// <param name="executionId">The execution's id.</param>
    /// <param name="tier">The tier that ran it.</param>
    /// <param name="duration">The wall-clock time measured by the caller, used when the runner reports none.</param>
    public static SandboxResult ParseResult(string line, Guid executionId, string tier, TimeSpan duration)
    {
        RunnerResult? wire;
        try
        {
            wire = JsonSerializer.Deserialize(line, RunnerJsonContext.Default.RunnerResult);
        }
        catch (JsonException ex)
        {
            return Crashed(executionId, tier, duration, $"the runner answered something that is not a result: {ex.Message}");
        }

        if (wire is null)
        {
            return Crashed(executionId, tier, duration, "the runner answered null");
        }

        JsonElement? value = null;
        if (wire.ReturnValueJson is { } json)
        {
            // The fork server passes on what the execution's own process wrote, which the code can forge.
            try
            {
                using var document = JsonDocument.Parse(json);
                value = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                return Crashed(executionId, tier, duration, $"protocol violation: the execution reported a return value that is not JSON ({ex.Message})");
            }
        }

        return new SandboxResult
        {
            ExecutionId = executionId,
            Status = ParseStatus(wire.Status),
            ReturnValue = value,
            Stdout = wire.Stdout ?? string.Empty,
            Stderr = wire.Stderr ?? string.Empty,
            StdoutTruncated = wire.StdoutTruncated,
            StderrTruncated = wire.StderrTruncated,
            Error = wire.Error is { } e ? new SandboxError(e.Type ?? "Error", e.Message ?? string.Empty, e.Traceback, e.Line) : null,
            Duration = wire.DurationMs is { } ms && double.IsFinite(ms) && ms >= 0 && ms < TimeSpan.MaxValue.TotalMilliseconds ? TimeSpan.FromMilliseconds(ms) : duration,
            Tier = tier,
        };
    }

    /// <summary>A <see cref="SandboxStatus.Crashed"/> result for a sandbox that broke before the runner could answer.</summary>
    public static SandboxResult Crashed(Guid executionId, string tier, TimeSpan duration, string message) => new()
    {
        ExecutionId = executionId,
        Status = SandboxStatus.Crashed,
        Error = new SandboxError("SandboxError", message),
        Duration = duration,
        Tier = tier,
    };

    /// <summary>A <see cref="SandboxStatus.TimedOut"/> result for a sandbox killed from outside.</summary>
    public static SandboxResult TimedOut(Guid executionId, string tier, TimeSpan duration, TimeSpan timeout) => new()
    {
        ExecutionId = executionId,
        Status = SandboxStatus.TimedOut,
        Error = new SandboxError("TimeoutError", string.Create(CultureInfo.InvariantCulture, $"the execution ran past its {timeout.TotalSeconds:0.###} s time-out and was killed")),
        Duration = duration,
        Tier = tier,
    };

    private static SandboxStatus ParseStatus(string? status) => status switch
    {
        "succeeded" => SandboxStatus.Succeeded,
        "failed" => SandboxStatus.Failed,
        "syntax_error" => SandboxStatus.SyntaxError,
        "timed_out" => SandboxStatus.TimedOut,
        "resource_limit" => SandboxStatus.ResourceLimit,
        _ => SandboxStatus.Crashed,
    };
}

/// <summary>Limits every tier passes to the runner besides the request's own time-out and memory limit.</summary>
public sealed record SandboxLimits
{
    /// <summary>The bytes of stdout and of stderr kept by default: 64 KiB.</summary>
    public const int DefaultMaxOutputBytes = PythonRunner.DefaultMaxOutputBytes;

    /// <summary>The limits AutoDev uses unless a tier is configured otherwise.</summary>
    public static SandboxLimits Default { get; } = new();

    /// <summary>Bytes kept of stdout and of stderr; the rest is dropped and flagged.</summary>
    /// <value>Default <see cref="DefaultMaxOutputBytes"/>.</value>
    public int MaxOutputBytes { get; init; } = DefaultMaxOutputBytes;

    /// <summary>The largest file an execution may write.</summary>
    /// <value>Default 16 MiB.</value>
    public long MaxFileBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>The most processes the sandbox user may have (RLIMIT_NPROC); 0 leaves it unset.</summary>
    /// <value>Default 64.</value>
    public int MaxProcesses { get; init; } = 64;
}

internal sealed class RunnerRequest
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("code")]
    public required string Code { get; init; }

    [JsonPropertyName("entry_point")]
    public string? EntryPoint { get; init; }

    [JsonPropertyName("inputs")]
    public JsonElement Inputs { get; init; }

    [JsonPropertyName("timeout_s")]
    public double TimeoutSeconds { get; init; }

    [JsonPropertyName("memory_bytes")]
    public long MemoryBytes { get; init; }

    [JsonPropertyName("max_output_bytes")]
    public int MaxOutputBytes { get; init; }

    [JsonPropertyName("max_file_bytes")]
    public long MaxFileBytes { get; init; }

    [JsonPropertyName("max_processes")]
    public int MaxProcesses { get; init; }

    [JsonPropertyName("tmp_root")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TmpRoot { get; init; }
}

internal sealed class RunnerResult
{
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("status")]
    public string? Status { get; init; }

    [JsonPropertyName("return_value_json")]
    public string? ReturnValueJson { get; init; }

    [JsonPropertyName("stdout")]
    public string? Stdout { get; init; }

    [JsonPropertyName("stderr")]
    public string? Stderr { get; init; }

    [JsonPropertyName("stdout_truncated")]
    public bool StdoutTruncated { get; init; }

    [JsonPropertyName("stderr_truncated")]
    public bool StderrTruncated { get; init; }

    [JsonPropertyName("error")]
    public RunnerError? Error { get; init; }

    [JsonPropertyName("duration_ms")]
    public double? DurationMs { get; init; }
}

internal sealed class RunnerError
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }

    [JsonPropertyName("traceback")]
    public string? Traceback { get; init; }

    [JsonPropertyName("line")]
    public int? Line { get; init; }
}

[JsonSerializable(typeof(RunnerRequest))]
[JsonSerializable(typeof(RunnerResult))]
internal sealed partial class RunnerJsonContext : JsonSerializerContext;
