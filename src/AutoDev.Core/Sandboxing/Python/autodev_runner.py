# AutoDev's Python runner: the same execution semantics for every sandbox tier.
#
# Started as `python3 -I -S -c <this source> [--serve] [--connect PATH] [--preload MODULE,...]`. It reads one JSON
# request per line on stdin and writes one JSON result per line on stdout, or, with --connect, on a Unix socket it
# connects to at PATH (the host listens there; the Docker tier uses it to skip the engine's attach proxy). Without
# --serve it handles one request and exits. --preload imports modules once, so that executions find them loaded.
#
# Each request runs in a child forked ahead of time (so fork and set-up are off the request's clock): own session and
# process group, no controlling terminal, stdin from /dev/null,
# a fresh private directory under the temp root, a cleared environment, rlimits (address space, CPU, file size,
# processes, open files, no core dumps), no new privileges, and death with the parent. The parent (the trusted part)
# captures stdout and stderr through pipes with a cap, enforces the wall-clock timeout by killing the child's process
# group, answers as soon as the length-prefixed result is whole, and then, before reading the next request, kills
# whatever the child left running, deletes its directory and prepares the next child. When the parent is PID 1 of
# a PID namespace (the bubblewrap and Docker tiers), children cannot signal it, and kill(-1) removes every process an
# execution left behind, even ones that escaped the process group.
#
# Request: {"id", "code", "entry_point", "inputs", "timeout_s", "memory_bytes", "max_output_bytes",
#           "max_file_bytes", "max_processes", "tmp_root"}
# Result:  {"id", "status", "return_value_json", "stdout", "stderr", "stdout_truncated", "stderr_truncated",
#           "error": {"type", "message", "traceback", "line"}, "duration_ms"}
# Statuses: succeeded, failed, syntax_error, timed_out, resource_limit, crashed.

import ctypes
import errno
import gc
import json
import os
import resource
import select
import signal
import _signal  # noqa: I001 - the C half of signal, already loaded by it
import sys
import time

# shutil, tempfile and traceback are imported where needed, not here: every module the fork server holds makes each
# fork dearer, and tempfile's random module would reseed itself from os.urandom in every child.

MAX_RESULT_BYTES = 4 * 1024 * 1024
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22

try:
    _libc = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover - every Linux Python has a libc
    _libc = None


def _prctl(option, value):
    if _libc is not None:
        _libc.prctl(option, value, 0, 0, 0)


def _error(kind, message, tb=None, line=None):
    return {"type": kind, "message": message, "traceback": tb, "line": line}


def _set_limits(request):
    memory = int(request.get("memory_bytes") or 256 * 1024 * 1024)
    timeout = float(request.get("timeout_s") or 60)
    cpu = max(1, int(timeout) + 1)
    limits = [
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_FSIZE, int(request.get("max_file_bytes") or 16 * 1024 * 1024)),
        (resource.RLIMIT_NOFILE, 64),
        (resource.RLIMIT_CORE, 0),
    ]
    processes = int(request.get("max_processes") or 0)
    if processes > 0 and os.getuid() != 0:
        limits.append((resource.RLIMIT_NPROC, processes))
    for kind, value in limits:
        soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value))


def _refuse_message_queues():
    """No execution may make a POSIX message queue: nothing could list or remove one afterwards. Set once in the fork
    server (a hard limit of 0 bytes, inherited by every child). gVisor refuses to change that limit and ignores it,
    so there a seccomp filter refuses mq_open instead."""
    try:
        resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))
    except ValueError:
        _deny_mq_open()


