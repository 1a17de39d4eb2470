package emend.testing;

import emend.proto.NodeStatus;
import emend.proto.RunStatus;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Real `emend node` JVMs on 127.0.0.1 for the process tests, on a tiny run (two warm-up steps, four dev and test
 * problems, 1,000 Stage I steps of 4 prompts x 2 samples, a checkpoint every 5 steps); each writes DIR/NAME.log.
 * Closing kills whatever is still running.
 */
public final class NodeProcesses implements AutoCloseable {

    public static final String TOKEN = "process-test-token";

    /** Every node started and not yet closed: killed with the test JVM when it exits early (a killed or timed-out fork). */
    private static final Set<Process> STARTED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(Process::destroyForcibly)));
    }

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();

    public NodeProcesses(Path dir) {
        this.dir = dir;
    }

    /** Starts a node with {@code roles} on {@code port}, joining {@code seeds} (none: it founds the cluster). */
    public Process start(String name, String roles, int port, List<String> seeds, List<String> extra) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                "-cp", System.getProperty("java.class.path"), "emend.cli.Main", "node", "--roles", roles, "--port", Integer.toString(port),
                "--workers", "1"));
        if (!seeds.isEmpty()) {
            command.addAll(List.of("--seeds", String.join(",", seeds)));
        }
        command.addAll(extra);
        for (String setting : List.of("emend.warmup.steps=2", "emend.warmup.batch-size=4", "emend.warmup.cache-dir=\"" + dir.resolve("cache") + "\"",
                "emend.task.linear.test-size=4", "emend.task.linear.dev-size=4", "emend.rl.schedule=[\"stage1:1000\"]",
                "emend.rl.prompts-per-step=4", "emend.rl.samples-per-prompt=2", "emend.rl.dev-eval-every=1000", "emend.rl.checkpoint-every=5",
                "emend.eval.sampled-per-problem=0", "emend.runtime.prompts-per-request=2", "emend.runtime.lease-timeout=30s",
                "emend.control.port=0", "emend.control.token=\"" + TOKEN + "\"", "emend.runtime.management-port=0")) {
            command.addAll(List.of("--set", setting));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        builder.environment().put("DJL_OFFLINE", "true");
        builder.environment().putAll(NativeMemoryEnv.read());
        Process process = builder.start();
        processes.add(process);
        STARTED.add(process);
        return process;
    }

    /** Sends {@code signal} (e.g. STOP, CONT) to {@code process}. */
    public static void signal(Process process, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The node listening on {@code port} in {@code status}, or null. */
    public static NodeStatus node(RunStatus status, int port) {
        return status.getNodesList().stream().filter(n -> n.getAddress().endsWith(":" + port)).findFirst().orElse(null);
    }

    public static long upNodes(RunStatus status) {
        return status.getNodesList().stream().filter(n -> n.getState().equals("UP")).count();
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        for (Process p : processes) {
            p.waitFor(30, TimeUnit.SECONDS);
            STARTED.remove(p);
        }
    }
}
