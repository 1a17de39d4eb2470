package emend.actors.node;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Work a node does on SIGTERM (a scheduler's eviction, {@code systemctl stop}) before it leaves the cluster: a
 * coordinated-shutdown task in the first phase that runs only when the JVM is exiting, not on other shutdowns
 * (downing, the run's own end), and gets the phase's timeout less a second to finish
 * ({@code pekko.coordinated-shutdown.phases.before-service-unbind.timeout} in emend-node.conf).
 */
final class OnSigterm {

    private OnSigterm() {}

    /** @param work given how long it may take; its stage completing (normally or not) lets the shutdown go on */
    static void register(ActorSystem<?> system, String name, Function<Duration, CompletionStage<?>> work) {
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
        String phase = CoordinatedShutdown.PhaseBeforeServiceUnbind();
        Duration patience = Duration.ofMillis(shutdown.timeout(phase).toMillis()).minusSeconds(1);
        shutdown.addTask(phase, name, () -> {
            if (shutdown.getShutdownReason().filter(CoordinatedShutdown.jvmExitReason()::equals).isEmpty()) {
                return CompletableFuture.completedFuture(Done.getInstance());
            }
            return work.apply(patience).handle((ignored, failure) -> Done.getInstance());
        });
    }
}
