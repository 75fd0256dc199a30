using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Polly;
using Polly.Retry;

namespace AutoDev.Sandbox.Docker.Internal;

/// <summary>
/// What the sandbox asks of the Docker Engine API, through Docker.DotNet: each call retried with jittered back-off
/// when the engine is briefly unreachable or answers 502–504, and the "already gone" answers of removal ignored.
/// </summary>
internal sealed class DockerEngine : IDisposable
{
    private readonly DockerClient _client;
    private readonly ResiliencePipeline _retry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<DockerApiException>(e => (int)e.StatusCode is 502 or 503 or 504),
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(100),
        })
        .Build();

    public DockerEngine(DockerSandboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = new Uri(options.Endpoint);
        if (endpoint.Scheme is not ("unix" or "tcp" or "http"))
        {
            throw new ArgumentException($"Docker endpoint '{options.Endpoint}' must start with unix:// or tcp://.", nameof(options));
        }

        _client = new DockerClientBuilder().WithEndpoint(endpoint).WithApiVersion(System.Version.Parse(options.ApiVersion)).Build();
    }

    /// <summary>Whether <paramref name="exception"/> says the engine or its answer failed, as opposed to a bug.</summary>
    public static bool IsEngineFailure(Exception exception) =>
        exception is HttpRequestException or IOException or DockerApiException or System.Net.Sockets.SocketException or TimeoutException;

    public Task<VersionResponse> GetVersionAsync(CancellationToken cancellationToken) =>
        RetryAsync(ct => _client.System.GetVersionAsync(ct), cancellationToken);

    /// <summary>The names of the OCI runtimes the engine knows (<c>runc</c>, and <c>runsc</c> where gVisor is registered).</summary>
    public async Task<IReadOnlyCollection<string>> GetRuntimesAsync(CancellationToken cancellationToken)
    {
        var info = await RetryAsync(ct => _client.System.GetSystemInfoAsync(ct), cancellationToken).ConfigureAwait(false);
        return info.Runtimes is { } runtimes ? [.. runtimes.Keys] : [];
    }

    public async Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            await RetryAsync(ct => _client.Images.InspectImageAsync(image, ct), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task<string> CreateContainerAsync(CreateContainerParameters parameters, CancellationToken cancellationToken)
    {
        var created = await RetryAsync(ct => _client.Containers.CreateContainerAsync(parameters, ct), cancellationToken).ConfigureAwait(false);
        return created.ID ?? throw new IOException("the engine created a container without an id");
    }

    public Task StartContainerAsync(string id, CancellationToken cancellationToken) =>
        RetryAsync(ct => _client.Containers.StartContainerAsync(id, new ContainerStartParameters(), ct), cancellationToken);

    /// <summary>Returns the exit code once the container has stopped running.</summary>
    public async Task<long> WaitContainerAsync(string id, CancellationToken cancellationToken) =>
        (await _client.Containers.WaitContainerAsync(id, cancellationToken).ConfigureAwait(false)).StatusCode;

    public async Task RemoveContainerAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await RetryAsync(ct => _client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Already gone, or removal already in progress.
        }
    }

    public async Task<IReadOnlyList<ContainerListResponse>> ListContainersAsync(string label, CancellationToken cancellationToken)
    {
        var parameters = new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [label] = true } },
        };
        return [.. await RetryAsync(ct => _client.Containers.ListContainersAsync(parameters, ct), cancellationToken).ConfigureAwait(false)];
    }

    /// <summary>Attaches to a container's stdin, stdout and stderr; its stdout and stdin as one stream.</summary>
    public async Task<Stream> AttachAsync(string id, CancellationToken cancellationToken)
    {
        var attached = await _client.Containers.AttachContainerAsync(id, new ContainerAttachParameters { Stream = true, Stdin = true, Stdout = true, Stderr = true }, cancellationToken).ConfigureAwait(false);
        return new StdioStream(attached);
    }

    public void Dispose() => _client.Dispose();

    private Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(async ct => await call(ct).ConfigureAwait(false), cancellationToken).AsTask();

    private Task RetryAsync(Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(async ct => await call(ct).ConfigureAwait(false), cancellationToken).AsTask();
}

/// <summary>
/// An attached container's stdin (writes) and stdout (reads) as one stream, for the fork server's line protocol.
/// Stderr is dropped: the fork server reports the code's stderr in its results.
/// </summary>
internal sealed class StdioStream(MultiplexedStream inner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadStdoutAsync(buffer, offset, count, cancellationToken);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(buffer, out var segment))
        {
            return await ReadStdoutAsync(segment.Array!, segment.Offset, segment.Count, cancellationToken).ConfigureAwait(false);
        }

        var scratch = new byte[buffer.Length];
        var count = await ReadStdoutAsync(scratch, 0, scratch.Length, cancellationToken).ConfigureAwait(false);
        scratch.AsSpan(0, count).CopyTo(buffer.Span);
        return count;
    }

    private async Task<int> ReadStdoutAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await inner.ReadOutputAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
            if (read.EOF)
            {
                return 0;
            }

            if (read.Target == MultiplexedStream.TargetStream.StandardOut && read.Count > 0)
            {
                return read.Count;
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(buffer, out var segment)
            ? new ValueTask(inner.WriteAsync(segment.Array!, segment.Offset, segment.Count, cancellationToken))
            : new ValueTask(inner.WriteAsync(buffer.ToArray(), 0, buffer.Length, cancellationToken));

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use ReadAsync.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use WriteAsync.");

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
