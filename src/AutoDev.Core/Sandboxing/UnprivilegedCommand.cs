using System.Globalization;

namespace AutoDev.Sandboxing;

/// <summary>
/// Starts sandbox processes under a user id of their own when the host runs as root, through util-linux's setpriv.
/// Each sandbox (a warm worker, or one process-tier execution) rents a distinct id from
/// <see cref="SandboxOptions.SandboxUserIdRangeStart"/>, so its process limit (RLIMIT_NPROC) counts its own processes
/// only and no sandbox can signal another. Code never runs as root. An id is rented across processes too: each
/// rental holds an exclusive lock on a file in <see cref="LockDirectory"/>, which the kernel drops when the process
/// dies, so two AutoDev hosts on one machine never share an id (nor kill each other's processes when returning one).
/// </summary>
internal static class UnprivilegedCommand
{
    /// <summary>Where the per-id lock files live (root only; a tmpfs emptied at boot).</summary>
    public const string LockDirectory = "/run/autodev/sandbox-uids";

    private const string SetPriv = "/usr/bin/setpriv";
    private static readonly Lock Gate = new();
    private static readonly Dictionary<int, FileStream> Rented = [];
    private static bool _lockDirectoryExists;

    public static bool IsRoot { get; } = GetEffectiveUserId() == 0;

    /// <summary>The limits a tier passes to the runner: a process limit only where the sandbox has a user id of its own.</summary>
    public static SandboxLimits EffectiveLimits(SandboxLimits limits) => IsRoot ? limits : limits with { MaxProcesses = 0 };

    /// <summary>Rents a user id for one sandbox; dispose the lease when every process of that sandbox is dead.</summary>
    /// <exception cref="SandboxUnavailableException">Every id of the range is in use.</exception>
    public static UserIdLease Rent(SandboxOptions options, string tier)
    {
        if (!IsRoot)
        {
            return new UserIdLease(null);
        }

        lock (Gate)
        {
            if (!_lockDirectoryExists)
            {
                Directory.CreateDirectory(LockDirectory);
                _lockDirectoryExists = true;
            }

            for (var i = 0; i < options.SandboxUserIdRangeSize; i++)
            {
                var uid = options.SandboxUserIdRangeStart + i;
                if (!Rented.ContainsKey(uid) && TryLock(uid) is { } held)
                {
                    Rented[uid] = held;
                    return new UserIdLease(uid);
                }
            }
        }

        throw new SandboxUnavailableException(tier, $"all {options.SandboxUserIdRangeSize} sandbox user ids from {options.SandboxUserIdRangeStart} are in use; raise SandboxOptions.SandboxUserIdRangeSize.");
    }

    /// <summary>
    /// A start info for a sandbox process: redirected standard streams, an empty environment but PATH, and
    /// <paramref name="fileName"/> run directly or, as root, through setpriv as the leased user.
    /// </summary>
    public static System.Diagnostics.ProcessStartInfo StartInfo(UserIdLease lease, string fileName, IEnumerable<string> arguments, string workingDirectory)
    {
        var info = new System.Diagnostics.ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.Environment.Clear();
        info.Environment["PATH"] = "/usr/bin:/bin";
        info.Environment["LANG"] = "C.UTF-8";
        Apply(info, lease, fileName, arguments);
        return info;
    }

    private static void Apply(System.Diagnostics.ProcessStartInfo info, UserIdLease lease, string fileName, IEnumerable<string> arguments)
    {
        if (lease.UserId is { } uid)
        {
            if (!File.Exists(SetPriv))
            {
                throw new SandboxUnavailableException("process", "the host runs as root and setpriv (util-linux) is missing, so sandboxed code would run as root.");
            }

            info.FileName = SetPriv;
            var id = uid.ToString(CultureInfo.InvariantCulture);
            foreach (var argument in new[] { $"--reuid={id}", $"--regid={id}", "--clear-groups", "--no-new-privs", "--", fileName })
            {
                info.ArgumentList.Add(argument);
            }
        }
        else
        {
            info.FileName = fileName;
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
    }

    private static void Return(int uid)
    {
        KillEveryProcessOf(uid);
        lock (Gate)
        {
            if (Rented.Remove(uid, out var held))
            {
                held.Dispose();
            }
        }
    }

    /// <summary>Takes the id's lock file, or null when another process holds it.</summary>
    private static FileStream? TryLock(int uid)
    {
        try
        {
            return new FileStream(Path.Combine(LockDirectory, uid.ToString(CultureInfo.InvariantCulture)), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Kills what a sandbox may have left running under its user id (a double-forked process), so the id is clean for the next sandbox.</summary>
    private static void KillEveryProcessOf(int uid)
    {
        var wanted = uid.ToString(CultureInfo.InvariantCulture);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var uidLine = File.ReadLines(Path.Combine(directory, "status")).FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
                if (uidLine?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) is [_, var real, ..] && real == wanted)
                {
                    using var process = System.Diagnostics.Process.GetProcessById(pid);
                    process.Kill();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // The process ended meanwhile.
            }
        }
    }

    private static uint GetEffectiveUserId()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                    return uint.Parse(fields[2], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return uint.MaxValue;
    }

    /// <summary>A rented user id, or none when the host is not root. Disposing returns it.</summary>
    internal sealed class UserIdLease(int? userId) : IDisposable
    {
        private int _returned;

        public int? UserId { get; } = userId;

        public void Dispose()
        {
            if (UserId is { } uid && Interlocked.Exchange(ref _returned, 1) == 0)
            {
                Return(uid);
            }
        }
    }
}
