using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace AutoDev.Tests;

/// <summary>
/// A real HTTP/1.1 server on 127.0.0.1 that plays scripted replies in order and records every request: what an LLM
/// provider looks like to its SDK, including the bad days (429, 500, a slow answer, malformed JSON, a dropped connection).
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<HttpReply> _replies = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _accepting;

    public LoopbackHttpServer()
    {
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri BaseAddress { get; }

    /// <summary>Played when the script has run out; by default a 500 that says so.</summary>
    public HttpReply? Fallback { get; set; }

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Completes when the first request has been read; fails the test if none arrives within <paramref name="timeout"/>.</summary>
    public async Task WaitForFirstRequestAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _firstRequest.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"No request reached the server within {timeout.TotalSeconds:0} s.");
        }
    }

    public LoopbackHttpServer Enqueue(params HttpReply[] replies)
    {
        foreach (var reply in replies)
        {
            _replies.Enqueue(reply);
        }

        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var reader = new RequestReader(stream);
                while (await reader.ReadAsync(_stop.Token) is { } request)
                {
                    _requests.Enqueue(request);
                    _firstRequest.TrySetResult();
                    var reply = _replies.TryDequeue(out var next) ? next
                        : Fallback ?? HttpReply.Json(500, """{"error":{"message":"the test scripted no reply for this request"}}""");
                    if (reply.Delay > TimeSpan.Zero)
                    {
                        await Task.Delay(reply.Delay, _stop.Token);
                    }

                    if (reply.Drop)
                    {
                        client.Client.LingerState = new LingerOption(true, 0);
                        return;
                    }

                    await stream.WriteAsync(reply.Encode(), _stop.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away (it timed out or was cancelled), or the server is stopping.
            }
        }
    }

    /// <summary>Reads HTTP/1.1 requests (Content-Length or chunked bodies) from a keep-alive connection.</summary>
    private sealed class RequestReader(NetworkStream stream)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public async Task<RecordedRequest?> ReadAsync(CancellationToken cancellationToken)
        {
            var head = await ReadLineAsync(cancellationToken);
            if (head is null)
            {
                return null;
            }

            var parts = head.Split(' ');
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (var line = await ReadLineAsync(cancellationToken); !string.IsNullOrEmpty(line); line = await ReadLineAsync(cancellationToken))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }

            var body = new MemoryStream();
            if (headers.TryGetValue("Content-Length", out var length))
            {
                await ReadExactlyAsync(body, int.Parse(length, System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
            }
            else if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                while (true)
                {
                    var size = Convert.ToInt32((await ReadLineAsync(cancellationToken))!.Split(';')[0], 16);
                    await ReadExactlyAsync(body, size, cancellationToken);
                    await ReadLineAsync(cancellationToken);
                    if (size == 0)
                    {
                        break;
                    }
                }
            }

            return new RecordedRequest(parts[0], parts[1], headers, Encoding.UTF8.GetString(body.ToArray()));
        }

        private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    var line = Encoding.ASCII.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                    _start = newline + 1;
                    return line;
                }

                if (!await FillAsync(cancellationToken))
                {
                    return null;
                }
            }
        }

        private async Task ReadExactlyAsync(MemoryStream target, int count, CancellationToken cancellationToken)
        {
            while (count > 0)
            {
                if (_start == _end && !await FillAsync(cancellationToken))
                {
                    throw new IOException("The connection closed inside a request body.");
                }

                var take = Math.Min(count, _end - _start);
                target.Write(_buffer, _start, take);
                _start += take;
                count -= take;
            }
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            _end += read;
            return read > 0;
        }
    }
}

/// <summary>One scripted reply of a <see cref="LoopbackHttpServer"/>.</summary>
internal sealed record HttpReply(int Status, string Body, string ContentType = "application/json")
{
    public IReadOnlyList<(string Name, string Value)> Headers { get; init; } = [];

    /// <summary>How long the server waits before answering (or dropping).</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Whether the server resets the connection instead of answering.</summary>
    public bool Drop { get; init; }

    public static HttpReply Json(int status, string body, params (string Name, string Value)[] headers) => new(status, body) { Headers = headers };

    public static HttpReply DropConnection() => new(0, string.Empty) { Drop = true };

    public byte[] Encode()
    {
        var body = Encoding.UTF8.GetBytes(Body);
        var head = new StringBuilder()
            .Append(System.Globalization.CultureInfo.InvariantCulture, $"HTTP/1.1 {Status} {(HttpStatusCode)Status}\r\n")
            .Append(System.Globalization.CultureInfo.InvariantCulture, $"Content-Type: {ContentType}\r\nContent-Length: {body.Length}\r\n");
        foreach (var (name, value) in Headers)
        {
            head.Append(System.Globalization.CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        return [.. Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()), .. body];
    }
}

/// <summary>A request the server received.</summary>
internal sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}
