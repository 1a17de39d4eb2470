package emend.sandbox;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Finds which isolation works on this machine by starting python3 under it, once per JVM and interpreter.
 * {@link Isolation#AUTO} takes bwrap, else unshare, else none; anything weaker than bwrap is announced once on
 * stderr with what it gives up, since it is a security property a user must know about.
 */
final class IsolationProbe {

    private static final Map<String, Isolation> RESOLVED = new ConcurrentHashMap<>();
    private static final Set<Isolation> WARNED = ConcurrentHashMap.newKeySet();
    private static final long PROBE_SECONDS = 20;

    private IsolationProbe() {}

    /**
     * The isolation to use under {@code settings}.
     *
     * @throws IllegalArgumentException when the requested isolation (or, for auto, even the weakest) does not work
     */
    static Isolation resolve(SandboxSettings settings, PrintStream warnings) {
        return RESOLVED.computeIfAbsent(settings.python() + "|" + settings.uid() + "|" + settings.isolation(), key -> probe(settings, warnings));
    }

    private static Isolation probe(SandboxSettings settings, PrintStream warnings) {
        if (settings.isolation() != Isolation.AUTO) {
            failure(settings.isolation(), settings).ifPresent(reason -> {
                throw new IllegalArgumentException("emend.verify.isolation = " + settings.isolation().label() + " does not work here: " + reason
                        + (settings.isolation() == Isolation.NONE ? "" : "; set it to auto to take the strongest isolation that works"));
            });
            return settings.isolation();
        }
        List<String> reasons = new ArrayList<>();
        for (Isolation isolation : List.of(Isolation.BWRAP, Isolation.UNSHARE, Isolation.NONE)) {
            Optional<String> failure = failure(isolation, settings);
            if (failure.isEmpty()) {
                if (isolation != Isolation.BWRAP && WARNED.add(isolation)) {
                    warnings.println("emend: warning: the code sandbox runs candidates under '" + isolation.label() + "' (" + String.join("; ", reasons)
                            + "): " + isolation.loss(HostUser.isRoot() ? "uid " + settings.uid() : "the user running emend")
                            + ". Install bubblewrap and allow unprivileged user namespaces for full isolation.");
                }
                return isolation;
            }
            reasons.add(isolation.label() + " failed: " + failure.get());
        }
        throw new IllegalArgumentException("the code sandbox cannot start python3 (" + String.join("; ", reasons)
                + "): install python3 or set emend.verify.python to its path");
    }

    /** Why python3 does not start under {@code isolation}, or empty when it does. */
    private static Optional<String> failure(Isolation isolation, SandboxSettings settings) {
        Path scratch = Scratch.create(settings.uid());
        try {
            RunnerCommand command = RunnerCommand.of(isolation, settings, RunnerCommand.interpreter(settings), HarnessFiles.folder(), scratch,
                    List.of("-I", "-c", "pass"));
            ProcessBuilder builder = new ProcessBuilder(HostUser.unprivileged(command.argv(), settings.uid()))
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE);
            builder.environment().clear();
            builder.environment().putAll(command.env());
            if (command.workDir() != null) {
                builder.directory(command.workDir().toFile());
            }
            Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(PROBE_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.of("no answer within " + PROBE_SECONDS + " s");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (process.exitValue() == 0) {
                return Optional.empty();
            }
            String firstLine = output.isEmpty() ? "" : output.lines().findFirst().orElse("");
            return Optional.of("exit status " + process.exitValue() + (firstLine.isEmpty() ? "" : ", " + firstLine));
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while probing the code sandbox", e);
        } finally {
            Scratch.delete(scratch);
        }
    }
}
