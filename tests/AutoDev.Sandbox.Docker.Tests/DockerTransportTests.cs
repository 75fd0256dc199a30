using System.Net.Sockets;
using AutoDev.Sandbox.Docker.Internal;
using AutoDev.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AutoDev.Tests;

/// <summary>The two ways the host reaches a container's fork server: its own Unix socket (default) and the engine's attach stream.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DockerTransportTests : IDisposable
{
    private readonly string _parent = Path.Combine(Path.GetTempPath(), "autodev-transport-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task ExecuteAsync_EitherTransportAndScheduling_ReturnsValueOutputAndTimeouts(bool directSocket, bool inline)
    {
        await using var sandbox = CreateSandbox(directSocket, inline);
        ServiceRequirement.Require(await sandbox.CheckAvailabilityAsync(TestContext.Current.CancellationToken));
        var ct = TestContext.Current.CancellationToken;

        var doubled = await sandbox.ExecuteAsync(new SandboxRequest { TenantId = "t", Code = "def f(x):\n    print('seen', x)\n    return x * 2", EntryPoint = "f", InputsJson = """{"x": 21}""" }, ct);
        var slow = await sandbox.ExecuteAsync(new SandboxRequest { TenantId = "t", Code = "import time\ntime.sleep(30)", Timeout = TimeSpan.FromMilliseconds(500) }, ct);
        var after = await sandbox.ExecuteAsync(new SandboxRequest { TenantId = "t", Code = "def f():\n    return 'fine'", EntryPoint = "f" }, ct);

        Assert.Equal(SandboxStatus.Succeeded, doubled.Status);
        Assert.Equal(42, doubled.ReturnValue?.GetInt32());
        Assert.Equal("seen 21\n", doubled.Stdout);
        Assert.Equal(SandboxStatus.TimedOut, slow.Status);
        Assert.Equal("fine", after.ReturnValue?.GetString());
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task ExecuteAsync_InlineScheduling_ResumesOnTheContainersOwnThreadOverTheDirectSocketOnly(bool directSocket, bool onPool)
    {
        await using var sandbox = CreateSandbox(directSocket, inline: true);
        ServiceRequirement.Require(await sandbox.CheckAvailabilityAsync(TestContext.Current.CancellationToken));
        await sandbox.Pool.WarmUpAsync("t", TestContext.Current.CancellationToken);

        var (pool, name) = await ResumedOnAsync(sandbox);

        Assert.Equal(onPool, pool);
        if (!onPool)
        {
            Assert.Equal("AutoDev docker worker", name);
        }
    }

    [Fact]
    public async Task DirectSocket_OnceConnected_LeavesNothingToConnectTo()
    {
        await using var sandbox = CreateSandbox(directSocket: true);
        ServiceRequirement.Require(await sandbox.CheckAvailabilityAsync(TestContext.Current.CancellationToken));

        var result = await sandbox.ExecuteAsync(
            new SandboxRequest
            {
                TenantId = "t",
                EntryPoint = "f",
                Code = """
                    import os, socket
                    def f():
                        s = socket.socket(socket.AF_UNIX)
                        try:
                            s.connect('/run/autodev/runner.sock')
                            connected = True
                        except OSError:
                            connected = False
                        return {'entries': os.listdir('/run/autodev'), 'connected': connected}
                    """,
            },
            TestContext.Current.CancellationToken);

        Assert.Equal(SandboxStatus.Succeeded, result.Status);
        Assert.Equal("""{"entries":[],"connected":false}""", result.ReturnValue?.GetRawText().Replace(" ", string.Empty, StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_parent));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_parent));
    }

    [Fact]
    public async Task AcceptAsync_ContainerStopsFirst_ThrowsWithExitCodeAndAdvice()
    {
        using var rendezvous = SocketRendezvous.Create(_parent);

        var error = await Assert.ThrowsAsync<IOException>(() => rendezvous.AcceptAsync(Task.FromResult(3L), TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));

        Assert.Contains("exit code 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("UseDirectSocket", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(rendezvous.HostDirectory));
    }

    [Fact]
    public async Task AcceptAsync_NobodyConnects_TimesOutWithAdvice()
    {
        using var rendezvous = SocketRendezvous.Create(_parent);
        var never = new TaskCompletionSource<long>();

        var error = await Assert.ThrowsAsync<IOException>(() => rendezvous.AcceptAsync(never.Task, TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken));

        Assert.Contains("did not connect", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(rendezvous.HostDirectory));
    }

    [Fact]
    public async Task AcceptAsync_FirstConnection_IsTheOnlyOne()
    {
        using var rendezvous = SocketRendezvous.Create(_parent);
        var path = Path.Combine(rendezvous.HostDirectory, "runner.sock");
        const UnixFileMode anyoneReadsAndWrites = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        Assert.Equal(anyoneReadsAndWrites, File.GetUnixFileMode(path));
        using var first = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await first.ConnectAsync(new UnixDomainSocketEndPoint(path), TestContext.Current.CancellationToken);

        await using var accepted = await rendezvous.AcceptAsync(new TaskCompletionSource<long>().Task, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await first.SendAsync("ping\n"u8.ToArray(), TestContext.Current.CancellationToken);
        var buffer = new byte[5];
        await accepted.ReadExactlyAsync(buffer, TestContext.Current.CancellationToken);

        Assert.Equal("ping\n"u8.ToArray(), buffer);
        Assert.False(Directory.Exists(rendezvous.HostDirectory));
        using var second = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await Assert.ThrowsAsync<SocketException>(async () => await second.ConnectAsync(new UnixDomainSocketEndPoint(path), TestContext.Current.CancellationToken));
    }

    public void Dispose()
    {
        if (Directory.Exists(_parent))
        {
            Directory.Delete(_parent, recursive: true);
        }
    }

    /// <summary>
    /// Where the code after awaiting an execution runs. The code in the container sleeps for a second, and the test
    /// checks that the await began before the answer came (a container cannot wait for a signal from the test).
    /// </summary>
    private static async Task<(bool ThreadPool, string? Name)> ResumedOnAsync(DockerSandbox sandbox)
    {
        var execution = sandbox.ExecuteAsync(new SandboxRequest { TenantId = "t", Code = "import time\ntime.sleep(1)" }, TestContext.Current.CancellationToken);
        var resumed = ResumedAfterAsync(execution);
        Assert.False(execution.IsCompleted, "The execution finished before the await began, so where it resumes shows nothing.");
        var (result, threadPool, name) = await resumed.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.Equal(SandboxStatus.Succeeded, result.Status);
        return (threadPool, name);
    }

    /// <summary>
    /// An execution cancelled while its container is being created or started leaves no container behind once the
    /// sandbox is disposed: a create the engine finished after the caller gave up must not strand a container.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ExecutionsCancelledDuringTheContainersStart_LeaveNoContainerBehind(bool warm)
    {
        var tenant = "cancel-start-" + Guid.NewGuid().ToString("N")[..8];
        var options = WarmDockerFixture.CreateOptions(warm);
        options.SocketDirectory = _parent;
        var sandbox = new DockerSandbox(Options.Create(options), Options.Create(new SandboxOptions()), TimeProvider.System, NullLogger<DockerSandbox>.Instance);
        await using (sandbox)
        {
            ServiceRequirement.Require(await sandbox.CheckAvailabilityAsync(TestContext.Current.CancellationToken));
            // Cancel at moments spread over a container's start (create, start, connect: tens to hundreds of ms here).
            for (var delay = 2; delay <= 120; delay += 6)
            {
                using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
                cancel.CancelAfter(TimeSpan.FromMilliseconds(delay));
                try
                {
                    await sandbox.ExecuteAsync(new SandboxRequest { TenantId = tenant, Code = "pass" }, cancel.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        using var engine = new DockerEngine(options);
        Assert.Empty(await engine.ListContainersAsync($"autodev.tenant={tenant}", TestContext.Current.CancellationToken));
    }

    private static async Task<(SandboxResult Result, bool ThreadPool, string? Name)> ResumedAfterAsync(Task<SandboxResult> execution)
    {
        var result = await execution.ConfigureAwait(false);
        return (result, Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name);
    }

    private DockerSandbox CreateSandbox(bool directSocket, bool inline = false)
    {
        var options = WarmDockerFixture.CreateOptions(warm: true);
        options.UseDirectSocket = directSocket;
        options.SocketDirectory = _parent;
        return new DockerSandbox(Options.Create(options), Options.Create(new SandboxOptions { UnsafePreferInlineScheduling = inline }), TimeProvider.System, NullLogger<DockerSandbox>.Instance);
    }
}
