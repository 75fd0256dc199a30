using System.Runtime.InteropServices;

namespace AutoDev.Sandboxing;

/// <summary>
/// The seccomp filter of the bubblewrap tier, compiled to BPF by libseccomp (Debian's <c>libseccomp2</c>, which apt
/// itself depends on). It refuses, with EPERM, the system calls sandboxed Python never needs and that widen the
/// kernel's attack surface: new namespaces (<c>unshare</c>, <c>setns</c>, <c>clone</c> with a namespace flag),
/// mounting, <c>ptrace</c>, BPF, perf events, keyrings, kernel modules, kexec and reboot, swap, clocks, I/O ports,
/// <c>userfaultfd</c>, <c>io_uring</c> and cross-process memory access. <c>clone3</c>, whose flags a filter cannot
/// read, answers ENOSYS, so the C library falls back to <c>clone</c>. Everything else is allowed.
/// </summary>
internal static partial class SeccompFilter
{
    private const string Library = "libseccomp.so.2";
    private const uint ActAllow = 0x7fff0000;
    private const int EPERM = 1;
    private const int ENOSYS = 38;
    private const int CompareMaskedEqual = 7;

    /// <summary>Refused with EPERM. Names this kernel's architecture lacks are skipped.</summary>
    internal static readonly string[] RefusedCalls =
    [
        "unshare", "setns", "mount", "umount", "umount2", "pivot_root", "chroot", "fsopen", "fsmount", "fsconfig", "fspick",
        "move_mount", "open_tree", "mount_setattr", "ptrace", "process_vm_readv", "process_vm_writev", "bpf",
        "perf_event_open", "keyctl", "add_key", "request_key", "init_module", "finit_module", "delete_module", "reboot",
        "kexec_load", "kexec_file_load", "swapon", "swapoff", "open_by_handle_at", "name_to_handle_at", "syslog", "acct",
        "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "iopl", "ioperm", "lookup_dcookie", "quotactl",
        "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "vhangup", "uselib",
    ];

    /// <summary>The namespace flags of <c>clone</c> (CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME).</summary>
    internal static readonly ulong[] NamespaceFlags = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x00000080];

    /// <summary>Writes the filter as BPF to <paramref name="path"/> (readable by this process's user only).</summary>
    /// <returns><see langword="null"/>, or why no filter could be written (libseccomp is missing or refused it).</returns>
    public static string? TryWriteTo(string path)
    {
        IntPtr context;
        try
        {
            context = Init(ActAllow);
        }
        catch (DllNotFoundException)
        {
            return $"{Library} is missing, so no seccomp filter can be built (apt-get install libseccomp2).";
        }

        if (context == IntPtr.Zero)
        {
            return "libseccomp could not start a filter.";
        }

        try
        {
            var refused = RefusedCalls.Select(name => Refuse(context, name, ActErrno(EPERM), []))
                .Concat(NamespaceFlags.Select(flag => Refuse(context, "clone", ActErrno(EPERM), [new ArgumentCompare { Argument = 0, Operator = CompareMaskedEqual, DatumA = flag, DatumB = flag }])))
                .Append(Refuse(context, "clone3", ActErrno(ENOSYS), []))
                .FirstOrDefault(error => error is not null);
            if (refused is not null)
            {
                return refused;
            }

            using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            var written = ExportBpf(context, (int)file.SafeFileHandle.DangerousGetHandle());
            return written == 0 ? null : $"libseccomp could not write the filter (error {written}).";
        }
        finally
        {
            Release(context);
        }
    }

    private static uint ActErrno(int errno) => 0x00050000u | ((uint)errno & 0xffff);

    private static string? Refuse(IntPtr context, string name, uint action, ArgumentCompare[] arguments)
    {
        var number = ResolveName(name);
        if (number < 0)
        {
            return null; // not a system call on this architecture
        }

        var added = AddRule(context, action, number, (uint)arguments.Length, arguments);
        return added == 0 ? null : $"libseccomp refused the rule for {name} (error {added}).";
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ArgumentCompare
    {
        public uint Argument;
        public int Operator;
        public ulong DatumA;
        public ulong DatumB;
    }

    [LibraryImport(Library, EntryPoint = "seccomp_init")]
    private static partial IntPtr Init(uint defaultAction);

    [LibraryImport(Library, EntryPoint = "seccomp_rule_add_array")]
    private static partial int AddRule(IntPtr context, uint action, int syscall, uint argumentCount, [In] ArgumentCompare[] arguments);

    [LibraryImport(Library, EntryPoint = "seccomp_syscall_resolve_name", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ResolveName(string name);

    [LibraryImport(Library, EntryPoint = "seccomp_export_bpf")]
    private static partial int ExportBpf(IntPtr context, int fd);

    [LibraryImport(Library, EntryPoint = "seccomp_release")]
    private static partial void Release(IntPtr context);
}
