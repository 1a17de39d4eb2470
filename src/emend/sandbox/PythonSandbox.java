package emend.sandbox;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs untrusted Python code against a problem's unit tests and says whether every test passed.
 *
 * <p><b>Layout.</b> Each call starts two fresh python3 processes. The <i>judge</i> (judge.py, trusted) reads the
 * request from stdin, runs the tests, and answers on its stdout. The <i>runner</i> (runner.py) is started by the
 * judge inside the sandbox, loads the candidate's program and calls its function when the tests ask; arguments
 * and results cross a pipe as plain data (wire.py). The candidate's prints go to a capped pipe the judge drains.
 *
 * <p><b>Threat model.</b> The candidate is arbitrary code written to pass. It can run anything Python allows in
 * its own process: patch {@code assert}, builtins or the runner, call {@code sys.exit(0)} or
 * {@code os._exit(0)}, print a fake success, return an object whose {@code __eq__} always says yes, fork, sleep,
 * allocate, signal its parent. None of that reaches the verdict because:
 * <ul>
 *   <li>the tests run in the judge, never in the candidate's process, and compare values the judge rebuilt from
 *       JSON (exact built-in types only);</li>
 *   <li>a pass is reported only by the judge, on a channel the candidate has no handle on, and must carry a
 *       128-bit nonce that is written to the judge's stdin and never to the candidate; the exit status of any
 *       process never counts as a pass, and a missing, malformed or foreign report scores 0;</li>
 *   <li>the judge is non-dumpable, so even a candidate sharing its uid cannot read its memory or open its
 *       file descriptors through /proc;</li>
 *   <li>anything the candidate does that ends the run early (exit, crash, kill, a flood of output, a broken
 *       reply) is a failure, and so is not finishing within the wall-clock limit.</li>
 * </ul>
 *
 * <p><b>Containment</b> (under bwrap, the default where it works): new user, pid, network, IPC and UTS namespaces,
 * no capabilities, nested user namespaces refused; a file system made of /usr (and the usual /bin, /lib links)
 * read-only, the harness read-only, its own /proc and /dev and a size-capped tmpfs as working folder; limits on
 * CPU seconds, address space per process, processes per namespace, file size and open files; everything killed
 * when the judge stops it or the wall clock runs out. See {@link Isolation} for what unshare and none give up.
 *
 * <p><b>Not covered.</b> Kernel exploits (no seccomp filter; the kernel's whole system-call surface is reachable);
 * total memory is bounded only as processes × address space (no cgroup); CPU time is bounded per process, so
 * several processes can use several cores until the wall clock runs out; timing side channels; a candidate that
 * hard-codes the answers to tests it can guess (it never sees them). The tests themselves are trusted: they come
 * from the problem set, run in the judge outside the sandbox (as an unprivileged uid when emend is root).
 */
public final class PythonSandbox {

    private static final SecureRandom NONCES = new SecureRandom();
    private static final Gson GSON = new Gson();
    /** Bounds what is read back from the judge (its report carries at most a 2,000-character output tail). */
    private static final int REPORT_BYTES = 64 * 1024;
    private static final Set<String> VERDICTS = Arrays.stream(Verdict.values()).map(Verdict::name).collect(Collectors.toSet());

    private final SandboxSettings settings;
    private final String python;
    private final Isolation isolation;

    /**
     * Probes the isolation once per JVM (see {@link IsolationProbe}); warnings about weak isolation go to
     * {@code warnings}.
     *
     * @throws IllegalArgumentException when python3 cannot be found or started, or the requested isolation does not work
     */
    public PythonSandbox(SandboxSettings settings, PrintStream warnings) {
        this.settings = settings;
        this.python = RunnerCommand.interpreter(settings);
        this.isolation = IsolationProbe.resolve(settings, warnings);
    }

    public Isolation isolation() {
        return isolation;
    }

    public SandboxSettings settings() {
        return settings;
    }

    /**
     * Runs {@code tests} (Python asserts, or a {@code check(candidate)} function) against the function
     * {@code entryPoint} that {@code program} defines. Thread-safe; each call is independent.
     */
    public SandboxResult run(String program, String entryPoint, String tests) {
        long start = System.nanoTime();
        Path harness = HarnessFiles.folder();
        Path scratch = isolation == Isolation.BWRAP ? null : Scratch.create(settings.uid());
        String nonce = nonce();
        Process judge = null;
        try {
            RunnerCommand runner = RunnerCommand.of(isolation, settings, python, harness, scratch, RunnerCommand.runnerArgs(settings.limits()));
            JsonObject request = new JsonObject();
            request.addProperty("nonce", nonce);
            request.addProperty("source", program);
            request.addProperty("entry_point", entryPoint);
            request.addProperty("tests", tests);
            request.add("runner", GSON.toJsonTree(runner.argv()));
            if (runner.workDir() != null) {
                request.addProperty("cwd", runner.workDir().toString());
            }
            request.add("env", GSON.toJsonTree(runner.env()));
            request.addProperty("output_limit", settings.limits().outputBytes());

            ProcessBuilder builder = new ProcessBuilder(HostUser.unprivileged(
                    HarnessFiles.judgeCommand(python), settings.uid()));
            builder.environment().clear();
            builder.environment().put("PATH", "/usr/bin:/bin");
            builder.environment().put("LANG", "C.UTF-8");
            builder.directory(harness.toFile());
            judge = builder.start();
            try (OutputStream in = judge.getOutputStream()) {
                in.write(GSON.toJson(request).getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the judge died before reading its request: its missing report says so below
            }
            long timeoutNanos = settings.limits().wallTimeout().toNanos();
            long left = timeoutNanos - (System.nanoTime() - start);
            if (!judge.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                return new SandboxResult(Verdict.TIMEOUT, "no verdict within " + settings.limits().wallTimeout().toMillis()
                        + " ms (the wall-clock limit); everything was killed", 0, since(start), "");
            }
            return report(judge, nonce, since(start));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the code sandbox's judge (" + settings.python() + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new SandboxResult(Verdict.ERROR, "interrupted", 0, since(start), "");
        } finally {
            if (judge != null) {
                judge.descendants().forEach(ProcessHandle::destroyForcibly);
                judge.destroyForcibly();
            }
            if (scratch != null) {
                Scratch.delete(scratch);
            }
        }
    }

    /** The judge's report, accepted only when it is well formed and carries this run's nonce. */
    private static SandboxResult report(Process judge, String nonce, Duration latency) throws IOException {
        String lastLine = read(judge.getInputStream()).strip().lines().reduce((a, b) -> b).orElse("");
        JsonObject r = null;
        try {
            JsonElement parsed = JsonParser.parseString(lastLine);
            r = parsed.isJsonObject() ? parsed.getAsJsonObject() : null;
        } catch (JsonParseException e) {
            // not a report: handled below
        }
        if (r != null && nonce.equals(string(r, "nonce")) && VERDICTS.contains(string(r, "verdict"))) {
            return new SandboxResult(Verdict.valueOf(string(r, "verdict")), string(r, "reason"), integer(r, "asserts"), latency,
                    string(r, "output"));
        }
        String err = read(judge.getErrorStream()).strip();
        String detail = err.isEmpty() ? "" : ": " + err.lines().reduce((a, b) -> b).orElse("");
        int status = judge.exitValue();
        // Java reports a child killed by signal N as exit status 128 + N
        Verdict verdict = status > 128 ? Verdict.KILLED : Verdict.ERROR;
        return new SandboxResult(verdict, "the judge ended without a valid report (exit status " + status + ")" + detail, 0, latency, "");
    }

    private static int integer(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? e.getAsInt() : 0;
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : "";
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readNBytes(REPORT_BYTES), StandardCharsets.UTF_8);
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static String nonce() {
        byte[] bytes = new byte[16];
        NONCES.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
