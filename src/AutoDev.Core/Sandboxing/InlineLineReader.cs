namespace AutoDev;

/// <summary>
/// Reads a fork server's answers on a thread of its own and resumes whoever awaits an answer on that thread, not on
/// the thread pool. Behind <see cref="SandboxOptions.UnsafePreferInlineScheduling"/>.
/// </summary>
/// <remarks>
/// An answer read through the thread pool costs two thread hand-offs (the runtime's socket or pipe thread, then a pool
/// thread, which spins before it sleeps). On a busy small machine that is CPU taken from the sandboxed code. Here one
/// blocked read wakes one thread, which runs the caller's continuation and goes back to reading.
/// </remarks>
internal sealed class InlineLineReader
{
    private readonly TextReader _reader;
    private readonly Lock _lock = new();
    private TaskCompletionSource<string?>? _pending;
    private bool _ended;
    private Exception? _failure;

    public InlineLineReader(TextReader reader, string threadName)
    {
        _reader = reader;
        new Thread(Run) { IsBackground = true, Name = threadName }.Start();
    }

    /// <summary>Registers interest in the next line. Call it before sending the request the line answers.</summary>
    /// <returns>Completes with the line, with <see langword="null"/> at the end of the stream, or with the read's <see cref="IOException"/>.</returns>
    public TaskCompletionSource<string?> Expect()
    {
        // No RunContinuationsAsynchronously: running the awaiting code on the reader thread is the point.
        var next = new TaskCompletionSource<string?>();
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
