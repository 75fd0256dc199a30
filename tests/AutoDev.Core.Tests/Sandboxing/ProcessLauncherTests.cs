using System.Diagnostics;

namespace AutoDev.Tests.Sandboxing;

/// <summary>
/// A child that asked for a parent-death signal (as bubblewrap's --die-with-parent does) outlives the thread that
/// asked for it to be started, when that goes through <see cref="ProcessLauncher"/>.
/// </summary>
public sealed class ProcessLauncherTests
{
    // python3 asks for SIGKILL at its parent's death, says so, then waits to be killed.
    private const string DiesWithParent = "import ctypes, sys, time; ctypes.CDLL(None).prctl(1, 9, 0, 0, 0); print('armed', flush=True); time.sleep(60)";

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Start_FromAThreadThatThenExits_ChildLivesOnlyThroughTheLauncher(bool throughLauncher, bool expectKilled)
    {
        using var child = new Process { StartInfo = new ProcessStartInfo(SandboxOptions.DefaultPythonPath, ["-I", "-S", "-c", DiesWithParent]) { RedirectStandardOutput = true } };
        string? armed = null;
        var starter = new Thread(() =>
        {
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
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            wait.CancelAfter(TimeSpan.FromSeconds(2));
            var killed = true;
            try
            {
                await child.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                killed = false;
            }

            Assert.Equal("armed", armed);
            Assert.Equal(expectKilled, killed);
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
