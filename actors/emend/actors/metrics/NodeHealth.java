package emend.actors.metrics;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * What a node's Pekko Management endpoint says about it beyond cluster membership: a node started to run the
 * learner is ready only while its learner serves leases (its base model is loaded by then). One per actor system.
 */
public final class NodeHealth implements Extension {

    private volatile boolean learnerExpected;
    private volatile boolean learnerServing;
    private volatile String managementUri;

    /** This node was started with the run's learner job: its readiness waits for the learner. */
    public void expectLearner() {
        learnerExpected = true;
    }

    /** The learner on this node serves leases (true) or has stopped (false). */
    public void learnerServing(boolean serving) {
        learnerServing = serving;
    }

    public boolean learnerReady() {
        return !learnerExpected || learnerServing;
    }

    /** Where Pekko Management answers ({@code http://host:port}), once it is up. */
    public Optional<String> managementUri() {
        return Optional.ofNullable(managementUri);
    }

    public void managementUri(String uri) {
        managementUri = uri;
    }

    public static NodeHealth get(ActorSystem<?> system) {
        return Id.INSTANCE.apply(system);
    }

    /** One {@link NodeHealth} per actor system. */
    public static final class Id extends ExtensionId<NodeHealth> {
        static final Id INSTANCE = new Id();

        @Override
        public NodeHealth createExtension(ActorSystem<?> system) {
            return new NodeHealth();
        }
    }

    /**
     * The readiness check Pekko Management runs on /ready beside cluster membership (registered in reference.conf
     * under pekko.management.health-checks.readiness-checks).
     */
    public static final class LearnerReadiness implements Supplier<CompletionStage<Boolean>> {
        private final NodeHealth health;

        public LearnerReadiness(org.apache.pekko.actor.ActorSystem system) {
            this.health = NodeHealth.get(Adapter.toTyped(system));
        }

        @Override
        public CompletionStage<Boolean> get() {
            return CompletableFuture.completedFuture(health.learnerReady());
        }
    }
}
