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
        new("background_process_left_running", "import os, time\ndef run():\n    if os.fork() == 0:\n        os.setsid()\n        if os.fork() == 0:\n            time.sleep(3)\n            open('/tmp/late-write', 'w').write('x')\n        os._exit(0)\n    time.sleep(0.1)\n    return 'forked'", "run", SandboxStatus.Succeeded, false),
        new("files_left_behind", "import os\ndef run():\n    open('/tmp/left-behind', 'w').write('secret of the previous execution')\n    open('here.txt', 'w').write('x')\n    return os.listdir('/tmp')", "run", SandboxStatus.Succeeded, false),
        new("subprocess_escapes_limits", "import subprocess\ndef run():\n    return subprocess.run(['/usr/bin/python3', '-c', 'x = bytearray(1 << 34)'], capture_output=True).returncode", "run", SandboxStatus.Succeeded, true),
        new("multiprocessing_escapes_limits", "import multiprocessing\ndef grab():\n    x = bytearray(1 << 34)\ndef run():\n    p = multiprocessing.get_context('fork').Process(target=grab)\n    p.start()\n    p.join(20)\n    return p.exitcode", "run", SandboxStatus.Succeeded, true),
        new("infinite_recursion", "def f():\n    return f()\nf()", null, SandboxStatus.Failed, true),
        new("huge_return_value", "def run():\n    return 'x' * (5 * 1024 * 1024)", "run", SandboxStatus.Failed, true),
        new("sys_exit", "import sys\nsys.exit(3)", null, SandboxStatus.Failed, true),
        new("hard_exit_without_result", "import os\nos._exit(0)", null, SandboxStatus.Crashed, true),
        new("garbage_on_every_descriptor", "import os\nfor fd in range(3, 64):\n    try:\n        os.write(fd, b'garbage')\n    except OSError:\n        pass", null, SandboxStatus.Crashed, true),
    ];

    /// <summary>The case of that name.</summary>
    public static HostileCase Get(string name) => All.Single(c => c.Name == name);
}
