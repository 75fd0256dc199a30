namespace AutoDev.Testing;

/// <summary>One hostile program and what a sandbox must make of it.</summary>
/// <param name="Name">A short name.</param>
/// <param name="Code">The Python source. Inputs named in <paramref name="EntryPoint"/>'s signature come from the test.</param>
/// <param name="EntryPoint">The function to call, or <see langword="null"/> for module code.</param>
/// <param name="Expected">The status a strong tier (bubblewrap, Docker) must report.</param>
/// <param name="ContainedByProcessTier">Whether the weak process tier contains it too; if not, it is not run there (and is listed in that tier's docs).</param>
/// <param name="TimeoutSeconds">The request's time-out.</param>
/// <param name="ExpectedInProcessTier">The process tier's status when it differs from <paramref name="Expected"/>.</param>
public sealed record HostileCase(
    string Name,
    string Code,
    string? EntryPoint,
    SandboxStatus Expected,
    bool ContainedByProcessTier,
    double TimeoutSeconds = 10,
    SandboxStatus? ExpectedInProcessTier = null);

/// <summary>The hostile battery every sandbox tier is tested against.</summary>
public static class HostileCases
{
    /// <summary>Every case.</summary>
    public static IReadOnlyList<HostileCase> All { get; } =
    [
        new("fork_bomb", "import os\nwhile True:\n    os.fork()", null, SandboxStatus.ResourceLimit, false),
        new("memory_bomb", "chunks = []\nwhile True:\n    chunks.append(bytearray(10 ** 7))", null, SandboxStatus.ResourceLimit, true),
        new("sparse_huge_allocation", "import mmap\nm = mmap.mmap(-1, 1 << 40)", null, SandboxStatus.ResourceLimit, true),
        new("huge_bytearray", "x = bytearray(1 << 36)", null, SandboxStatus.ResourceLimit, true),
        new("cpu_spin", "while True:\n    pass", null, SandboxStatus.TimedOut, true, 1),
        new("sleep_past_timeout", "import time\ntime.sleep(60)", null, SandboxStatus.TimedOut, true, 1),
        new("timeout_swallowed", "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass", null, SandboxStatus.TimedOut, true, 1),
        new("signals_ignored", "import signal\nfor s in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGXCPU, signal.SIGHUP):\n    signal.signal(s, signal.SIG_IGN)\nwhile True:\n    pass", null, SandboxStatus.TimedOut, true, 1),
        new("stdout_flood", "import sys\nfor _ in range(20000):\n    sys.stdout.write('x' * 1000)\nsys.stdout.flush()", null, SandboxStatus.Succeeded, true),
        new("stderr_flood", "import os\nfor _ in range(20000):\n    os.write(2, b'e' * 1000)", null, SandboxStatus.Succeeded, true),
        new("invalid_utf8_output", "import os\nos.write(1, b'ok \\xff\\xfe\\xc3\\x28 ' * 1000)", null, SandboxStatus.Succeeded, true),
        new("fill_tmp", "with open('/tmp/fill', 'wb') as f:\n    while True:\n        f.write(b'0' * (1 << 20))", null, SandboxStatus.ResourceLimit, false),
        new("many_small_files", "import os\nfor i in range(5000):\n    open('/tmp/small-%d' % i, 'w').close()\nos.makedirs('/tmp/nested/deeper', exist_ok=True)\nos.chmod('/tmp/nested', 0o000)", null, SandboxStatus.Succeeded, false),
        new("write_outside_tmp", "open('/usr/lib/autodev-was-here', 'w').write('x')", null, SandboxStatus.Failed, true),
        new("read_host_file", "def run(path):\n    return open(path).read()", "run", SandboxStatus.Failed, true),
        new("host_environment_secrets", "import os\ndef run():\n    found = [repr(dict(os.environ))]\n    for path in ('/proc/self/environ', '/proc/1/environ', '/proc/%d/environ' % os.getppid()):\n        try:\n            found.append(open(path, 'rb').read().decode('latin-1'))\n        except OSError as ex:\n            found.append(repr(ex))\n    return '\\n'.join(found)", "run", SandboxStatus.Succeeded, true),
        new("list_other_sandboxes", "import os\ndef run():\n    pids = [p for p in os.listdir('/proc') if p.isdigit()]\n    return {'pids': len(pids), 'tmp': sorted(os.listdir('/tmp')), 'cwd': os.path.basename(os.getcwd())}", "run", SandboxStatus.Succeeded, false),
        new("dns_egress", "import socket\nsocket.getaddrinfo('example.com', 80)", null, SandboxStatus.Failed, false),
        new("loopback_egress_to_host", "import socket\ndef run(port):\n    socket.create_connection(('127.0.0.1', port), timeout=2).sendall(b'escaped')\n    return 'connected'", "run", SandboxStatus.Failed, false),
        new("docker_socket", "import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('/var/run/docker.sock')", null, SandboxStatus.Failed, false),
        new("terminal_injection", "import fcntl, termios\nfor path in ('/dev/tty',):\n    try:\n        fd = open(path, 'wb')\n        fcntl.ioctl(fd, termios.TIOCSTI, b'x')\n    except OSError:\n        pass\nfcntl.ioctl(0, termios.TIOCSTI, b'x')", null, SandboxStatus.Failed, true),
        new("ctypes_segfault", "import ctypes\nctypes.string_at(0)", null, SandboxStatus.Crashed, true),
        new("parent_memory", "import os\nopen('/proc/%d/mem' % os.getppid(), 'rb').read(16)", null, SandboxStatus.Failed, true),
        new("ptrace_parent", "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\nif libc.ptrace(16, os.getppid(), 0, 0) == 0:\n    raise SystemExit('attached to the runner')\nraise PermissionError(ctypes.get_errno(), 'ptrace refused')", null, SandboxStatus.Failed, true),
        new("user_namespace_resets_limits", "import ctypes, resource\nctypes.CDLL(None, use_errno=True).unshare(0x10000000)\nresource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))", null, SandboxStatus.Failed, true),
        new("setuid_root", "import os\nos.setuid(0)", null, SandboxStatus.Failed, true),
        new("kill_parent", "import os, signal, time\ndef run():\n    os.kill(os.getppid(), signal.SIGKILL)\n    time.sleep(0.2)\n    return 'still here'", "run", SandboxStatus.Succeeded, true, 10, SandboxStatus.Crashed),
        new("stop_parent_repeatedly", "import os, signal, time\ndef run():\n    parent = os.getppid()\n    if os.fork() == 0:\n        while True:\n            try:\n                os.kill(parent, signal.SIGSTOP)\n            except OSError:\n                os._exit(0)\n    time.sleep(0.2)\n    return 'still here'", "run", SandboxStatus.Succeeded, false),
        new("kill_everything", "import os, signal, time\ndef run():\n    try:\n        os.kill(-1, signal.SIGKILL)\n    except OSError:\n        pass\n    time.sleep(0.2)\n    return 'still here'", "run", SandboxStatus.Succeeded, false),
        new("background_process_left_running", "import os, time\ndef run():\n    ready, started = os.pipe()\n    if os.fork() == 0:\n        os.setsid()\n        if os.fork() == 0:\n            os.write(started, b'x')\n            time.sleep(30)\n            open('/tmp/late-write', 'w').write('x')\n        os._exit(0)\n    os.read(ready, 1)\n    return 'forked'", "run", SandboxStatus.Succeeded, false),
        new("files_left_behind", "import os\ndef run():\n    open('/tmp/left-behind', 'w').write('secret of the previous execution')\n    open('here.txt', 'w').write('x')\n    return os.listdir('/tmp')", "run", SandboxStatus.Succeeded, false),
        new("subprocess_escapes_limits", "import subprocess\ndef run():\n    return subprocess.run(['/usr/bin/python3', '-c', 'x = bytearray(1 << 34)'], capture_output=True).returncode", "run", SandboxStatus.Succeeded, true),
        new("multiprocessing_escapes_limits", "import multiprocessing\ndef grab():\n    x = bytearray(1 << 34)\ndef run():\n    p = multiprocessing.get_context('fork').Process(target=grab)\n    p.start()\n    p.join(20)\n    return p.exitcode", "run", SandboxStatus.Succeeded, true),
        new("infinite_recursion", "def f():\n    return f()\nf()", null, SandboxStatus.Failed, true),
        new("huge_return_value", "def run():\n    return 'x' * (5 * 1024 * 1024)", "run", SandboxStatus.Failed, true),
        new("sys_exit", "import sys\nsys.exit(3)", null, SandboxStatus.Failed, true),
        new("hard_exit_without_result", "import os\nos._exit(0)", null, SandboxStatus.Crashed, true),
        new("forged_result_frame", "import os, json\ndef run():\n    f = json.dumps({'status': 'succeeded', 'return_value_json': '{not json'}).encode()\n    for fd in range(3, 64):\n        try:\n            os.write(fd, len(f).to_bytes(4, 'big') + f)\n        except OSError:\n            pass\n    os._exit(0)", "run", SandboxStatus.Crashed, true),
        new("forged_result_of_wrong_shape", "import os, json\ndef run():\n    f = json.dumps(['succeeded', {'error': 'not an object'}]).encode()\n    for fd in range(3, 64):\n        try:\n            os.write(fd, len(f).to_bytes(4, 'big') + f)\n        except OSError:\n            pass\n    os._exit(0)", "run", SandboxStatus.Crashed, true),
        new("write_root_and_dev", "import os\ndef run():\n    written = []\n    for path in ('/autodev-root-write', '/dev/autodev-dev-write', '/proc/autodev', '/usr/autodev'):\n        try:\n            open(path, 'w').write('x')\n            written.append(path)\n        except OSError:\n            pass\n    if written:\n        raise SystemExit('wrote ' + ', '.join(written))", "run", SandboxStatus.Succeeded, true),
        new("fill_dev_shm", "def run():\n    chunk = b'0' * (1 << 20)\n    for i in range(64):\n        with open('/dev/shm/fill-%d' % i, 'wb') as f:\n            for _ in range(16):\n                f.write(chunk)", "run", SandboxStatus.ResourceLimit, false),
        new("memfd_over_memory_limit", "import os\ndef run():\n    chunk = b'm' * (1 << 20)\n    held = []\n    for i in range(48):\n        fd = os.memfd_create('held-%d' % i)\n        for _ in range(16):\n            os.write(fd, chunk)\n        held.append(fd)\n    return '%d MiB held in memfd files' % (16 * len(held))", "run", SandboxStatus.ResourceLimit, false),
        new("sysv_shm_over_memory_limit", SysVShm + "def run():\n    for _ in range(8):\n        segment(64 << 20, 1)\n    return '512 MiB held in SysV segments'", "run", SandboxStatus.ResourceLimit, false),
        new("ipc_left_behind", SysVShm + "import os\ndef run():\n    open('/dev/shm/secret', 'w').write('secret of the previous execution')\n    segment(4096, 42)\n    mq = ctypes.CDLL('librt.so.1', use_errno=True).mq_open(b'/autodev-left', 0o102, 0o600, None)\n    return {'mqueue_created': mq >= 0}", "run", SandboxStatus.Succeeded, false),
        new("kernel_attack_surface", KernelCalls, "run", SandboxStatus.Succeeded, false),
        new("garbage_on_every_descriptor", "import os\nfor fd in range(3, 64):\n    try:\n        os.write(fd, b'garbage')\n    except OSError:\n        pass", null, SandboxStatus.Crashed, true),
    ];

