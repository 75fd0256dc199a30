using System.Text.Json;

namespace AutoDev;

/// <summary>Runs untrusted code in isolation and says what happened.</summary>
/// <remarks>
/// Implementations are thread-safe singletons. They never throw for anything the code does (time-outs, crashes,
/// limits are statuses); they throw <see cref="OperationCanceledException"/> when the cancellation token
/// fires and <see cref="SandboxUnavailableException"/> when the isolation itself cannot be set up.
/// </remarks>
public interface ISandbox
{
    /// <summary>The tier name this sandbox reports in <see cref="SandboxResult.Tier"/>, for example <c>docker</c>.</summary>
    string Tier { get; }

    /// <summary>Runs the request and returns its outcome.</summary>
    Task<SandboxResult> ExecuteAsync(SandboxRequest request, CancellationToken cancellationToken);
}

/// <summary>The language of the code to run. Python is the only one today.</summary>
public enum SandboxLanguage
{
    /// <summary>Python 3.</summary>
    Python = 0,
}

/// <summary>How far the code is trusted. MEDIUM and HIGH never run in the weak process tier unless the host opts in by name.</summary>
public enum SafetyLevel
{
    /// <summary>Code the host trusts (its own).</summary>
    Low = 0,

    /// <summary>LLM-written code under review. The default.</summary>
    Medium = 1,

    /// <summary>Code from an unknown source.</summary>
    High = 2,
}

/// <summary>One execution request.</summary>
public sealed record SandboxRequest
{
    /// <summary>Default of <see cref="Timeout"/>: 60 seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Default of <see cref="MemoryLimitBytes"/>: 256 MiB.</summary>
    public const long DefaultMemoryLimitBytes = 256L * 1024 * 1024;

    /// <summary>The workspace; tenants never share an execution environment.</summary>
    public required string TenantId { get; init; }

    /// <summary>The source to run.</summary>
    public required string Code { get; init; }

    /// <summary>The language of <see cref="Code"/>.</summary>
    public SandboxLanguage Language { get; init; } = SandboxLanguage.Python;

    /// <summary>The function to call with <see cref="InputsJson"/> as keyword arguments; <see langword="null"/> runs the module code only.</summary>
    public string? EntryPoint { get; init; }

    /// <summary>A JSON object whose properties are passed as keyword arguments.</summary>
    /// <value>Default <c>{}</c>.</value>
    public string InputsJson { get; init; } = "{}";

    /// <summary>The wall-clock limit.</summary>
    /// <value>Default <see cref="DefaultTimeout"/>.</value>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>The memory limit in bytes.</summary>
    /// <value>Default <see cref="DefaultMemoryLimitBytes"/>.</value>
    public long MemoryLimitBytes { get; init; } = DefaultMemoryLimitBytes;

    /// <summary>How far the code is trusted.</summary>
    /// <value>Default <see cref="SafetyLevel.Medium"/>.</value>
    public SafetyLevel SafetyLevel { get; init; } = SafetyLevel.Medium;
}

/// <summary>How an execution ended.</summary>
public enum SandboxStatus
{
    /// <summary>Ran to the end; <see cref="SandboxResult.ReturnValue"/> holds the value.</summary>
    Succeeded = 0,

    /// <summary>Raised an exception, or returned a value JSON cannot hold.</summary>
    Failed = 1,

    /// <summary>Did not compile.</summary>
    SyntaxError = 2,

    /// <summary>Ran past its time-out and was killed.</summary>
    TimedOut = 3,

    /// <summary>Hit a memory, process, file or output limit.</summary>
    ResourceLimit = 4,

    /// <summary>Died without reporting (a signal, a segfault), or the sandbox itself broke.</summary>
    Crashed = 5,
}

/// <summary>What an execution produced.</summary>
public sealed record SandboxResult
{
    /// <summary>The execution's id, for logs and traces.</summary>
    public Guid ExecutionId { get; init; } = Guid.NewGuid();

    /// <summary>How it ended.</summary>
    public required SandboxStatus Status { get; init; }

    /// <summary>The returned value when it succeeded.</summary>
    public JsonElement? ReturnValue { get; init; }

    /// <summary>Standard output, capped.</summary>
    public string Stdout { get; init; } = string.Empty;

    /// <summary>Standard error, capped.</summary>
    public string Stderr { get; init; } = string.Empty;

    /// <summary>Whether stdout went past the cap and was cut.</summary>
    public bool StdoutTruncated { get; init; }

    /// <summary>Whether stderr went past the cap and was cut.</summary>
    public bool StderrTruncated { get; init; }

    /// <summary>The error when it did not succeed.</summary>
    public SandboxError? Error { get; init; }

    /// <summary>Wall-clock time of the execution.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Which tier ran it, for example <c>docker</c>, <c>bubblewrap</c>, <c>process</c>.</summary>
    public string Tier { get; init; } = string.Empty;

    /// <summary>Whether <see cref="Status"/> is <see cref="SandboxStatus.Succeeded"/>.</summary>
    public bool Succeeded => Status == SandboxStatus.Succeeded;
}

/// <summary>Why an execution did not succeed.</summary>
/// <param name="Type">The exception type, for example <c>ValueError</c> or <c>SyntaxError</c>.</param>
/// <param name="Message">The message.</param>
/// <param name="Traceback">The traceback, if any.</param>
/// <param name="Line">The line, for syntax errors.</param>
public sealed record SandboxError(string Type, string Message, string? Traceback = null, int? Line = null);

/// <summary>The sandbox could not be set up (no engine, no image, no bubblewrap). The code did not run.</summary>
public sealed class SandboxUnavailableException : AutoDevException
{
    /// <summary>Creates the exception.</summary>
    public SandboxUnavailableException(string tier, string message, Exception? innerException = null)
        : base($"The {tier} sandbox is unavailable: {message}", innerException)
    {
        Tier = tier;
    }

    /// <summary>The tier that failed.</summary>
    public string Tier { get; }
}
