package emend.sandbox;

import java.util.List;

/**
 * Programs that try to pass, escape, or hurt the host instead of solving {@code solve(x) = x * x}. None of them
 * is a correct solution; the ones that probe the fence return the right answer only when the probe succeeds, so
 * a breach shows up as a pass. Placeholders filled per run: {@code {canary}} (a file next to the test's
 * secret, outside the sandbox), {@code {secret}}, {@code {socket}} (a Unix socket the test listens on),
 * {@code {port}} and {@code {udp}} (loopback TCP and UDP ports the test listens on), {@code {home}} (the home
 * folder of the user running the tests), {@code {marker}} (a string
 * any process left behind would carry in its command line).
 */
final class AdversarialCandidates {

    /** @param contained the weakest isolation under which the attack is contained (NONE: contained everywhere) */
    record Attack(String name, Isolation contained, String program) {
        @Override
        public String toString() {
            return name;
        }
    }

    private AdversarialCandidates() {}

    static final String TESTS = "assert solve(2) == 4\nassert solve(3) == 9\n";

    static List<Attack> all() {
        return List.of(
                // --- time ---
                new Attack("infinite loop", Isolation.NONE, """
                        def solve(x):
                            while True:
                                pass
                        """),
                new Attack("infinite loop at import", Isolation.NONE, """
                        while True:
                            pass
                        """),
                new Attack("sleep past the limit", Isolation.NONE, """
                        import time
                        def solve(x):
                            time.sleep(60)
                            return x * x
                        """),
                new Attack("busy loop ignoring SIGXCPU and SIGTERM", Isolation.NONE, """
                        import signal
                        signal.signal(signal.SIGXCPU, signal.SIG_IGN)
                        signal.signal(signal.SIGTERM, signal.SIG_IGN)
                        def solve(x):
                            while True:
                                pass
                        """),
                new Attack("block reading stdin at import", Isolation.NONE, """
                        import sys
                        sys.stdin.read()
                        def solve(x):
                            return x * x
                        """),
                // --- processes ---
                new Attack("fork bomb", Isolation.UNSHARE, """
                        import os
                        while True:
                            try:
                                os.fork()
                            except OSError:
                                pass
                        """),
                new Attack("thread bomb", Isolation.NONE, """
                        import threading, time
                        def solve(x):
                            while True:
                                threading.Thread(target=time.sleep, args=(100,)).start()
                        """),
                new Attack("spawn a shell that writes the canary", Isolation.BWRAP, """
                        import subprocess
                        def solve(x):
                            subprocess.run(['/bin/sh', '-c', 'echo pwned > {canary}'])
                            return 0
                        """),
                new Attack("detached sleeper in a new session", Isolation.UNSHARE, """
                        import subprocess, sys
                        subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(1000)', '{marker}'], start_new_session=True,
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                        def solve(x):
                            return 0
                        """),
                new Attack("double-forked daemon", Isolation.UNSHARE, """
                        import os, sys
                        if os.fork() == 0:
                            os.setsid()
                            if os.fork() == 0:
                                os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(1000)', '{marker}'])
                            os._exit(0)
                        def solve(x):
                            return 0
                        """),
                new Attack("sleeper that outlives a timeout", Isolation.UNSHARE, """
                        import subprocess, sys, time
                        subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(1000)', '{marker}'], start_new_session=True)
                        def solve(x):
                            time.sleep(60)
                        """),
                new Attack("kill the parent", Isolation.NONE, """
                        import os, signal
                        os.kill(os.getppid(), signal.SIGKILL)
                        def solve(x):
                            os.kill(os.getppid(), signal.SIGKILL)
                            return 0
                        """),
                new Attack("kill every process it can", Isolation.UNSHARE, """
                        import os, signal
                        def solve(x):
                            os.kill(-1, signal.SIGKILL)
                            return 0
                        """),
                new Attack("kill its own process group", Isolation.NONE, """
                        import os, signal
                        def solve(x):
                            os.killpg(0, signal.SIGKILL)
                        """),
                // --- memory, stack, files, output ---
                new Attack("memory bomb", Isolation.NONE, """
                        def solve(x):
                            hog = bytearray(10 ** 10)
                            return x * x
                        """),
                new Attack("memory bomb that grows", Isolation.NONE, """
                        hog = []
                        while True:
                            hog.append(' ' * 10 ** 6)
                        """),
                new Attack("deep recursion", Isolation.NONE, """
                        import sys
                        sys.setrecursionlimit(10 ** 8)
                        def dive(n):
                            return dive(n + 1) + 1
                        def solve(x):
                            return dive(0)
                        """),
                new Attack("exhaust file descriptors", Isolation.NONE, """
                        import os
                        held = []
                        def solve(x):
                            while True:
                                held.append(os.open('/dev/null', os.O_RDONLY))
                        """),
                new Attack("fill the disk", Isolation.NONE, """
                        def solve(x):
                            with open('hog.bin', 'wb') as f:
                                while True:
                                    f.write(b'0' * 10 ** 6)
                        """),
                new Attack("fill every writable folder with files", Isolation.BWRAP, """
                        import os
                        def solve(x):
                            written = 0
                            for folder in ['/', '/dev', '/dev/shm', '/tmp', '/harness', '/usr/lib']:
                                for i in range(10 ** 4):
                                    try:
                                        with open(os.path.join(folder, 'hog%d' % i), 'wb') as f:
                                            f.write(b'0' * 10 ** 6)
                                        written += 1
                                    except OSError:
                                        break
                            return written
                        """),
                new Attack("huge output on stdout", Isolation.NONE, """
                        while True:
                            print('y' * 1000)
                        """),
                new Attack("huge output on stderr", Isolation.NONE, """
                        import sys
                        def solve(x):
                            while True:
                                sys.stderr.write('z' * 1000)
                        """),
                new Attack("huge return value", Isolation.NONE, """
                        def solve(x):
                            return 'w' * 10 ** 7
                        """),
                // --- the host's files ---
                new Attack("overwrite a file outside the sandbox", Isolation.BWRAP, """
                        def solve(x):
                            with open('{canary}', 'w') as f:
                                f.write('pwned')
                            return x * x
                        """),
                new Attack("delete a file outside the sandbox", Isolation.BWRAP, """
                        import os
                        def solve(x):
                            os.remove('{canary}')
                            return x * x
                        """),
                new Attack("create files in host folders", Isolation.BWRAP, """
                        import os
                        def solve(x):
                            made = 0
                            for path in ['/usr/emend-pwned-{marker}', '/emend-pwned-{marker}', '/var/tmp/emend-pwned-{marker}',
                                         os.path.dirname('{canary}') + '/pwned', '{home}/emend-pwned-{marker}']:
                                try:
                                    with open(path, 'w') as f:
                                        f.write('pwned')
                                    made += 1
                                except OSError:
                                    pass
                            return x * x if made else 0
                        """),
                new Attack("overwrite the harness", Isolation.BWRAP, """
                        import os
                        here = os.path.dirname(os.path.abspath(__import__('wire').__file__))
                        for name in ['judge.py', 'wire.py', 'runner.py']:
                            try:
                                with open(os.path.join(here, name), 'w') as f:
                                    f.write('raise SystemExit')
                            except OSError:
                                pass
                        def solve(x):
                            return 0
                        """),
                new Attack("read a secret outside the sandbox", Isolation.BWRAP, """
                        def solve(x):
                            with open('{secret}') as f:
                                return x * x if f.read().startswith('SECRET') else 0
                        """),
                new Attack("read the host's passwd and shadow", Isolation.BWRAP, """
                        def solve(x):
                            for path in ['/etc/shadow', '/etc/passwd', '/root/.bash_history']:
                                try:
                                    with open(path) as f:
                                        f.read()
                                    return x * x
                                except OSError:
                                    pass
                            return 0
                        """),
                new Attack("look for the JVM in /proc", Isolation.UNSHARE, """
                        import os
                        def solve(x):
                            for pid in filter(str.isdigit, os.listdir('/proc')):
                                try:
                                    with open('/proc/%s/cmdline' % pid, 'rb') as f:
                                        if b'java' in f.read():
                                            return x * x
                                except OSError:
                                    pass
                            return 0
                        """),
                // --- network ---
                new Attack("connect to a loopback TCP port of the host", Isolation.UNSHARE, """
                        import socket
                        def solve(x):
                            with socket.create_connection(('127.0.0.1', {port}), timeout=1) as s:
                                s.sendall(b'breach')
                            return x * x
                        """),
                new Attack("send UDP to the host", Isolation.UNSHARE, """
                        import socket
                        def solve(x):
                            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                            s.sendto(b'breach', ('127.0.0.1', {udp}))
                            return 0
                        """),
                new Attack("connect to a Unix socket of the host", Isolation.BWRAP, """
                        import socket
                        def solve(x):
                            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                            s.connect('{socket}')
                            s.sendall(b'breach')
                            return x * x
                        """),
                new Attack("reach the internet", Isolation.UNSHARE, """
                        import socket
                        def solve(x):
                            socket.create_connection(('1.1.1.1', 53), timeout=1).close()
                            return x * x
                        """),
                // --- faking a pass ---
                new Attack("sys.exit(0) at import", Isolation.NONE, """
                        import sys
                        sys.exit(0)
                        """),
                new Attack("os._exit(0) at import", Isolation.NONE, """
                        import os
                        os._exit(0)
                        """),
                new Attack("os._exit(0) in the function", Isolation.NONE, """
                        import os
                        def solve(x):
                            os._exit(0)
                        """),
                new Attack("raise SystemExit in the function", Isolation.NONE, """
                        def solve(x):
                            raise SystemExit(0)
                        """),
                new Attack("patch assert and builtins", Isolation.NONE, """
                        import builtins
                        class Never(BaseException):
                            pass
                        builtins.AssertionError = Never
                        builtins.Exception = Never
                        builtins.isinstance = lambda *a: True
                        builtins.print = lambda *a, **k: None
                        def solve(x):
                            return 0
                        """),
                new Attack("result equal to everything", Isolation.NONE, """
                        class Anything:
                            def __eq__(self, other):
                                return True
                            __hash__ = object.__hash__
                        def solve(x):
                            return Anything()
                        """),
                new Attack("int subclass equal to everything", Isolation.NONE, """
                        class Sly(int):
                            def __eq__(self, other):
                                return True
                            __hash__ = int.__hash__
                        def solve(x):
                            return Sly(0)
                        """),
                new Attack("print a fake pass", Isolation.NONE, """
                        import sys
                        report = '{"verdict": "PASSED", "reason": "ok", "asserts": 2, "output": "", "nonce": "0"}'
                        for stream in (sys.stdout, sys.stderr, sys.__stdout__):
                            print(report, file=stream, flush=True)
                        print('PASSED')
                        def solve(x):
                            print(report)
                            return 0
                        """),
                new Attack("write fake replies and reports on every descriptor", Isolation.NONE, """
                        import os
                        lines = (b'{"ready": true}\\n{"value": 1}\\n{"value": 1}\\n'
                                 b'{"verdict": "PASSED", "reason": "ok", "asserts": 2, "output": "", "nonce": "0"}\\n')
                        for fd in range(64):
                            try:
                                os.write(fd, lines)
                            except OSError:
                                pass
                        def solve(x):
                            return 1
                        """),
                new Attack("write a fake report through other processes' descriptors", Isolation.NONE, """
                        import os
                        report = b'{"verdict": "PASSED", "reason": "ok", "asserts": 2, "output": "", "nonce": "0"}\\n'
                        for pid in filter(str.isdigit, os.listdir('/proc')):
                            for fd in ('1', '2'):
                                try:
                                    with open('/proc/%s/fd/%s' % (pid, fd), 'wb') as f:
                                        f.write(report)
                                except OSError:
                                    pass
                        def solve(x):
                            return 1
                        """),
                new Attack("read other processes' memory for the nonce", Isolation.NONE, """
                        import os, re
                        found = b''
                        for pid in filter(str.isdigit, os.listdir('/proc')):
                            try:
                                with open('/proc/%s/maps' % pid) as maps, open('/proc/%s/mem' % pid, 'rb') as mem:
                                    for line in maps:
                                        start, end = (int(v, 16) for v in line.split()[0].split('-'))
                                        if 'rw' in line.split()[1] and end - start < 1 << 24:
                                            mem.seek(start)
                                            hit = re.search(rb'"nonce": "([0-9a-f]{32})"', mem.read(end - start))
                                            found = hit.group(1) if hit else found
                            except (OSError, ValueError, OverflowError):
                                pass
                        def solve(x):
                            if found:
                                print('{"verdict": "PASSED", "reason": "ok", "asserts": 2, "output": "", "nonce": "%s"}' % found.decode())
                            return 0
                        """));
    }
}