def _deny_mq_open():
    import ctypes  # noqa: PLC0415 - only this path needs it

    arch, number = {"x86_64": (0xC000003E, 240), "aarch64": (0xC00000B7, 180)}.get(os.uname().machine, (None, None))
    if arch is None or _libc is None:
        return
    # Classic BPF: load the architecture; if not ours, allow. Load the call number; mq_open (or its x32 form) gets
    # EPERM; everything else is allowed.
    program = [(0x20, 0, 0, 4), (0x15, 0, 4, arch), (0x20, 0, 0, 0), (0x15, 1, 0, number), (0x15, 0, 1, number | 0x40000000),
               (0x06, 0, 0, 0x00050000 | errno.EPERM), (0x06, 0, 0, 0x7FFF0000)]
    code = b"".join(c.to_bytes(2, "little") + bytes((t, f)) + k.to_bytes(4, "little") for c, t, f, k in program)
    filters = ctypes.create_string_buffer(code)
    fprog = ctypes.create_string_buffer(len(program).to_bytes(8, "little") + ctypes.addressof(filters).to_bytes(8, "little"))
    _libc.prctl(PR_SET_SECCOMP, 2, fprog, 0, 0)  # 2: SECCOMP_MODE_FILTER; no new privileges is already set


def _skill_traceback(ex):
    """The traceback from the skill's first frame on: the runner's own frames are noise to a reader."""
    tb = ex.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != "<skill>":
        tb = tb.tb_next
    import traceback  # noqa: PLC0415 - see the imports

    lines = traceback.format_exception(type(ex), ex, tb)
    text = "".join(lines[-40:])
    return text[-8000:]


def _json_value(value):
    text = json.dumps(value, allow_nan=False)
    if len(text) > MAX_RESULT_BYTES:
        raise ValueError("the return value is %d bytes of JSON; the limit is %d" % (len(text), MAX_RESULT_BYTES))
    return text


