namespace AutoDev.Sandboxing;

/// <summary>How a <see cref="ForkServerWorker"/> reads its fork server's answers, and where the caller resumes.</summary>
internal enum ForkServerReading
{
    /// <summary>
    /// Asynchronous reads through the reader; callers resume on the thread pool. Works over any reader. On a socket
    /// this costs two thread-pool work items per answer: .NET's socket engine schedules a second one whenever it takes
    /// an event off its queue.
    /// </summary>
    Asynchronous,

    /// <summary>
    /// Blocking reads on a thread of the worker's own; callers resume on the thread pool, one work item per answer, and
    /// no pool thread waits in a read. The reader must support blocking reads (a pipe, a socket).
    /// </summary>
    DedicatedThread,

    /// <summary>
    /// Blocking reads on a thread of the worker's own, which also runs the caller's continuation: no thread-pool work
    /// at all. The reader must support blocking reads. Behind <see cref="SandboxOptions.UnsafePreferInlineScheduling"/>,
    /// whose documentation says when that is unsafe.
    /// </summary>
    DedicatedThreadInline,
}
