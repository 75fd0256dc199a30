using System.Diagnostics;

namespace AutoDev.Tests.Sandboxing;

/// <summary>
/// A child that asked for a parent-death signal (as bubblewrap's --die-with-parent does) outlives the thread that
/// asked for it to be started, when that goes through <see cref="ProcessLauncher"/>.
/// </summary>
public sealed class ProcessLauncherTests
{
    // python3 asks for SIGKILL at its parent's death, says so, then answers one line on stdin (a killed child cannot).
    private const string DiesWithParent = "import ctypes, sys, time; ctypes.CDLL(None).prctl(1, 9, 0, 0, 0); print('armed', flush=True); sys.stdin.readline(); print('alive', flush=True); time.sleep(60)";

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Start_FromAThreadThatThenExits_ChildLivesOnlyThroughTheLauncher(bool throughLauncher, bool expectKilled)
    {
        var ct = TestContext.Current.CancellationToken;
        using var child = new Process { StartInfo = new ProcessStartInfo(SandboxOptions.DefaultPythonPath, ["-I", "-S", "-c", DiesWithParent]) { RedirectStandardOutput = true, RedirectStandardInput = true } };
        string? armed = null;
        string? starterTask = null;
        var starter = new Thread(() =>
        {
            starterTask = new FileInfo("/proc/thread-self").LinkTarget; // "<pid>/task/<tid>"
            if (throughLauncher)
            {
                ProcessLauncher.StartAsync(child).GetAwaiter().GetResult();
            }
            else
            {
                child.Start();
            }

            // The starting thread exits only once the child has armed its signal.
            armed = child.StandardOutput.ReadLine();
        });
        starter.Start();
        starter.Join();
        try
        {
            // The kernel sends the parent-death signal as the thread exits; its /proc entry is gone only after that.
            Assert.NotNull(starterTask);
            var deadline = Stopwatch.StartNew();
            while (Directory.Exists("/proc/" + starterTask))
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "The starting thread did not exit.");
                await Task.Delay(10, ct);
            }

            Assert.Equal("armed", armed);
            if (expectKilled)
            {
                await child.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
                Assert.Equal(128 + 9, child.ExitCode); // SIGKILL
            }
            else
            {
                // A child with a pending SIGKILL never runs again, so an answer shows the signal was not sent.
                await child.StandardInput.WriteLineAsync("still there?".AsMemory(), ct);
                await child.StandardInput.FlushAsync(ct);
                var answer = await child.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(60), ct);
                Assert.Equal("alive", answer);
            }
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
        }
    }
}
