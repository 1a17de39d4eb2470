"""Trusted half of the code verifier: runs a problem's tests against a candidate that lives in another process.

Usage: python3 -I -S judge.py (emend runs it from memory, with wire.py as the module `wire`: see HarnessFiles.java),
with one JSON request on stdin from emend.verify.PythonSandbox:
{"nonce", "source", "entry_point", "tests", "runner": [argv], "cwd" (optional), "env", "output_limit"}. It writes one JSON
line to stdout: {"nonce", "verdict", "reason", "asserts", "output"}; asserts counts the asserts that held.

Why two processes: the tests must call the candidate's function, and anything that shares a process with the
candidate can be patched by it (assert, builtins, sys.exit, the comparison of its results, the harness's own
output). So the candidate runs in the sandboxed runner and the tests run here, where the candidate's function
is a proxy: arguments go over a pipe, and what comes back is rebuilt from plain JSON (wire.py). The candidate
never sees the tests, the nonce, or this process's stdout.
"""

import ast
import builtins
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wire  # noqa: E402  (the harness folder is not on the path under -I)

TAIL = 2000
TEXT_LIMIT = 500
PR_SET_DUMPABLE = 4


class Failed(BaseException):
    """Ends the run with a verdict; a BaseException so that a test's own `except Exception` cannot swallow it."""

    def __init__(self, verdict, reason):
        super().__init__(reason)
        self.verdict = verdict
        self.reason = reason


class CandidateError(Exception):
    """The candidate's function raised an exception that is not a built-in one; carries its description."""


def hide_from_same_user():
    # A non-dumpable process cannot be ptraced, nor its /proc/<pid>/mem or fd/ opened, by another process of the
    # same uid without CAP_SYS_PTRACE: where isolation is weak and the candidate shares our uid, the nonce and
    # our stdout stay out of its reach.
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE) failed")


class Judge:

    def __init__(self, request):
        self.request = request
        self.limit = request["output_limit"]
        self.process = None
        self.drain = None
        self.output = bytearray()
        self.output_bytes = 0
        self.flooded = False
        self.asserts = [0]

    def run(self):
        try:
            tests = self.parse_tests()
            self.start()
            self.load()
            self.run_tests(tests)
            result = {"verdict": "PASSED", "reason": "every assert held (%d ran)" % self.asserts[0]}
        except Failed as failed:
            result = {"verdict": failed.verdict, "reason": printable(failed.reason[:TEXT_LIMIT])}
        finally:
            self.stop()
        result.update(asserts=self.asserts[0], output=printable(self.output.decode("utf-8", "replace")[-TAIL:]))
        return result

    # --- the candidate process ---

    def start(self):
        # A new session, so the whole group can be killed at the end even without a pid namespace.
        try:
            self.process = subprocess.Popen(self.request["runner"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, cwd=self.request.get("cwd"), env=self.request["env"],
                                            close_fds=True, start_new_session=True)
        except OSError as error:
            raise Failed("ERROR", "the sandbox did not start: %s" % describe(error))
        self.drain = threading.Thread(target=self.drain_output, daemon=True)
        self.drain.start()
        self.send({"source": self.request["source"], "entry_point": self.request["entry_point"]})

    def drain_output(self):
        """Keeps the tail of what the candidate prints; past the output limit, kills it."""
        stream = self.process.stderr
        while True:
            chunk = stream.read1(65536)
            if not chunk:
                return
            self.output_bytes += len(chunk)
            self.output += chunk
            del self.output[:-TAIL]
            if self.output_bytes > self.limit and not self.flooded:
                self.flooded = True
                self.kill()

    def kill(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self):
        if self.process is None:
            return
        self.kill()
        self.process.wait()
        self.drain.join(1.0)
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass

    def send(self, message):
        try:
            self.process.stdin.write((json.dumps(message) + "\n").encode("utf-8"))
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self.gone()

    def receive(self):
        line = self.process.stdout.readline(self.limit + 1)
        if len(line) > self.limit:
            raise Failed("OUTPUT_LIMIT", "a reply of the candidate exceeded %d bytes" % self.limit)
        if not line.endswith(b"\n"):
            raise self.gone()
        try:
            message = json.loads(line)
        except Exception:
            raise Failed("ERROR", "the candidate wrote a malformed reply (it wrote over the harness's channel)")
        if type(message) is not dict:
            raise Failed("ERROR", "the candidate wrote a malformed reply (it wrote over the harness's channel)")
        return message

    def gone(self):
        """The Failed that says why the candidate stopped answering."""
        code = self.process.wait()
        self.drain.join(1.0)
        if self.flooded:
            return Failed("OUTPUT_LIMIT", "the candidate printed more than %d bytes" % self.limit)
        # bwrap reports a child killed by signal N as 128 + N; subprocess as -N
        number = -code if code < 0 else code - 128 if code > 128 else 0
        if number == signal.SIGXCPU:
            return Failed("TIMEOUT", "the candidate used up its CPU time (SIGXCPU)")
        if number:
            name = signal.Signals(number).name if number in signal.valid_signals() else str(number)
            return Failed("KILLED", "the candidate process was killed by %s%s" % (name, HINTS.get(name, "")))
        return Failed("ERROR", "the candidate process exited with status %d before answering" % code)

    # --- the tests ---

    def parse_tests(self):
        """The tests, with a count after every assert: a pass needs asserts that ran, not merely no failure."""
        try:
            tree = ast.parse(self.request["tests"], "tests.py")
        except SyntaxError as error:
            raise Failed("ERROR", "the problem's tests do not compile (fix the problem set): %s" % error)
        return compile(ast.fix_missing_locations(CountAsserts().visit(tree)), "tests.py", "exec")

    def load(self):
        message = self.receive()
        if "load_error" in message:
            raise Failed("ERROR", "the program does not load: %s" % text(message["load_error"]))
        if message.get("ready") is not True:
            raise Failed("ERROR", "the candidate wrote a malformed reply (it wrote over the harness's channel)")

    def call(self, *args, **kwargs):
        """What the tests call in place of the candidate's function."""
        self.send({"args": [wire.encode(a) for a in args], "kwargs": {k: wire.encode(v) for k, v in kwargs.items()}})
        message = self.receive()
        if "value" in message:
            try:
                return wire.decode(message["value"])
            except Exception:
                raise Failed("ERROR", "the candidate sent a malformed value")
        if "raised" in message:
            raise candidate_exception(text(message["raised"]))
        if "unsendable" in message:
            raise Failed("ERROR", "the candidate returned a value the tests cannot compare: %s" % text(message["unsendable"]))
        raise Failed("ERROR", "the candidate wrote a malformed reply (it wrote over the harness's channel)")

    def run_tests(self, tests):
        namespace = {"__name__": "tests", "__builtins__": builtins, COUNTER: self.asserts,
                     self.request["entry_point"]: self.call, "candidate": self.call}
        self.execute(tests, namespace)
        if self.asserts[0] == 0 and callable(namespace.get("check")):
            # HumanEval's form: the tests define check(candidate) and leave the call to the harness
            self.execute(compile("check(candidate)", "<harness>", "exec"), namespace)
        if self.asserts[0] == 0:
            raise Failed("ERROR", "no assert of the problem's tests ran (fix the problem set: it needs asserts or check(candidate))")

    def execute(self, code, namespace):
        try:
            exec(code, namespace)
        except AssertionError as error:
            raise Failed("ASSERTION", "failed %s" % self.where(error))
        except Exception as error:
            raise Failed("ERROR", "%s raised %s" % (self.where(error), describe(error)))

    def where(self, error):
        """The innermost line of the tests that the error passed through."""
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "tests.py"]
        lines = self.request["tests"].splitlines()
        if not frames or not 0 < frames[-1].lineno <= len(lines):
            return "check(candidate)"
        return "test line %d: %s" % (frames[-1].lineno, lines[frames[-1].lineno - 1].strip())


