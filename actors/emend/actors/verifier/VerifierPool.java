package emend.actors.verifier;

import emend.actors.protocol.VerifierProtocol;
import emend.task.ProblemSet;
import emend.task.Task;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.PoolRouter;
import org.apache.pekko.actor.typed.javadsl.Routers;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * A node's verifiers: {@code size} actors behind a round-robin pool router, scoring on the blocking dispatcher
 * (scoring may run untrusted code in subprocesses), registered with the receptionist so rollout workers on any
 * node find them (each worker spreads its calls over the pools it has seen listed). Callers bound each call with a
 * timeout; a failed verifier is restarted; see {@link VerifierActor} for overload and stuck calls. The verifiers
 * score against the node's own problem set, which the learner's {@code RunSpec} names by its digest.
 */
public final class VerifierPool {

    public static final String BLOCKING_DISPATCHER = "emend-blocking-dispatcher";

    private VerifierPool() {}

    /** Spawns the pool under {@code parent}'s context and registers it; returns the router. */
    public static ActorRef<VerifierProtocol.Command> spawn(org.apache.pekko.actor.typed.javadsl.ActorContext<?> parent, Task task, int size,
                                                        VerifierActor.Limits limits) {
        ProblemSet problems = ProblemSet.of(task);
        PoolRouter<VerifierProtocol.Command> pool = Routers.pool(size,
                        Behaviors.supervise(VerifierActor.create(task, problems, limits)).onFailure(SupervisorStrategy.restart()))
                .withRoundRobinRouting();
        ActorRef<VerifierProtocol.Command> router = parent.spawn(pool, "verifiers");
        parent.getSystem().receptionist().tell(Receptionist.register(VerifierProtocol.KEY, router));
        return router;
    }
}
