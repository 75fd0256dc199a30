namespace AutoDev.Sandboxing;

/// <summary>
/// Reads a fork server's answers with blocking reads on a thread of its own, and resumes whoever awaits an answer
/// either on the thread pool or, behind <see cref="SandboxOptions.UnsafePreferInlineScheduling"/>, on that thread.
/// </summary>
/// <remarks>
/// An answer read asynchronously from a socket costs two thread-pool work items (.NET's socket engine schedules a
/// second one to look for more events), and every pool thread woken spins before it sleeps again. On a busy small
/// machine that is CPU taken from the sandboxed code. Here one blocked read wakes one thread, which hands the caller's
/// continuation to the pool (one work item) or runs it itself, and goes back to reading.
/// </remarks>
internal sealed class DedicatedLineReader
{
    private readonly TextReader _reader;
    private readonly TaskCreationOptions _completion;
    private readonly Lock _lock = new();
    private TaskCompletionSource<string?>? _pending;
    private bool _ended;
    private Exception? _failure;

    /// <param name="reader">The fork server's output; it must support blocking reads.</param>
    /// <param name="threadName">The reading thread's name.</param>
    /// <param name="resumeInline">Run the awaiting caller's continuation on the reading thread instead of the pool.</param>
    public DedicatedLineReader(TextReader reader, string threadName, bool resumeInline)
    {
        _reader = reader;
        _completion = resumeInline ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously;
        new Thread(Run) { IsBackground = true, Name = threadName }.Start();
    }

    /// <summary>Registers interest in the next line. Call it before sending the request the line answers.</summary>
    /// <returns>Completes with the line, with <see langword="null"/> at the end of the stream, or with the read's <see cref="IOException"/>.</returns>
    public TaskCompletionSource<string?> Expect()
    {
        var next = new TaskCompletionSource<string?>(_completion);
        bool ended;
        Exception? failure;
        lock (_lock)
        {
            ended = _ended;
            failure = _failure;
            if (!ended)
            {
                _pending = next;
            }
        }

        if (ended)
        {
            Complete(next, null, failure);
        }

        return next;
    }

    private void Run()
    {
        try
        {
            while (true)
            {
                var line = _reader.ReadLine();
                Deliver(line, null);
                if (line is null)
                {
                    return;
                }
            }
        }
#pragma warning disable CA1031 // The thread must never die of an exception: that would end the process. The awaiting caller gets it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Deliver(null, ex as IOException ?? new IOException($"reading the fork server's answers failed: {ex.Message}", ex));
        }
    }

    private void Deliver(string? line, Exception? failure)
    {
        TaskCompletionSource<string?>? pending;
        lock (_lock)
        {
            pending = _pending;
            _pending = null;
            if (line is null)
            {
                _ended = true;
                _failure = failure;
            }
        }

        // A line nobody awaits (an answer that came after its caller timed out) is dropped: that worker is recycled.
        if (pending is not null)
        {
            Complete(pending, line, failure);
        }
    }

    private static void Complete(TaskCompletionSource<string?> pending, string? line, Exception? failure)
    {
        if (failure is null)
        {
            pending.TrySetResult(line);
        }
        else
        {
            pending.TrySetException(failure);
        }
    }
}
