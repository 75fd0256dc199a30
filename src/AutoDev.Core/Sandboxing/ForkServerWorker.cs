namespace AutoDev.Sandboxing;

/// <summary>
/// One started fork server (the runner with <c>--serve</c>) inside some isolation, reached through its stdin and
/// stdout. Runs one execution at a time. Tier authors create it over their own transport (a process's pipes, a
/// container's attached stream).
/// </summary>
/// <remarks>Not thread-safe: a <see cref="WarmPool"/> leases it to one caller at a time.</remarks>
internal sealed class ForkServerWorker : IAsyncDisposable
{
    /// <summary>Time allowed beyond the request's time-out before the whole worker is declared hung and killed.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private readonly TextWriter _input;
    private readonly TextReader _output;
    private readonly Func<ValueTask> _kill;
    private readonly TimeProvider _time;
    private readonly DedicatedLineReader? _dedicated;

    // At most 3 UTF-8 bytes a char: a line this long (with its newline) fits an empty pipe's 64 KiB or socket's buffer.
    private const int SynchronousWriteLimitChars = 16 * 1024;
    private int _disposed;

    /// <summary>Creates a worker over a started fork server.</summary>
    /// <param name="tier">The tier name results report.</param>
    /// <param name="tenantId">The only tenant this worker serves.</param>
    /// <param name="input">The fork server's stdin.</param>
    /// <param name="output">The fork server's stdout.</param>
    /// <param name="kill">Stops the fork server and everything in its isolation, and frees it; called once.</param>
    /// <param name="time">The clock.</param>
    public ForkServerWorker(string tier, string tenantId, TextWriter input, TextReader output, Func<ValueTask> kill, TimeProvider time)
        : this(tier, tenantId, input, output, kill, time, ForkServerReading.Asynchronous)
    {
    }

    /// <summary>Creates a worker over a started fork server.</summary>
    /// <param name="tier">The tier name results report.</param>
    /// <param name="tenantId">The only tenant this worker serves.</param>
    /// <param name="input">The fork server's stdin.</param>
    /// <param name="output">The fork server's stdout. Unless <paramref name="reading"/> is <see cref="ForkServerReading.Asynchronous"/>, it is read with blocking reads, so it must support them.</param>
    /// <param name="kill">Stops the fork server and everything in its isolation, and frees it; called once.</param>
    /// <param name="time">The clock.</param>
    /// <param name="reading">How answers are read and where callers resume.</param>
    public ForkServerWorker(string tier, string tenantId, TextWriter input, TextReader output, Func<ValueTask> kill, TimeProvider time, ForkServerReading reading)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!Enum.IsDefined(reading))
        {
            throw new ArgumentOutOfRangeException(nameof(reading), reading, "not a ForkServerReading value");
        }

        Tier = tier;
        TenantId = tenantId;
        _input = input;
        _output = output;
        _kill = kill;
        _time = time;
        CreatedAt = time.GetUtcNow();
        _dedicated = reading == ForkServerReading.Asynchronous ? null : new DedicatedLineReader(output, $"AutoDev {tier} worker", resumeInline: reading == ForkServerReading.DedicatedThreadInline);
    }

    /// <summary>The tier name.</summary>
    public string Tier { get; }

    /// <summary>The tenant it serves.</summary>
    public string TenantId { get; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>How many executions it has run.</summary>
    public int Executions { get; private set; }

    /// <summary>Whether it must not be reused: it hung, died, or an execution hit a time-out, limit or crash.</summary>
    public bool MustRecycle { get; private set; }

    /// <summary>Runs one request.</summary>
    public async Task<SandboxResult> ExecuteAsync(SandboxRequest request, Guid executionId, SandboxLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.TenantId != TenantId)
        {
            throw new TenantMismatchException(TenantId, request.TenantId);
        }

        var line = PythonRunner.FormatRequest(request, executionId, limits, "/tmp");
        Executions++;
        var start = _time.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(request.Timeout + Grace);
        string? answer;
        try
        {
            var pending = _dedicated?.Expect(); // before the request, so the answer cannot come first
            if (pending is not null && line.Length <= SynchronousWriteLimitChars)
            {
                // Written synchronously: an asynchronous write would switch a socket to non-blocking mode, and the
                // runtime then completes even the reader thread's blocking reads through the thread pool. The fork
                // server is waiting for this line and the pipe or socket is empty, so a line this short fits at once.
                _input.WriteLine(line);
                _input.Flush();
            }
            else
            {
                // With asynchronous reading, or for a line long enough to wait for the fork server to read it: written
                // under the deadline (with a dedicated reader, this worker's reads go through the pool from then on).
                await _input.WriteLineAsync(line.AsMemory(), deadline.Token).ConfigureAwait(false);
                await _input.FlushAsync(deadline.Token).ConfigureAwait(false);
            }

            answer = pending is null
                ? await _output.ReadLineAsync(deadline.Token).ConfigureAwait(false)
                : await AnswerAsync(pending, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            MustRecycle = true;
            return PythonRunner.TimedOut(executionId, Tier, _time.GetElapsedTime(start), request.Timeout);
        }
        catch (OperationCanceledException)
        {
            // The caller gave up mid-execution: the fork server may still be busy, so it cannot be reused.
            MustRecycle = true;
            throw;
        }
        catch (IOException ex)
        {
            MustRecycle = true;
            return PythonRunner.Crashed(executionId, Tier, _time.GetElapsedTime(start), $"the sandbox's fork server went away: {ex.Message}");
        }

        if (answer is null)
        {
            MustRecycle = true;
            return PythonRunner.Crashed(executionId, Tier, _time.GetElapsedTime(start), "the sandbox's fork server exited");
        }

        var result = PythonRunner.ParseResult(answer, executionId, Tier, _time.GetElapsedTime(start));
        if (result.Status is SandboxStatus.TimedOut or SandboxStatus.ResourceLimit or SandboxStatus.Crashed)
        {
            MustRecycle = true;
        }

        return result;
    }

    private static async Task<string?> AnswerAsync(TaskCompletionSource<string?> pending, CancellationToken deadline)
    {
        using (deadline.UnsafeRegister(static state => ((TaskCompletionSource<string?>)state!).TrySetCanceled(), pending))
        {
            return await pending.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Kills the fork server and frees its isolation.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            MustRecycle = true;
            try
            {
                await _kill().ConfigureAwait(false);
            }
            finally
            {
                try
                {
                    _input.Dispose(); // flushes first, which fails once a write has found the pipe broken
                }
                catch (IOException)
                {
                    // The fork server is gone: there is nobody left to flush to.
                }

                _output.Dispose();
            }
        }
    }
}