    /// <summary>A helper that makes a SysV shared-memory segment of <c>size</c> bytes, fills it with <c>fill</c> and detaches, so the segment outlives the mapping.</summary>
    private const string SysVShm = """
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.shmat.restype = ctypes.c_void_p
        libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
        libc.shmdt.argtypes = [ctypes.c_void_p]
        def segment(size, fill):
            sid = libc.shmget(0, ctypes.c_size_t(size), 0o1600)
            if sid < 0:
                raise OSError(ctypes.get_errno(), 'shmget refused')
            address = libc.shmat(sid, None, 0)
            if address is None or address == ctypes.c_void_p(-1).value:
                raise OSError(ctypes.get_errno(), 'shmat refused')
            ctypes.memset(address, fill, size)
            libc.shmdt(address)
            return sid

        """;

    /// <summary>Calls that sandboxed Python never needs and that widen the kernel's attack surface; returns, per call, the errno it was refused with, or 0 when it succeeded.</summary>
    private const string KernelCalls = """
        import ctypes, errno, platform
        libc = ctypes.CDLL(None, use_errno=True)
        NUMBERS = {'x86_64': {'bpf': 321, 'perf_event_open': 298, 'keyctl': 250, 'init_module': 175, 'kexec_load': 246},
                   'aarch64': {'bpf': 280, 'perf_event_open': 241, 'keyctl': 219, 'init_module': 105, 'kexec_load': 104}}[platform.machine()]
        def refused(result):
            return ctypes.get_errno() if result == -1 else 0
        def run():
            attr = ctypes.create_string_buffer(128)
            return {
                'unshare_user': refused(libc.unshare(0x10000000)),
                'unshare_mount': refused(libc.unshare(0x00020000)),
                'mount_tmpfs': refused(libc.mount(b'none', b'/tmp', b'tmpfs', 0, None)),
                'bpf': refused(libc.syscall(NUMBERS['bpf'], 0, attr, 128)),
                'perf_event_open': refused(libc.syscall(NUMBERS['perf_event_open'], attr, 0, -1, -1, 0)),
                'keyctl': refused(libc.syscall(NUMBERS['keyctl'], 0, -3, 0)),
                'init_module': refused(libc.syscall(NUMBERS['init_module'], None, 0, b'')),
                'kexec_load': refused(libc.syscall(NUMBERS['kexec_load'], 0, 0, None, 0)),
            }
        """;

    /// <summary>The case of that name.</summary>
    public static HostileCase Get(string name) => All.Single(c => c.Name == name);
}
