using System.Globalization;

namespace AutoDev.Sandboxing;

/// <summary>
/// Memory cgroups for the bubblewrap tier's workers, one per worker, when the host runs as root: the kernel then counts
/// everything the worker holds (the fork server, the execution, its files in <c>/tmp</c> and <c>/dev/shm</c>, memfd
/// files and SysV segments) against one limit, with no swap on top, and its OOM killer stops the execution. Uses
/// the unified hierarchy (cgroup v2) where the memory controller is there, otherwise the v1 memory controller.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class MemoryCgroups
{
    /// <summary>Where cgroup file systems are mounted on Linux.</summary>
    public const string DefaultMountRoot = "/sys/fs/cgroup";

    private const string ParentName = "autodev-sandboxes";
    private readonly string _parent;
    private readonly bool _unified;
    // Worker cgroups are named w<host pid>-<n>, n counted across every tier instance of this process: two instances
    // must never share a cgroup, since removing a worker's cgroup kills whatever is still in it.
    private static readonly string Prefix = "w" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-";
    private static long _next;

    private MemoryCgroups(string parent, bool unified)
    {
        _parent = parent;
        _unified = unified;
    }

    /// <summary>Which hierarchy is used, for messages.</summary>
    public string Kind => _unified ? "cgroup v2" : "the cgroup v1 memory controller";

    /// <summary>The directory the workers' cgroups are made in.</summary>
    public string Parent => _parent;

    /// <summary>Sets up the parent cgroup, or says why none can be used.</summary>
    /// <param name="mountRoot">Where the cgroup file systems are mounted (<see cref="DefaultMountRoot"/>).</param>
    /// <param name="ownCgroups">The lines of <c>/proc/self/cgroup</c>.</param>
    /// <param name="reason">Why no cgroup can be used, when the result is <see langword="null"/>.</param>
    public static MemoryCgroups? TryCreate(string mountRoot, IEnumerable<string> ownCgroups, out string reason)
    {
        ArgumentNullException.ThrowIfNull(ownCgroups);
        var lines = ownCgroups.ToList();
        try
        {
            var unifiedControllers = Path.Combine(mountRoot, "cgroup.controllers");
            if (File.Exists(unifiedControllers) && File.ReadAllText(unifiedControllers).Split(' ', '\n').Contains("memory"))
            {
                // No process may sit in a cgroup that hands controllers to its children, except the root: the workers'
                // parent is a child of the root (of this cgroup namespace), not of the host's own cgroup.
                var parent = Path.Combine(mountRoot, ParentName);
                File.WriteAllText(Path.Combine(mountRoot, "cgroup.subtree_control"), "+memory");
                Directory.CreateDirectory(parent);
                File.WriteAllText(Path.Combine(parent, "cgroup.subtree_control"), "+memory");
                reason = string.Empty;
                return Cleaned(new MemoryCgroups(parent, unified: true));
            }

            var memory = Path.Combine(mountRoot, "memory");
            if (File.Exists(Path.Combine(memory, "memory.limit_in_bytes")))
            {
                // v1: under the host's own memory cgroup, so every limit the host itself is under still applies.
                var own = lines.Select(l => l.Split(':', 3)).FirstOrDefault(f => f.Length == 3 && f[1].Split(',').Contains("memory"))?[2] ?? "/";
                var parent = Path.Combine(memory, own.TrimStart('/'), ParentName);
                Directory.CreateDirectory(parent);
                reason = string.Empty;
                return Cleaned(new MemoryCgroups(parent, unified: false));
            }

            reason = $"no memory cgroup controller is mounted under {mountRoot}";
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            reason = $"no memory cgroup can be made under {mountRoot} ({ex.Message})";
            return null;
        }
    }

    /// <summary>Makes a worker's cgroup limited to <paramref name="memoryBytes"/> with no swap.</summary>
    /// <exception cref="SandboxUnavailableException">The cgroup could not be made.</exception>
    public Lease Create(long memoryBytes, string tier)
    {
        string path;
        do
        {
            // One left by an earlier process that had this process id is skipped, not shared.
            path = Path.Combine(_parent, Prefix + Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture));
        }
        while (Directory.Exists(path));

        var limit = memoryBytes.ToString(CultureInfo.InvariantCulture);
        try
        {
            Directory.CreateDirectory(path);
            if (_unified)
            {
                File.WriteAllText(Path.Combine(path, "memory.max"), limit);
                WriteIfPresent(Path.Combine(path, "memory.swap.max"), "0");
            }
            else
            {
                File.WriteAllText(Path.Combine(path, "memory.limit_in_bytes"), limit);
                WriteIfPresent(Path.Combine(path, "memory.memsw.limit_in_bytes"), limit);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryRemove(path);
            throw new SandboxUnavailableException(tier, $"could not make the memory cgroup {path} ({ex.Message})", ex);
        }

        return new Lease(path, _unified);
    }

    private static void WriteIfPresent(string path, string value)
    {
        if (File.Exists(path))
        {
            File.WriteAllText(path, value);
        }
    }

    /// <summary>Removes the empty cgroups that hosts which died left behind.</summary>
    private static MemoryCgroups Cleaned(MemoryCgroups cgroups)
    {
        foreach (var directory in Directory.EnumerateDirectories(cgroups._parent, "w*-*"))
        {
            var name = Path.GetFileName(directory);
            if (int.TryParse(name.AsSpan(1, name.IndexOf('-', StringComparison.Ordinal) - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !IsAlive(pid))
            {
                TryRemove(directory);
            }
        }

        return cgroups;
    }

    private static bool IsAlive(int pid) => Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture));

    private static bool TryRemove(string path)
    {
        try
        {
            Directory.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>One worker's cgroup. Disposing kills what is left in it and removes it.</summary>
    internal sealed class Lease(string path, bool unified) : IAsyncDisposable
    {
        private int _disposed;

        /// <summary>The cgroup's directory.</summary>
        public string Path { get; } = path;

        /// <summary>The file a process id is written to, to move that process in.</summary>
        public string ProcsFile => System.IO.Path.Combine(Path, "cgroup.procs");

        /// <inheritdoc/>
        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            // Normally empty already: the sandbox's PID 1 is dead, and with it every process of its PID namespace.
            for (var attempt = 0; attempt < 100 && !TryRemove(Path); attempt++)
            {
                KillAll();
                await Task.Delay(TimeSpan.FromMilliseconds(10)).ConfigureAwait(false);
            }
        }

        private void KillAll()
        {
            try
            {
                var kill = System.IO.Path.Combine(Path, "cgroup.kill");
                if (unified && File.Exists(kill))
                {
                    File.WriteAllText(kill, "1");
                    return;
                }

                foreach (var line in File.ReadAllLines(ProcsFile))
                {
                    if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                    {
                        try
                        {
                            using var process = System.Diagnostics.Process.GetProcessById(pid);
                            process.Kill();
                        }
                        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                        {
                            // Gone meanwhile.
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The cgroup is gone.
            }
        }
    }
}
