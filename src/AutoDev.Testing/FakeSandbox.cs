using System.Collections.Concurrent;
using System.Text.Json;

namespace AutoDev.Testing;

/// <summary>An <see cref="ISandbox"/> that runs nothing: it answers from a script of results, or from a callback.</summary>
/// <remarks>Thread-safe. Records every request in <see cref="Requests"/>. Never use it where untrusted code must really run.</remarks>
public sealed class FakeSandbox : ISandbox
{
    private readonly ConcurrentQueue<SandboxResult> _script = new();
    private readonly ConcurrentQueue<SandboxRequest> _requests = new();
    private readonly Func<SandboxRequest, CancellationToken, Task<SandboxResult>> _fallback;

    /// <summary>Creates a sandbox that answers scripted results first, then <paramref name="fallback"/> (default: succeed with <c>null</c>).</summary>
    public FakeSandbox(Func<SandboxRequest, CancellationToken, Task<SandboxResult>>? fallback = null)
    {
        _fallback = fallback ?? ((_, _) => Task.FromResult(Success(null)));
    }

    /// <inheritdoc/>
    public string Tier => "fake";

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyList<SandboxRequest> Requests => [.. _requests];

    /// <summary>Queues results to answer the next requests with, in order.</summary>
    public FakeSandbox Enqueue(params SandboxResult[] results)
    {
        ArgumentNullException.ThrowIfNull(results);
        foreach (var result in results)
        {
            _script.Enqueue(result);
        }

        return this;
    }

    /// <inheritdoc/>
    public Task<SandboxResult> ExecuteAsync(SandboxRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        _requests.Enqueue(request);
        return _script.TryDequeue(out var result) ? Task.FromResult(result) : _fallback(request, cancellationToken);
    }

    /// <summary>A successful result returning <paramref name="value"/> serialized as JSON.</summary>
    public static SandboxResult Success(object? value, string stdout = "") => new()
    {
        Status = SandboxStatus.Succeeded,
        ReturnValue = JsonSerializer.SerializeToElement(value),
        Stdout = stdout,
        Tier = "fake",
        Duration = TimeSpan.FromMilliseconds(1),
    };

    /// <summary>A result with a non-success status and an error.</summary>
    public static SandboxResult Failure(SandboxStatus status, string errorType = "Error", string message = "failed", int? line = null) => new()
    {
        Status = status,
        Error = new SandboxError(errorType, message, null, line),
        Tier = "fake",
        Duration = TimeSpan.FromMilliseconds(1),
    };
}
