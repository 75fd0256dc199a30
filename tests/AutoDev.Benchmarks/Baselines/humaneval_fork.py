# Baseline (a) for the HumanEval benchmark: a lean fork-per-problem harness with NO isolation.
# One forked child per problem runs the solution and its tests; the result comes back over a pipe. Two problems run
# at a time (the machine has two cores). Prints "<passed> <total>".
# With --warm-start MODULE,... it does the start-up work AutoDev's warm fork servers do before forking: it imports those
# modules and calls compile() once (a reference that shows how much of a sandbox's speed comes from that start-up work
# rather than from the sandbox).
import gzip
import json
import os
import sys


def run(program):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        ok = b"0"
        try:
            exec(compile(program, "<problem>", "exec"), {"__name__": "__problem__"})
            ok = b"1"
        except BaseException:
            pass
        os.write(write, ok)
        os._exit(0)
    os.close(write)
    return pid, read


def main():
    if "--warm-start" in sys.argv:
        for name in sys.argv[sys.argv.index("--warm-start") + 1].split(","):
            __import__(name)
        compile("", "<warm>", "exec")
    with gzip.open(sys.argv[1], "rt") as f:
        problems = [json.loads(line) for line in f if line.strip()]
    programs = [p["prompt"] + p["canonical_solution"] + "\n\n" + p["test"] + "\n\ncheck(" + p["entry_point"] + ")\n" for p in problems]
    passed = 0
    running = []
    for program in programs:
        running.append(run(program))
        if len(running) == 2:
            pid, read = running.pop(0)
            passed += os.read(read, 1) == b"1"
            os.close(read)
            os.waitpid(pid, 0)
    for pid, read in running:
        passed += os.read(read, 1) == b"1"
        os.close(read)
        os.waitpid(pid, 0)
    print(passed, len(programs))


main()
