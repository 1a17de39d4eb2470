package emend.sandbox;

import com.google.gson.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The command line, environment and working folder that start the candidate's runner under one isolation.
 *
 * <p>Resource limits are set by runner.py itself (resource.setrlimit) before any candidate code runs, inside
 * the namespaces, so that RLIMIT_NPROC counts only the processes of this candidate's user namespace.
 */
record RunnerCommand(List<String> argv, Map<String, String> env, Path workDir) {

    /** Where the harness folder appears inside a bwrap sandbox. */
    private static final String HARNESS_IN_SANDBOX = "/harness";
    private static final String SCRATCH_IN_SANDBOX = "/tmp";
    private static final List<String> SYSTEM_LINKS = List.of("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32");

    /**
     * @param python the interpreter's real path (see {@link #interpreter})
     * @param scratch the private working folder on the host (unshare, none); bwrap gives the candidate a tmpfs
     * @param pythonArgs what follows the interpreter, with {@code {harness}} standing for the harness folder
     */
    static RunnerCommand of(Isolation isolation, SandboxSettings settings, String python, Path harness, Path scratch, List<String> pythonArgs) {
        boolean sandboxed = isolation == Isolation.BWRAP;
        String harnessPath = sandboxed ? HARNESS_IN_SANDBOX : harness.toString();
        String workPath = sandboxed ? SCRATCH_IN_SANDBOX : scratch.toString();
        List<String> argv = new ArrayList<>();
        switch (isolation) {
            case BWRAP -> argv.addAll(bwrap(settings, harness, python));
            case UNSHARE -> argv.addAll(List.of(executable("unshare"), "--user", "--map-root-user", "--net", "--pid", "--fork",
                    "--kill-child", "--mount-proc", "--ipc", "--uts", "--"));
            case NONE -> { }
            case AUTO -> throw new IllegalArgumentException("resolve the isolation before building a command");
        }
        argv.add(python);
        pythonArgs.forEach(a -> argv.add(a.replace("{harness}", harnessPath)));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", workPath);
        env.put("TMPDIR", workPath);
        env.put("LANG", "C.UTF-8");
        return new RunnerCommand(List.copyOf(argv), env, sandboxed ? null : scratch);
    }

    /** The runner's arguments: the script and the limits it applies to itself. */
    static List<String> runnerArgs(SandboxLimits limits) {
        JsonObject json = new JsonObject();
        json.addProperty("address_space", limits.addressSpaceBytes());
        json.addProperty("cpu_seconds", limits.cpuSeconds());
        json.addProperty("max_processes", limits.maxProcesses());
        json.addProperty("file_size", limits.scratchBytes());
        return List.of("-I", "{harness}/runner.py", json.toString());
    }

    private static List<String> bwrap(SandboxSettings settings, Path harness, String python) {
        List<String> a = new ArrayList<>(List.of(executable("bwrap"),
                "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
                "--ro-bind", "/usr", "/usr"));
        for (String link : SYSTEM_LINKS) {
            Path path = Path.of(link);
            if (Files.isSymbolicLink(path)) {
                try {
                    a.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), link));
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read the link " + link, e);
                }
            } else if (Files.isDirectory(path)) {
                a.addAll(List.of("--ro-bind", link, link));
            }
        }
        if (!python.startsWith("/usr/")) {
            // an interpreter outside /usr (pyenv, conda): its installation prefix, read-only
            Path prefix = Path.of(python).getParent().getParent();
            a.addAll(List.of("--ro-bind", prefix.toString(), prefix.toString()));
        }
        String size = Long.toString(settings.limits().scratchBytes());
        // Every writable place is a size-capped tmpfs: bwrap's own root and /dev are tmpfs without a cap, so they
        // are made read-only once everything is mounted.
        a.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--size", size, "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
                "--size", size, "--tmpfs", SCRATCH_IN_SANDBOX, "--ro-bind", harness.toString(), HARNESS_IN_SANDBOX,
                "--remount-ro", "/", "--chdir", SCRATCH_IN_SANDBOX, "--"));
        return a;
    }

    /** The real path of the configured interpreter. */
    static String interpreter(SandboxSettings settings) {
        return resolve(settings.python())
                .orElseThrow(() -> new IllegalArgumentException("python interpreter '" + settings.python() + "' not found: install python3 or set "
                        + "emend.verify.python to its path"))
                .toString();
    }

    /** The real path of a program given by path or by name on the PATH. */
    static Optional<Path> resolve(String program) {
        List<Path> candidates = new ArrayList<>();
        if (program.contains("/")) {
            candidates.add(Path.of(program));
        } else {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
                candidates.add(Path.of(dir.isEmpty() ? "." : dir, program));
            }
        }
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                try {
                    return Optional.of(candidate.toRealPath());
                } catch (IOException e) {
                    return Optional.of(candidate.toAbsolutePath());
                }
            }
        }
        return Optional.empty();
    }

    private static String executable(String name) {
        return resolve(name).map(Path::toString).orElse(name);
    }
}