def _run_child(request_fd, workdir, result_fd):
    """Runs in the forked child: prepares, waits for its request, runs it. Never returns: exits through os._exit."""
    result = {"status": "crashed", "error": _error("RunnerError", "the runner did not finish")}
    me = os.getpid()
    try:
        os.chdir(workdir)
        if _environment_of != workdir:
            _set_environment(workdir)
        # The fork server ignores SIGXFSZ for every child (a write past the file-size limit then raises EFBIG); Python's
        # SIGPIPE setting is undone here. _signal with plain numbers: signal.signal's enum conversions cost page faults.
        _signal.signal(int(signal.SIGPIPE), int(signal.SIG_DFL))
        sys.stdout, sys.stderr, sys.stdin = _child_streams
        # Where a memory cgroup bounds the sandbox, its OOM killer picks the execution (and what it forks), never the
        # fork server: memory held in files (tmpfs, memfd) counts for no process, so sizes alone could pick either.
        try:
            oom = os.open("/proc/self/oom_score_adj", os.O_WRONLY)
            try:
                os.write(oom, b"1000")
            finally:
                os.close(oom)
        except OSError:
            pass

        # Touch the paths every execution takes (JSON, compile, exec), so the copy-on-write page faults of a fresh
        # fork are paid here, before the request exists, rather than on its clock.
        warm = {}
        exec(compile(json.loads(json.dumps("def _warm(a=[1, 'b', {'c': 2.5}]):\n    return a")), "<warm>", "exec"), warm)
        json.dumps(warm["_warm"]())
        del warm

        # Everything above ran before the request existed; from here on the request's clock runs.
        chunks = []
        while True:
            chunk = os.read(request_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(request_fd)
        request = json.loads(b"".join(chunks))
        _set_limits(request)

        code = request.get("code") or ""
        try:
            compiled = compile(code, "<skill>", "exec")
        except (SyntaxError, ValueError) as ex:
            line = getattr(ex, "lineno", None)
            result = {"status": "syntax_error", "error": _error(type(ex).__name__, getattr(ex, "msg", None) or str(ex), None, line)}
        else:
            namespace = {"__name__": "__skill__", "__builtins__": __builtins__}
            try:
                exec(compiled, namespace)
                entry = request.get("entry_point")
                value = None
                if entry:
                    function = namespace.get(entry)
                    if not callable(function):
                        raise NameError("the code does not define a function named '%s'" % entry)
                    inputs = request.get("inputs") or {}
                    if not isinstance(inputs, dict):
                        raise TypeError("inputs must be a JSON object of keyword arguments")
                    value = function(**inputs)
                try:
                    encoded = _json_value(value)
                except (TypeError, ValueError, RecursionError) as ex:
                    result = {"status": "failed", "error": _error("ReturnValueError", "the return value cannot be sent as JSON: %s" % ex)}
                else:
                    result = {"status": "succeeded", "return_value_json": encoded}
            except MemoryError as ex:
                result = {"status": "resource_limit", "error": _error("MemoryError", str(ex) or "out of memory (address space limit)", _skill_traceback(ex))}
            except BaseException as ex:  # noqa: B902 - skills are untrusted: everything they raise is reported
                status = "failed"
                if isinstance(ex, OSError) and ex.errno in (errno.EFBIG, errno.EAGAIN, errno.ENOSPC, errno.EMFILE, errno.ENOMEM, errno.EDQUOT):
                    status = "resource_limit"
                result = {"status": status, "error": _error(type(ex).__name__, str(ex), _skill_traceback(ex))}
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:  # noqa: B902 - a broken stream must not lose the result
            pass
    except MemoryError:
        result = {"status": "resource_limit", "error": _error("MemoryError", "out of memory (address space limit)")}
    except BaseException as ex:  # noqa: B902
        result = {"status": "crashed", "error": _error(type(ex).__name__, "the runner failed: %s" % ex)}
    if os.getpid() != me:
        # A process the skill forked got here: only the execution's own process reports.
        os._exit(0)
    try:
        # Length-prefixed, so the parent knows the result is whole without waiting for the pipe to close.
        payload = json.dumps(result).encode("utf-8")
        view = memoryview(len(payload).to_bytes(4, "big") + payload)
        while view:
            view = view[os.write(result_fd, view):]
    except BaseException:  # noqa: B902
        os._exit(3)
    os._exit(0)


# The workdir the process's environment (HOME, TMPDIR, tempfile) points at. A fork server whose temp root is private
# (PID 1 of its sandbox) gives every child the same fresh path, so it sets this up once and children skip it.
_environment_of = None


def _set_environment(workdir):
    global _environment_of
    os.environ.clear()
    os.environ.update({"PATH": "/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir, "LANG": "C.UTF-8"})
    if "tempfile" in sys.modules:
        sys.modules["tempfile"].tempdir = workdir  # otherwise tempfile reads TMPDIR when first imported
    _environment_of = workdir


def _kill_leftovers(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass
    if os.getpid() == 1:
        # As init of the sandbox's PID namespace: kill every other process, then reap them. Every one of them is
        # killable (same user, no way to gain another) and, as orphans come to init, ours to reap: wait until none is left.
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        while True:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break


def _clean_dir(path):
    try:
        os.rmdir(path)  # most executions leave their directory empty
        return
    except FileNotFoundError:
        return
    except OSError:
        pass
    # Make every directory writable again first: an execution may have locked one with chmod 000.
    try:
        os.chmod(path, 0o700)
    except OSError:
        pass
    for root, dirs, _ in os.walk(path):
        for name in dirs:
            try:
                os.chmod(os.path.join(root, name), 0o700)
            except OSError:
                pass
    import shutil  # noqa: PLC0415 - see the imports

    shutil.rmtree(path, ignore_errors=True)


# Made once by the fork server and inherited by every child, so no child pays for them: the text streams over the
# child's fds 1, 2 and 0 (never used by the fork server itself), and /dev/null for the child's stdin.
_child_streams = None
_devnull = None


def _inherited():
    global _child_streams, _devnull
    if _child_streams is None:
        _child_streams = (
            open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False),
            open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False),
            open(0, "r", closefd=False),
        )
        _devnull = os.open(os.devnull, os.O_RDONLY)
    return _devnull


class _Prepared:
    """A forked child, ready in its own session and directory, waiting for its request."""

    def __init__(self, tmp_root):
        self.tmp_root = tmp_root
        if os.getpid() == 1:
            # The temp root is private and emptied after every execution: each child gets the same path, fresh.
            self.workdir = os.path.join(tmp_root, "exec")
            try:
                os.mkdir(self.workdir, 0o700)
            except FileExistsError:  # a clean-up that failed earlier: try it again rather than reuse the directory
                _clean_dir(self.workdir)
                os.mkdir(self.workdir, 0o700)
            if _environment_of != self.workdir:
                _set_environment(self.workdir)
        else:
            import tempfile  # noqa: PLC0415 - see the imports

            self.workdir = tempfile.mkdtemp(prefix="exec-", dir=tmp_root)
        req_r, self.req_w = os.pipe()
        self.out_r, out_w = os.pipe()
        self.err_r, err_w = os.pipe()
        self.res_r, res_w = os.pipe()
        null = _inherited()
        sys.stdout.flush()
        gc.freeze()  # the child's collector then leaves the parent's objects (and their pages) alone
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.setsid()
                _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
                _prctl(PR_SET_DUMPABLE, 1)
                os.dup2(null, 0)
                os.dup2(out_w, 1)
                os.dup2(err_w, 2)
                # Keep only the request and result pipes; the parent's other descriptors are none of the child's business.
                low, high = sorted((req_r, res_w))
                os.closerange(3, low)
                os.closerange(low + 1, high)
                os.closerange(high + 1, 4096)
                _run_child(req_r, self.workdir, res_w)
            finally:
                os._exit(4)
        for fd in (req_r, out_w, err_w, res_w):
            os.close(fd)
        try:
            self.pidfd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):
            self.pidfd = None

    def stop(self):
        """Kills the child and everything it left, and returns the child's wait status (0 if already reaped)."""
        try:
            os.kill(self.pid, signal.SIGKILL)  # the child may not have started its own process group yet
        except OSError:
            pass
        _kill_leftovers(self.pid)
        try:
            return os.waitpid(self.pid, 0)[1]
        except ChildProcessError:
            return 0

    def discard(self):
        self.stop()
        self.close()

    def close(self):
        for fd in (self.req_w, self.out_r, self.err_r, self.res_r, self.pidfd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        _clean_dir(self.workdir)
        if os.getpid() == 1:
            # The temp root, /dev/shm and the IPC namespace are private to this sandbox: nothing written anywhere in
            # them survives the execution (nor stays counted against the sandbox's memory).
            _empty_dir(self.tmp_root)
            _empty_dir("/dev/shm")
            _remove_sysv_ipc()


def _empty_dir(path):
    try:
        names = os.listdir(path)
    except OSError:
        return
    for name in names:
        entry = os.path.join(path, name)
        if os.path.isdir(entry) and not os.path.islink(entry):
            _clean_dir(entry)
        else:
            try:
                os.unlink(entry)
            except OSError:
                pass


# /proc/sysvipc table -> the libc call that removes an object of it by id (IPC_RMID is 0 for all three).
_SYSV_REMOVERS = (
    ("shm", lambda ident: _libc.shmctl(ident, 0, None)),
    ("msg", lambda ident: _libc.msgctl(ident, 0, None)),
    ("sem", lambda ident: _libc.semctl(ident, 0, 0)),
)


def _remove_sysv_ipc():
    """Removes every SysV shared-memory segment, message queue and semaphore set of the sandbox's IPC namespace. Every
    one was made by an execution, under the fork server's own user id, so the fork server may remove it."""
    if _libc is None:
        return
    for table, remove in _SYSV_REMOVERS:
        try:
            with open("/proc/sysvipc/" + table, "rb") as rows:
                lines = rows.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 1:
                remove(int(fields[1]))


def _read_into(fd, buffers, dropped, max_output, res_r):
    chunk = os.read(fd, 65536)
    if not chunk:
        return False
    buffer = buffers[fd]
    if fd == res_r:
        if len(buffer) + len(chunk) <= MAX_RESULT_BYTES + 4096:
            buffer.extend(chunk)
    else:
        room = max_output - len(buffer)
        if room > 0:
            buffer.extend(chunk[:room])
        dropped[fd] += max(0, len(chunk) - max(room, 0))
    return True


_STATUSES = ("succeeded", "failed", "syntax_error", "resource_limit", "crashed")
_ERROR_FIELDS = (("type", str), ("message", str), ("traceback", str), ("line", int))


def _child_result(payload):
    """The result the child wrote, with only the fields a result has and of their types, or None if it is not JSON.
    The child ran the untrusted code, which can write to the result pipe itself: a result of the wrong shape is that
    execution's protocol violation. The host still checks that the return value is JSON."""
    try:
        result = json.loads(payload.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(result, dict) or result.get("status") not in _STATUSES:
        return _violation("a result that is not an object with a known status")
    clean = {"status": result["status"]}
    value = result.get("return_value_json")
    if value is not None:
        if not isinstance(value, str):
            return _violation("a return value that is not JSON text")
        clean["return_value_json"] = value
    error = result.get("error")
    if error is not None:
        if not isinstance(error, dict):
            return _violation("an error that is not an object")
        fields = {}
        for name, kind in _ERROR_FIELDS:
            field = error.get(name)
            if field is not None and (type(field) is not kind or kind is int and not -(1 << 31) <= field < 1 << 31):
                return _violation("an error whose %s is not a %s" % (name, kind.__name__))
            fields[name] = field
        clean["error"] = fields
    return clean


def _violation(what):
    return {"status": "crashed", "error": _error("ProtocolViolation", "protocol violation: the execution reported %s" % what)}


def _complete(buffer):
    return len(buffer) >= 4 and len(buffer) >= 4 + int.from_bytes(buffer[:4], "big")


def run(prepared, request, raw):
    """Sends the request (already parsed, and its raw line) to a prepared child and returns the result as soon as it
    is whole, or the child died, or time ran out."""
    started = time.monotonic()
    max_output = int(request.get("max_output_bytes") or 64 * 1024)
    timeout = float(request.get("timeout_s") or 60)
    view = memoryview(raw)
    try:
        while view:
            view = view[os.write(prepared.req_w, view):]
    except BrokenPipeError:
        pass
    os.close(prepared.req_w)
    prepared.req_w = None

    out_r, err_r, res_r = prepared.out_r, prepared.err_r, prepared.res_r
    buffers = {out_r: bytearray(), err_r: bytearray(), res_r: bytearray()}
    dropped = {out_r: 0, err_r: 0}
    watched = [out_r, err_r, res_r] + ([prepared.pidfd] if prepared.pidfd is not None else [])
    deadline = started + timeout
    timed_out = False
    wait_status = None
    while not _complete(buffers[res_r]):
        done, status = os.waitpid(prepared.pid, os.WNOHANG)
        if done:
            wait_status = status
            break
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        if prepared.pidfd is None and len(watched) == 0:
            time.sleep(min(0.001, remaining))
            continue
        # With a pidfd the child's exit wakes select; without one, poll for it.
        ready, _, _ = select.select(watched, [], [], remaining if prepared.pidfd is not None else min(remaining, 0.05))
        for fd in ready:
            if fd == prepared.pidfd:
                continue
            if not _read_into(fd, buffers, dropped, max_output, res_r):
                watched.remove(fd)

    if timed_out or wait_status is not None and not _complete(buffers[res_r]):
        # Kill first so that nothing more is written, then collect what the pipes hold.
        status = prepared.stop()
        wait_status = status if wait_status is None else wait_status
    # What the child wrote before its result is in the pipes already: collect it without waiting.
    for fd in (out_r, err_r, res_r):
        while select.select([fd], [], [], 0)[0] and _read_into(fd, buffers, dropped, max_output, res_r):
            pass

    result = None
    if timed_out:
        result = {"status": "timed_out", "error": _error("TimeoutError", "the execution ran past its %.3g s time-out and was killed" % timeout)}
    elif _complete(buffers[res_r]):
        size = int.from_bytes(buffers[res_r][:4], "big")
        result = _child_result(bytes(buffers[res_r][4:4 + size]))
    if result is None and not timed_out:
        if wait_status is None:
            wait_status = prepared.stop()
        if os.WIFSIGNALED(wait_status):
            sig = os.WTERMSIG(wait_status)
            if sig == signal.SIGXCPU:
                result = {"status": "timed_out", "error": _error("TimeoutError", "the execution used up its CPU time and was killed")}
            elif sig in (signal.SIGKILL, signal.SIGXFSZ):
                result = {"status": "resource_limit", "error": _error("Killed", "the execution was killed by signal %d (a memory or resource limit)" % sig)}
            else:
                result = {"status": "crashed", "error": _error("Signal", "the execution died of signal %d (%s)" % (sig, signal.Signals(sig).name))}
        else:
            code = os.WEXITSTATUS(wait_status) if os.WIFEXITED(wait_status) else -1
            result = {"status": "crashed", "error": _error("Exit", "the execution exited with code %d without a result" % code)}

    result["stdout"] = buffers[out_r].decode("utf-8", errors="replace")
    result["stderr"] = buffers[err_r].decode("utf-8", errors="replace")
    result["stdout_truncated"] = dropped[out_r] > 0
    result["stderr_truncated"] = dropped[err_r] > 0
    result["duration_ms"] = (time.monotonic() - started) * 1000.0
    return result


def _default_tmp_root():
    import tempfile  # noqa: PLC0415 - see the imports

    return tempfile.gettempdir()


def _channel(arguments):
    """Where requests come from and results go: stdin and stdout, or the socket named by --connect."""
    if "--connect" not in arguments:
        return sys.stdin.buffer, sys.stdout.buffer
    import socket  # noqa: PLC0415 - only this mode needs it

    path = arguments[arguments.index("--connect") + 1]
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(path)
    return connection.makefile("rb"), connection.makefile("wb")


def _preload(arguments):
    """Imports the modules named by --preload (comma-separated) once, before any fork, so that executions importing
    them find them loaded instead of paying for the import each time. A module this Python lacks is skipped."""
    if "--preload" not in arguments:
        return
    for name in arguments[arguments.index("--preload") + 1].split(","):
        try:
            __import__(name)
        except ImportError:
            pass


def main():
    serve = "--serve" in sys.argv[1:]
    _prctl(PR_SET_DUMPABLE, 0)  # children cannot trace the runner or read its memory
    _prctl(PR_SET_NO_NEW_PRIVS, 1)  # inherited by every child
    _refuse_message_queues()
    _preload(sys.argv[1:])
    # The builtin compile() sets up CPython's AST types the first time it is called in a process (it checks whether
    # its argument is an AST object), about 2.4 ms of work. Done here once, every forked child inherits it.
    compile("", "<warm>", "exec")
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # inherited by every child: see _run_child
    requests, out = _channel(sys.argv[1:])
    prepared = None
    try:
        for line in requests:
            line = line.strip()
            if not line:
                continue
            request_id = None
            try:
                request = json.loads(line)
                request_id = request.get("id")
                tmp_root = request.get("tmp_root") or _default_tmp_root()
                if prepared is None or prepared.tmp_root != tmp_root:
                    if prepared is not None:
                        prepared.discard()
                    prepared = _Prepared(tmp_root)
                result = run(prepared, request, line)
            except Exception as ex:  # noqa: BLE001 - a bad request must not stop the server
                result = {"status": "crashed", "error": _error(type(ex).__name__, "the runner could not run the request: %s" % ex)}
            result["id"] = request_id
            out.write(json.dumps(result).encode("utf-8") + b"\n")
            out.flush()
            # After answering, before reading the next request: kill what the execution left, remove its files,
            # and prepare the next child, so no execution sees what an earlier one left behind.
            if prepared is not None:
                tmp_root = prepared.tmp_root
                prepared.discard()
                prepared = _Prepared(tmp_root) if serve else None
            if not serve:
                break
    finally:
        if prepared is not None:
            prepared.discard()


if __name__ == "__main__":
    main()
