using System.Collections.Concurrent;
using System.Diagnostics;

namespace AutoDev.Sandboxing;

/// <summary>
/// Starts processes from one thread that lives as long as the host process. The kernel sends a parent-death signal
/// (bubblewrap's <c>--die-with-parent</c>) when the <em>thread</em> that started the child exits, not the process:
/// a warm sandbox started from a pool thread that later retires, or from a warm worker's own reader thread, would be
/// killed under its tenant.
/// </summary>
internal static class ProcessLauncher
{
    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Requests = Launch();

    /// <summary>Starts <paramref name="process"/> on the launcher thread.</summary>
    /// <returns>Completes when it started, or with the exception <see cref="Process.Start()"/> threw.</returns>
    public static Task StartAsync(Process process)
    {
        // Asynchronous continuations: the caller's code must never run on (and hold up) the launcher thread.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((process, started));
        return started.Task;
    }

    private static BlockingCollection<(Process, TaskCompletionSource)> Launch()
    {
        var requests = new BlockingCollection<(Process, TaskCompletionSource)>();
        new Thread(() =>
        {
            foreach (var (process, started) in requests.GetConsumingEnumerable())
            {
                try
                {
                    process.Start();
                    started.SetResult();
                }
#pragma warning disable CA1031 // The caller gets every exception; the launcher thread must live on.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    started.SetException(ex);
                }
            }
        })
        { IsBackground = true, Name = "AutoDev process launcher" }.Start();
        return requests;
    }
}
