using System.IO.Pipes;
using System.Text;
using System.Text.Json;

namespace AutoDev.Tests.Sandboxing;

/// <summary>
/// The worker's exchange with a fork server, over real OS pipes to a scripted stand-in, in every reading mode:
/// where the caller resumes, and what a silent, closed or cancelled exchange gives.
/// </summary>
public sealed class ForkServerWorkerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(nameof(ForkServerReading.Asynchronous))]
    [InlineData(nameof(ForkServerReading.DedicatedThread))]
    [InlineData(nameof(ForkServerReading.DedicatedThreadInline))]
    public async Task ExecuteAsync_Answer_ReturnsItsResult(string readingName)
    {
        var reading = Enum.Parse<ForkServerReading>(readingName); // the enum is internal; theory data names it
        await using var server = new ScriptedServer(_ => """{"status":"succeeded","return_value_json":"42","stdout":"hi"}""");
        await using var worker = server.CreateWorker(reading);

        var result = await worker.ExecuteAsync(Request(), Guid.NewGuid(), SandboxLimits.Default, Ct);

        Assert.Equal(SandboxStatus.Succeeded, result.Status);
        Assert.Equal(42, result.ReturnValue!.Value.GetInt32());
        Assert.Equal("hi", result.Stdout);
        Assert.False(worker.MustRecycle);
    }

    [Theory]
    [InlineData(nameof(ForkServerReading.Asynchronous))]
    [InlineData(nameof(ForkServerReading.DedicatedThread))]
    [InlineData(nameof(ForkServerReading.DedicatedThreadInline))]
    public async Task ExecuteAsync_RequestLargerThanAPipeBuffer_ArrivesWholeAndIsAnswered(string readingName)
    {
        var reading = Enum.Parse<ForkServerReading>(readingName); // the enum is internal; theory data names it
        // 200,000 chars: more than a pipe holds, so the write must wait for the server to read (with a dedicated reader too: asynchronously).
        var code = "x = '" + new string('a', 200_000) + "'";
        await using var server = new ScriptedServer(line => JsonDocument.Parse(line).RootElement.GetProperty("code").GetString() == code ? """{"status":"succeeded"}""" : """{"status":"failed"}""");
        await using var worker = server.CreateWorker(reading);

        var large = await worker.ExecuteAsync(new SandboxRequest { TenantId = "t", Code = code }, Guid.NewGuid(), SandboxLimits.Default, Ct);
        var small = await worker.ExecuteAsync(Request(), Guid.NewGuid(), SandboxLimits.Default, Ct);

        Assert.Equal(SandboxStatus.Succeeded, large.Status);
        Assert.Equal(SandboxStatus.Failed, small.Status);
    }

    [Theory]
    [InlineData(nameof(ForkServerReading.Asynchronous), true)]
    [InlineData(nameof(ForkServerReading.DedicatedThread), true)]
    [InlineData(nameof(ForkServerReading.DedicatedThreadInline), false)]
    public async Task ExecuteAsync_ResumesTheCaller_OnThePoolOrOnTheWorkersThread(string readingName, bool onPool)
    {
        var reading = Enum.Parse<ForkServerReading>(readingName); // the enum is internal; theory data names it
        await using var server = new ScriptedServer(_ => """{"status":"succeeded"}""", holdAnswers: true);
        await using var worker = server.CreateWorker(reading);

        for (var i = 0; i < 3; i++)
        {
            var (pool, name) = await ResumedOnAsync(worker, server);

            Assert.Equal(onPool, pool);
            if (!onPool)
            {
                Assert.Equal("AutoDev fake worker", name);
            }
        }

        Assert.Equal(3, server.Requests);
    }

    [Theory]
    [InlineData(nameof(ForkServerReading.Asynchronous))]
    [InlineData(nameof(ForkServerReading.DedicatedThread))]
    [InlineData(nameof(ForkServerReading.DedicatedThreadInline))]
    public async Task ExecuteAsync_ServerExitsWithoutAnswering_IsCrashedAndRecycled(string readingName)
    {
        var reading = Enum.Parse<ForkServerReading>(readingName); // the enum is internal; theory data names it
        await using var server = new ScriptedServer(_ => throw new EndOfStreamException());
        await using var worker = server.CreateWorker(reading);

        var first = await worker.ExecuteAsync(Request(), Guid.NewGuid(), SandboxLimits.Default, Ct);
        var second = await worker.ExecuteAsync(Request(), Guid.NewGuid(), SandboxLimits.Default, Ct);

        Assert.Equal(SandboxStatus.Crashed, first.Status);
        Assert.Contains("fork server", first.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(SandboxStatus.Crashed, second.Status);
        Assert.True(worker.MustRecycle);
    }

    [Theory]
    [InlineData(nameof(ForkServerReading.Asynchronous))]
    [InlineData(nameof(ForkServerReading.DedicatedThread))]
    [InlineData(nameof(ForkServerReading.DedicatedThreadInline))]
    public async Task ExecuteAsync_CallerCancels_ThrowsAndRecycles(string readingName)
    {
        var reading = Enum.Parse<ForkServerReading>(readingName); // the enum is internal; theory data names it
        await using var server = new ScriptedServer(_ => null);
        await using var worker = server.CreateWorker(reading);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => worker.ExecuteAsync(Request(), Guid.NewGuid(), SandboxLimits.Default, cancel.Token));

        Assert.True(worker.MustRecycle);
    }

    [Theory]
    [InlineData(nameof(ForkServerReading.DedicatedThread))]
    [InlineData(nameof(ForkServerReading.DedicatedThreadInline))]
    public async Task ExecuteAsync_DedicatedReaderAndNoAnswerWithinTimeoutAndGrace_TimesOutAndRecycles(string readingName)
    {
        var reading = Enum.Parse<ForkServerReading>(readingName); // the enum is internal; theory data names it
        await using var server = new ScriptedServer(_ => null);
        await using var worker = server.CreateWorker(reading);

        var result = await worker.ExecuteAsync(Request(TimeSpan.FromMilliseconds(100)), Guid.NewGuid(), SandboxLimits.Default, Ct);

        Assert.Equal(SandboxStatus.TimedOut, result.Status);
        Assert.True(worker.MustRecycle);
    }

    [Fact]
    public void Constructor_UnknownReading_ThrowsNamingIt()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ForkServerWorker("fake", "t", TextWriter.Null, TextReader.Null, () => ValueTask.CompletedTask, TimeProvider.System, (ForkServerReading)7));

        Assert.Equal("reading", ex.ParamName);
    }

    /// <summary>
    /// Where the code after awaiting an execution runs. The server holds its answer until the await has begun, so the
    /// code resumes wherever the answer was delivered.
    /// </summary>
    private static async Task<(bool ThreadPool, string? Name)> ResumedOnAsync(ForkServerWorker worker, ScriptedServer server)
    {
        var execution = worker.ExecuteAsync(Request(), Guid.NewGuid(), SandboxLimits.Default, Ct);
        var resumed = ResumedAfterAsync(execution); // runs to its await, which waits: no answer has been sent
        Assert.False(execution.IsCompleted, "The execution finished before its answer was sent.");
        server.SendOneAnswer();
        return await resumed.WaitAsync(TimeSpan.FromSeconds(30), Ct);
    }

    private static async Task<(bool ThreadPool, string? Name)> ResumedAfterAsync(Task execution)
    {
        await execution.ConfigureAwait(false);
        return (Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name);
    }

    private static SandboxRequest Request(TimeSpan? timeout = null) =>
        new() { TenantId = "t", Code = "pass", Timeout = timeout ?? TimeSpan.FromSeconds(10) };

    /// <summary>
    /// A fork server stand-in over two OS pipes: every request line is answered with what the script returns for it
    /// (null: no answer; an exception: the server closes its output).
    /// </summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly AnonymousPipeServerStream _requestsOut = new(PipeDirection.Out);
        private readonly AnonymousPipeClientStream _requestsIn;
        private readonly AnonymousPipeServerStream _answersOut = new(PipeDirection.Out);
        private readonly AnonymousPipeClientStream _answersIn;
        private readonly Task _loop;
        private readonly SemaphoreSlim _release = new(0);
        private int _requests;

        /// <param name="script">The answer to each request line.</param>
        /// <param name="holdAnswers">Send each answer only when <see cref="SendOneAnswer"/> is called.</param>
        public ScriptedServer(Func<string, string?> script, bool holdAnswers = false)
        {
            _requestsIn = new AnonymousPipeClientStream(PipeDirection.In, _requestsOut.ClientSafePipeHandle);
            _answersIn = new AnonymousPipeClientStream(PipeDirection.In, _answersOut.ClientSafePipeHandle);
            _loop = Task.Run(async () =>
            {
                using var requests = new StreamReader(_requestsIn, Encoding.UTF8);
                await using var answers = new StreamWriter(_answersOut, new UTF8Encoding(false)) { NewLine = "\n", AutoFlush = true };
                while (await requests.ReadLineAsync(CancellationToken.None) is { } line)
                {
                    Interlocked.Increment(ref _requests);
                    string? answer;
                    try
                    {
                        answer = script(line);
                    }
                    catch (EndOfStreamException)
                    {
                        return;
                    }

                    if (answer is not null)
                    {
                        if (holdAnswers)
                        {
                            await _release.WaitAsync(CancellationToken.None);
                        }

                        using var request = JsonDocument.Parse(line);
                        var id = request.RootElement.GetProperty("id").GetString();
                        await answers.WriteLineAsync(answer.Insert(1, $"\"id\":\"{id}\","));
                    }
                }
            });
        }

        public int Requests => Volatile.Read(ref _requests);

        /// <summary>Lets the server send one held answer.</summary>
        public void SendOneAnswer() => _release.Release();

        public ForkServerWorker CreateWorker(ForkServerReading reading) => new(
            "fake",
            "t",
            new StreamWriter(_requestsOut, new UTF8Encoding(false)) { NewLine = "\n" },
            new StreamReader(_answersIn, Encoding.UTF8),
            () => ValueTask.CompletedTask, // disposing the worker closes its input, which ends the loop
            TimeProvider.System,
            reading);

        public async ValueTask DisposeAsync()
        {
            _release.Release(int.MaxValue / 2); // no held answer keeps the loop from ending
            _requestsOut.Dispose();
            await _loop.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
            _answersIn.Dispose();
            _requestsIn.Dispose();
            _release.Dispose();
        }
    }
}