COUNTER = "__emend_asserts__"


class CountAsserts(ast.NodeTransformer):
    """Follows every assert with COUNTER[0] += 1."""

    def visit_Assert(self, node):
        count = ast.AugAssign(target=ast.Subscript(value=ast.Name(id=COUNTER, ctx=ast.Load()), slice=ast.Constant(0), ctx=ast.Store()),
                              op=ast.Add(), value=ast.Constant(1))
        return [node, ast.copy_location(count, node)]


HINTS = {
    "SIGKILL": " (CPU hard limit, or the process killed itself)",
    "SIGSEGV": " (a crash: deep recursion or a fault in C code)",
    "SIGXFSZ": " (it wrote a file over the size limit)",
    "SIGABRT": " (an abort, often memory exhaustion in C code)",
}


def printable(value):
    """value without control characters (a candidate's text reaches people's terminals), newlines and tabs kept."""
    return "".join(c if c in "\n\t" or (c >= " " and c != "\x7f" and not 0x80 <= ord(c) < 0xa0) else "\ufffd" for c in value)


def text(value):
    return str(value)[:TEXT_LIMIT]


def describe(error):
    return ("%s: %s" % (type(error).__name__, error))[:TEXT_LIMIT]


# Exceptions that steer control flow in the tests' own code rather than report an error: a StopIteration raised
# inside map() ends the iteration quietly, so `assert all(map(...))` would pass with no comparison made.
CONTROL_FLOW = {"StopIteration", "StopAsyncIteration", "GeneratorExit", "KeyboardInterrupt", "SystemExit"}


def candidate_exception(description):
    """The built-in exception the candidate raised, so tests that expect e.g. ValueError see one; one that would
    steer the tests' control flow (CONTROL_FLOW) or pose as a failed assert ends the run as ERROR instead."""
    name, _, message = description.partition(": ")
    if name in CONTROL_FLOW:
        return Failed("ERROR", "the candidate raised %s, which would end the tests' iteration early" % text(description))
    kind = getattr(builtins, name, None)
    if isinstance(kind, type) and issubclass(kind, Exception) and kind is not AssertionError:
        return kind(message)
    return CandidateError(description)


def main():
    hide_from_same_user()
    request = json.loads(sys.stdin.read())
    result = Judge(request).run()
    result["nonce"] = request["nonce"]
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


main()
