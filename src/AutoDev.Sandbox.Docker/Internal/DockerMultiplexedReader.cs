using System.Buffers.Binary;

namespace AutoDev.Sandbox.Docker.Internal;

/// <summary>
/// Reads a non-TTY attach stream: frames of an 8-byte header (stream type, three zero bytes, big-endian size) and a
/// payload. Exposes stdout as a plain stream and drops stderr (the fork server reports the code's stderr in its results).
/// </summary>
internal sealed class DockerStdoutStream(Stream inner) : Stream
{
    private readonly byte[] _header = new byte[8];
    private int _remaining;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            while (_remaining == 0)
            {
                if (!await ReadExactlyOrEndAsync(_header, cancellationToken).ConfigureAwait(false))
                {
                    return 0;
                }

                var size = (int)BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4));
                if (_header[0] == 1)
                {
                    _remaining = size;
                }
                else
                {
                    await SkipAsync(size, cancellationToken).ConfigureAwait(false);
                }
            }

            var read = await inner.ReadAsync(buffer[..Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return 0;
            }

            _remaining -= read;
            return read;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use ReadAsync.");

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task<bool> ReadExactlyOrEndAsync(byte[] target, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < target.Length)
        {
            var read = await inner.ReadAsync(target.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            filled += read;
        }

        return true;
    }

    private async Task SkipAsync(int count, CancellationToken cancellationToken)
    {
        var scratch = new byte[Math.Min(count, 8192)];
        while (count > 0)
        {
            var read = await inner.ReadAsync(scratch.AsMemory(0, Math.Min(scratch.Length, count)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            count -= read;
        }
    }
}
