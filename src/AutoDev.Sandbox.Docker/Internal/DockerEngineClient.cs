using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Polly;
using Polly.Retry;

namespace AutoDev.Sandbox.Docker.Internal;

/// <summary>
/// A small typed client of the Docker Engine API over a Unix socket or TCP: only what the sandbox needs. Transient
/// engine errors (connection failures, 502–504) are retried with jittered back-off.
/// </summary>
internal sealed class DockerEngineClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Func<CancellationToken, ValueTask<Stream>> _connect;
    private readonly string _prefix;
    private readonly ResiliencePipeline _retry;

    public DockerEngineClient(DockerSandboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = new Uri(options.Endpoint);
        _connect = endpoint.Scheme switch
        {
            "unix" => ct => ConnectUnixAsync(endpoint.AbsolutePath, ct),
            "tcp" or "http" => ct => ConnectTcpAsync(endpoint.Host, endpoint.Port, ct),
            _ => throw new ArgumentException($"Docker endpoint '{options.Endpoint}' must start with unix:// or tcp://.", nameof(options)),
        };
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) => await _connect(ct).ConfigureAwait(false),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            MaxConnectionsPerServer = 16,
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://localhost/"), Timeout = TimeSpan.FromSeconds(60) };
        _prefix = "v" + options.ApiVersion + "/";
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<DockerTransientException>(),
                MaxRetryAttempts = 3,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
            })
            .Build();
    }

    public async Task<DockerVersion> GetVersionAsync(CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Get, "version", null, DockerJsonContext.Default.DockerVersion, cancellationToken).ConfigureAwait(false)
        ?? throw new DockerEngineException(0, "the engine answered /version with nothing");

    /// <summary>The names of the OCI runtimes the engine knows (<c>runc</c>, and <c>runsc</c> where gVisor is registered).</summary>
    public async Task<IReadOnlyCollection<string>> GetRuntimesAsync(CancellationToken cancellationToken)
    {
        var info = await SendAsync(HttpMethod.Get, "info", null, DockerJsonContext.Default.JsonElement, cancellationToken).ConfigureAwait(false);
        return info.ValueKind == JsonValueKind.Object && info.TryGetProperty("Runtimes", out var runtimes) && runtimes.ValueKind == JsonValueKind.Object
            ? [.. runtimes.EnumerateObject().Select(r => r.Name)]
            : [];
    }

    public async Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(HttpMethod.Get, $"images/{Uri.EscapeDataString(image)}/json", null, DockerJsonContext.Default.JsonElement, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DockerEngineException ex) when (ex.StatusCode == 404)
        {
            return false;
        }
    }

    public async Task<string> CreateContainerAsync(ContainerCreateRequest request, CancellationToken cancellationToken)
    {
        var created = await SendAsync(HttpMethod.Post, "containers/create", () => JsonContent.Create(request, DockerJsonContext.Default.ContainerCreateRequest), DockerJsonContext.Default.ContainerCreateResponse, cancellationToken).ConfigureAwait(false);
        return created?.Id ?? throw new DockerEngineException(0, "the engine created a container without an id");
    }

    public Task StartContainerAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"containers/{id}/start", null, DockerJsonContext.Default.JsonElement, cancellationToken);

    /// <summary>Returns the exit code once the container has stopped running.</summary>
    public async Task<long> WaitContainerAsync(string id, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Post, $"containers/{id}/wait?condition=not-running", null, DockerJsonContext.Default.ContainerWaitResponse, cancellationToken).ConfigureAwait(false);
        return response?.StatusCode ?? -1;
    }

    public async Task RemoveContainerAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(HttpMethod.Delete, $"containers/{id}?force=1&v=1", null, DockerJsonContext.Default.JsonElement, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerEngineException ex) when (ex.StatusCode is 404 or 409)
        {
            // Already gone, or removal already in progress.
        }
    }

    public async Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(string label, CancellationToken cancellationToken)
    {
        var filters = Uri.EscapeDataString("{\"label\":[\"" + label + "\"]}");
        var list = await SendAsync(HttpMethod.Get, $"containers/json?all=1&filters={filters}", null, DockerJsonContext.Default.ListContainerSummary, cancellationToken).ConfigureAwait(false);
        return list ?? [];
    }

    /// <summary>Attaches to a container's stdin, stdout and stderr: a hijacked HTTP connection carrying the raw stream.</summary>
    public async Task<Stream> AttachAsync(string id, CancellationToken cancellationToken)
    {
        var stream = await _connect(cancellationToken).ConfigureAwait(false);
        try
        {
            var request = $"POST /{_prefix}containers/{id}/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            var head = await ReadHeadAsync(stream, cancellationToken).ConfigureAwait(false);
            var status = head.Split(' ', 3) is [_, var code, ..] && int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
            if (status is not (101 or 200))
            {
                throw new DockerEngineException(status, $"attach to container {id} failed: {head.Split('\n')[0].Trim()}");
            }

            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public void Dispose() => _http.Dispose();

    // content makes the request body; it is called once per attempt, since a sent body is disposed.
    private async Task<T?> SendAsync<T>(HttpMethod method, string path, Func<HttpContent>? content, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        return await _retry.ExecuteAsync(
            async ct =>
            {
                using var request = new HttpRequestMessage(method, _prefix + path) { Content = content?.Invoke() };
                using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0
                        ? default
                        : await response.Content.ReadFromJsonAsync(type, ct).ConfigureAwait(false);
                }

                var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                var message = TryReadMessage(body) ?? response.ReasonPhrase ?? "no message";
                var status = (int)response.StatusCode;
                throw status is 502 or 503 or 504
                    ? new DockerTransientException(status, message)
                    : new DockerEngineException(status, $"{method} {path} failed with {status}: {message}");
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static string? TryReadMessage(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, DockerJsonContext.Default.DockerError)?.Message;
        }
        catch (JsonException)
        {
            return string.IsNullOrWhiteSpace(body) ? null : body.Trim();
        }
    }

    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        // Read byte by byte up to the blank line: whatever follows belongs to the raw stream.
        var head = new List<byte>(256);
        var one = new byte[1];
        while (head.Count < 16 * 1024)
        {
            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new IOException("the engine closed the connection during attach");
            }

            head.Add(one[0]);
            if (head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                return Encoding.ASCII.GetString([.. head]);
            }
        }

        throw new IOException("the engine's attach response headers are too long");
    }

    private static async ValueTask<Stream> ConnectUnixAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async ValueTask<Stream> ConnectTcpAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>The engine answered with an error.</summary>
internal class DockerEngineException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>The engine answered with an error worth retrying.</summary>
internal sealed class DockerTransientException(int statusCode, string message) : DockerEngineException(statusCode, message);
