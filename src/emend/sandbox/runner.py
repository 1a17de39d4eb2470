"""Untrusted half of the code verifier: runs inside the sandbox, loads the candidate and answers calls.

Usage: python3 -I runner.py LIMITS_JSON. The judge sends one JSON line {"source", "entry_point"}, then one line
per call {"args", "kwargs"}; this process answers each with one JSON line. Once the candidate's code has run,
everything in this process is the candidate's to change, so nothing here is trusted after that point: the judge
checks every reply, and a reply can only claim what the function returned.
"""

import builtins
import json
import os
import resource
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wire  # noqa: E402  (the harness folder is not on the path under -I)

TEXT_LIMIT = 500


def apply_limits(limits):
    """Lowers this process's limits before any candidate code runs; children inherit them."""
    def lower(kind, soft, hard):
        _, current_hard = resource.getrlimit(kind)
        if current_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, current_hard), min(hard, current_hard)
        resource.setrlimit(kind, (soft, hard))

    lower(resource.RLIMIT_AS, limits["address_space"], limits["address_space"])
    # SIGXCPU at the soft limit, SIGKILL one second later for a candidate that ignores it
    lower(resource.RLIMIT_CPU, limits["cpu_seconds"], limits["cpu_seconds"] + 1)
    # counted per user namespace under bwrap or unshare, so only this candidate's processes count
    lower(resource.RLIMIT_NPROC, limits["max_processes"], limits["max_processes"])
    lower(resource.RLIMIT_FSIZE, limits["file_size"], limits["file_size"])
    lower(resource.RLIMIT_NOFILE, 64, 64)
    lower(resource.RLIMIT_CORE, 0, 0)


def describe(error):
    try:
        text = "%s: %s" % (type(error).__name__, error)
    except BaseException:  # a candidate exception whose __str__ fails still has a type
        text = type(error).__name__
    return text[:TEXT_LIMIT]


def main():
    apply_limits(json.loads(sys.argv[1]))
    # Replies go to a private copy of stdout; the candidate's own prints go to stderr, which the judge drains and
    # caps, so a print can never be taken for a reply's framing.
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)

    def reply(message):
        # the candidate's prints first: the judge stops the process as soon as it has its last reply
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        channel.write(json.dumps(message) + "\n")
        channel.flush()

    first = json.loads(sys.stdin.readline())
    entry_point = first["entry_point"]
    namespace = {"__name__": "candidate", "__builtins__": builtins}
    try:
        exec(compile(first["source"], "candidate.py", "exec"), namespace)
    except BaseException as error:  # SystemExit included: exiting at import is a failure to load
        reply({"load_error": describe(error)})
        return
    function = namespace.get(entry_point)
    if not callable(function):
        reply({"load_error": "the program defines no function %s" % entry_point})
        return
    reply({"ready": True})
    for line in sys.stdin:
        call = json.loads(line)
        try:
            args = [wire.decode(a) for a in call["args"]]
            kwargs = {name: wire.decode(v) for name, v in call["kwargs"].items()}
            value = function(*args, **kwargs)
        except BaseException as error:
            reply({"raised": describe(error)})
            continue
        try:
            reply({"value": wire.encode(value)})
        except (TypeError, ValueError, RecursionError) as error:
            reply({"unsendable": describe(error)})


main()
