using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;

namespace AutoDev.Tests.Sandboxing;

/// <summary>The pool's own logic, over a fake fork server that answers each request line with a scripted status.</summary>
public sealed class WarmPoolTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ExecuteAsync_Sequential_ReusesAWorkerUpToMaxExecutions()
    {
        var factory = new FakeFactory();
        await using var pool = new WarmPool("test", factory.CreateAsync, workersPerTenant: 1, maxExecutionsPerWorker: 3, NullLogger.Instance);

        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(SandboxStatus.Succeeded, (await RunAsync(pool, "t")).Status);
        }

        Assert.All(factory.Servers, s => Assert.InRange(s.Requests, 0, 3));
        Assert.Equal(7, factory.Servers.Sum(s => s.Requests));
        Assert.True(factory.Servers.Count(s => s.Killed) >= 2);
    }

    [Theory]
    [InlineData("timed_out")]
    [InlineData("resource_limit")]
    [InlineData("crashed")]
    public async Task ExecuteAsync_BadStatus_KillsTheWorkerAndNeverReusesIt(string status)
    {
        var factory = new FakeFactory { NextStatus = status };
        await using var pool = new WarmPool("test", factory.CreateAsync, 1, 100, NullLogger.Instance);

        await RunAsync(pool, "t");
        factory.NextStatus = "succeeded";
        await RunAsync(pool, "t");

        var first = factory.Servers[0];
        Assert.Equal(1, first.Requests);
        Assert.True(await first.KilledTask.WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    [Fact]
    public async Task ExecuteAsync_TwoTenants_NeverShareAWorker()
    {
        var factory = new FakeFactory();
        await using var pool = new WarmPool("test", factory.CreateAsync, 2, 100, NullLogger.Instance);

        // A worker handed to another tenant would throw TenantMismatchException: every call must succeed.
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => RunAsync(pool, i % 2 == 0 ? "a" : "b")));

        Assert.All(results, r => Assert.Equal(SandboxStatus.Succeeded, r.Status));
        Assert.Equal(10, factory.Servers.Where(s => s.Tenant == "a").Sum(s => s.Requests));
        Assert.Equal(10, factory.Servers.Where(s => s.Tenant == "b").Sum(s => s.Requests));
    }

    [Fact]
    public async Task ExecuteAsync_ManyCallsOfOneTenant_AtMostWorkersPerTenantAtOnce()
    {
        var factory = new FakeFactory { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var pool = new WarmPool("test", factory.CreateAsync, 2, 100, NullLogger.Instance);

        // Each call reaches the fake server synchronously, up to the hold: two are in, three wait for a worker.
        var calls = Enumerable.Range(0, 5).Select(_ => RunAsync(pool, "t")).ToList();
        var inFlight = factory.InFlight;
        factory.Hold.SetResult();
        await Task.WhenAll(calls);

        Assert.Equal(2, inFlight);
        Assert.Equal(2, factory.MaxInFlight);
    }

    /// <summary>
    /// Regression (sandbox hardening, defect 5): with one worker per tenant, a time-out followed at once by another
    /// execution left two idle workers, because the second execution started its own while the replacement started.
    /// </summary>
    [Fact]
    public async Task ExecuteAsync_RightAfterARecycle_TakesTheReplacementAndNeverOvershoots()
    {
        var factory = new FakeFactory();
        await using var pool = new WarmPool("test", factory.CreateAsync, workersPerTenant: 1, maxExecutionsPerWorker: 100, NullLogger.Instance);
        await RunAsync(pool, "t");

        for (var round = 1; round <= 4; round++)
        {
            factory.StartGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            factory.NextStatus = "timed_out";
            Assert.Equal(SandboxStatus.TimedOut, (await RunAsync(pool, "t")).Status); // the replacement waits at the gate
            factory.NextStatus = "succeeded";
            var next = RunAsync(pool, "t");
            factory.StartGate.SetResult();

            Assert.Equal(SandboxStatus.Succeeded, (await next.WaitAsync(TimeSpan.FromSeconds(10), Ct)).Status);
            Assert.Equal(1 + round, factory.Servers.Count);
            Assert.Equal(1, pool.IdleCount("t"));
        }
    }

    [Fact]
    public async Task ExecuteAsync_ReplacementFailedToStart_StartsAFreshWorker()
    {
        var factory = new FakeFactory();
        await using var pool = new WarmPool("test", factory.CreateAsync, workersPerTenant: 1, maxExecutionsPerWorker: 100, NullLogger.Instance);
        factory.NextStatus = "crashed";
        await RunAsync(pool, "t");
        factory.NextStatus = "succeeded";

        factory.FailNextStart = true;
        var first = await RunAsync(pool, "t");

        Assert.Equal(SandboxStatus.Succeeded, first.Status);
        Assert.Equal(2, factory.Servers.Count);
    }

    [Fact]
    public async Task WarmUpAsync_WhileAWorkerIsLeased_StartsOnlyWhatTheTenantLacks()
    {
        var factory = new FakeFactory { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var pool = new WarmPool("test", factory.CreateAsync, workersPerTenant: 2, maxExecutionsPerWorker: 100, NullLogger.Instance);
        var leased = RunAsync(pool, "t");

        await pool.WarmUpAsync("t", Ct);
        factory.Hold.SetResult();
        await leased;

        Assert.Equal(2, factory.Servers.Count);
        Assert.Equal(2, pool.IdleCount("t"));
    }

    [Fact]
    public async Task TheWarmWorkersGauge_CountsIdleWorkersByTier_UntilThePoolIsDisposed()
    {
        var tier = "gauge-" + Guid.NewGuid().ToString("N")[..8];
        using var gauge = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(null, AutoDevTelemetry.CoreName, "autodev.sandbox.warm_workers");
        var pool = new WarmPool(tier, new FakeFactory().CreateAsync, 2, 100, NullLogger.Instance);
        await pool.WarmUpAsync("t1", Ct);
        await pool.WarmUpAsync("t2", Ct);

        gauge.RecordObservableInstruments();
        Assert.Equal(4, Assert.Single(gauge.GetMeasurementSnapshot(), m => Equals(m.Tags["autodev.sandbox.tier"], tier)).Value);

        await pool.DisposeAsync();
        gauge.Clear();
        gauge.RecordObservableInstruments();
        Assert.DoesNotContain(gauge.GetMeasurementSnapshot(), m => Equals(m.Tags["autodev.sandbox.tier"], tier));
    }

    [Fact]
    public async Task DisposeAsync_KillsIdleWorkers()
    {
        var factory = new FakeFactory();
        var pool = new WarmPool("test", factory.CreateAsync, 2, 100, NullLogger.Instance);
        await pool.WarmUpAsync("t", Ct);
        Assert.Equal(2, pool.IdleCount("t"));

        await pool.DisposeAsync();

        Assert.All(factory.Servers, s => Assert.True(s.Killed));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => RunAsync(pool, "t"));
    }

    private static Task<SandboxResult> RunAsync(WarmPool pool, string tenant) =>
        pool.ExecuteAsync(tenant, w => w.ExecuteAsync(new SandboxRequest { TenantId = tenant, Code = "pass" }, Guid.NewGuid(), SandboxLimits.Default, Ct), Ct);

    private sealed class FakeFactory
    {
        private readonly ConcurrentQueue<FakeServer> _servers = new();
        private int _inFlight;
        private int _maxInFlight;

        public string NextStatus { get; set; } = "succeeded";

        public TaskCompletionSource? Hold { get; init; }

        public List<FakeServer> Servers => [.. _servers];

        public int InFlight => Volatile.Read(ref _inFlight);

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        /// <summary>When set, every start waits for it.</summary>
        public TaskCompletionSource? StartGate { get; set; }

        /// <summary>When set, the next start throws, as a sandbox that cannot start does.</summary>
        public bool FailNextStart { get; set; }

        public async Task<ForkServerWorker> CreateAsync(string tenant, CancellationToken cancellationToken)
        {
            if (StartGate is { } gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }

            if (FailNextStart)
            {
                FailNextStart = false;
                throw new SandboxUnavailableException("fake", "the fake sandbox did not start");
            }

            var server = new FakeServer(this, tenant);
            _servers.Enqueue(server);
            return new ForkServerWorker("fake", tenant, server.Input, server.Output, server.KillAsync, TimeProvider.System);
        }

        public async Task<string> AnswerAsync(FakeServer server, string line)
        {
            var now = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref _maxInFlight, now);
            try
            {
                if (Hold is not null)
                {
                    await Hold.Task;
                }

                using var request = JsonDocument.Parse(line);
                server.Requests++;
                return JsonSerializer.Serialize(new { id = request.RootElement.GetProperty("id").GetString(), status = NextStatus });
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int current;
            while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
            {
            }
        }
    }

    /// <summary>A fork server stand-in: what is written to its input is answered on its output.</summary>
    private sealed class FakeServer
    {
        private readonly Channel<string> _answers = Channel.CreateUnbounded<string>();
        private readonly TaskCompletionSource<bool> _killed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public FakeServer(FakeFactory factory, string tenant)
        {
            Tenant = tenant;
            Input = new LineWriter(async line => await _answers.Writer.WriteAsync(await factory.AnswerAsync(this, line)));
            Output = new ChannelLineReader(_answers.Reader);
        }

        public TextWriter Input { get; }

        public TextReader Output { get; }

        public int Requests { get; set; }

        public string Tenant { get; }

        public bool Killed => _killed.Task.IsCompleted;

        public Task<bool> KilledTask => _killed.Task;

        public ValueTask KillAsync()
        {
            _killed.TrySetResult(true);
            _answers.Writer.TryComplete();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class LineWriter(Func<string, Task> onLine) : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) => onLine(buffer.ToString());

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class ChannelLineReader(ChannelReader<string> answers) : TextReader
    {
        public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            try
            {
                return await answers.ReadAsync(cancellationToken);
            }
            catch (ChannelClosedException)
            {
                return null;
            }
        }
    }
}
