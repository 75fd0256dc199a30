using System.Net.Sockets;

namespace AutoDev.Sandbox.Docker.Internal;

/// <summary>
/// Where one container's fork server connects to the host, skipping the engine's attach proxy: a new directory
/// (mode 0755) under a parent private to the host's user (mode 0700), holding one listening socket (mode 0666). The
/// directory is mounted read-only at <see cref="ContainerDirectory"/>. The first connection is the fork server's, made
/// at its start before any code runs; once it is accepted the socket and directory are deleted, so nothing else in the
/// container can connect.
/// </summary>
internal sealed class SocketRendezvous : IDisposable
{
    /// <summary>Where the directory appears inside the container.</summary>
    public const string ContainerDirectory = "/run/autodev";

    private const string SocketName = "runner.sock";
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Searchable = Private | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
    private const UnixFileMode Connectable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    private readonly Socket _listener;
    private int _disposed;

    private SocketRendezvous(string directory, Socket listener)
    {
        HostDirectory = directory;
        _listener = listener;
    }

    /// <summary>The socket's path inside the container.</summary>
    public static string ContainerPath => ContainerDirectory + "/" + SocketName;

    /// <summary>The directory on this machine.</summary>
    public string HostDirectory { get; }

    /// <summary>The engine's bind of the directory: read-only at <see cref="ContainerDirectory"/>.</summary>
    public string Bind => HostDirectory + ":" + ContainerDirectory + ":ro";

    /// <summary>The parent directory to use: <paramref name="configured"/>, or the default for this user.</summary>
    public static string ParentDirectory(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        return Environment.UserName == "root"
            ? "/run/autodev/sandbox-sockets"
            : Path.Combine(Path.GetTempPath(), "autodev-sandbox-sockets-" + Environment.UserName);
    }

    /// <summary>Makes the directory and starts listening.</summary>
    /// <exception cref="IOException">The directory or socket cannot be made.</exception>
    /// <exception cref="UnauthorizedAccessException">The parent directory belongs to someone else or cannot be created.</exception>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static SocketRendezvous Create(string parent)
    {
        Directory.CreateDirectory(parent, Private);
        File.SetUnixFileMode(parent, Private); // also when it existed: throws unless it is ours
        var directory = Path.Combine(parent, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, Searchable);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            var path = Path.Combine(directory, SocketName);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, Connectable); // the container's non-root user connects
            listener.Listen(1);
            return new SocketRendezvous(directory, listener);
        }
        catch (SocketException ex)
        {
            listener.Dispose();
            DeleteDirectory(directory);
            throw new IOException($"could not listen on a socket in {directory}: {ex.Message}", ex);
        }
        catch
        {
            listener.Dispose();
            DeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>Deletes a directory of this kind, ignoring one already gone.</summary>
    public static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Already gone, or another process removed it first.
        }
    }

    /// <summary>
    /// Waits for the fork server's connection, then stops listening and deletes the socket and its directory.
    /// </summary>
    /// <param name="stopped">Completes with the container's exit code when it stops running.</param>
    /// <param name="timeout">How long the container may take.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="IOException">The container stopped first, or did not connect in time.</exception>
    public async Task<Stream> AcceptAsync(Task<long> stopped, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var accept = _listener.AcceptAsync(deadline.Token).AsTask();
        try
        {
            if (await Task.WhenAny(accept, stopped).ConfigureAwait(false) == stopped)
            {
                var code = stopped.IsCompletedSuccessfully ? (await stopped.ConfigureAwait(false)).ToString(System.Globalization.CultureInfo.InvariantCulture) : "unknown";
                throw new IOException($"the container stopped (exit code {code}) before its fork server connected to {HostDirectory}; is the engine on another machine? Set UseDirectSocket to false there.");
            }

            try
            {
                var socket = await accept.ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new IOException($"the container's fork server did not connect to {HostDirectory} within {timeout.TotalSeconds:0.#} s; is the engine on another machine? Set UseDirectSocket to false there.");
            }
        }
        finally
        {
            Dispose();
            await deadline.CancelAsync().ConfigureAwait(false);
            accept.ObserveFailure();
        }
    }

    /// <summary>Stops listening and deletes the socket and directory.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _listener.Dispose();
            DeleteDirectory(HostDirectory);
        }
    }
}
