namespace AutoDev.Sandbox.Docker.Internal;

internal static class TaskExtensions
{
    /// <summary>Marks a failure of a task nobody awaits any more (a cancelled wait, a closed listener's accept) as seen.</summary>
    public static void ObserveFailure(this Task task) =>
        _ = task.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
