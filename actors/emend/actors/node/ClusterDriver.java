package emend.actors.node;

import emend.actors.rollout.RolloutWorker;
import emend.run.LearnerJob;
import emend.run.RolloutDriver;
import emend.run.TrainingSession;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Trains a run through the actors: starts this JVM's node (with the learner role, and whatever other roles the
 * options name), waits until the learner's schedule is done, then leaves the cluster. With
 * {@link NodeOptions#singleJvm} this is the embedded default: a one-node cluster carrying every role.
 */
public final class ClusterDriver implements RolloutDriver {

    private final NodeOptions options;
    private final String device;
    private final RolloutWorker.GeneratorFactory generators;

    public ClusterDriver(NodeOptions options, String device) {
        this(options, device, RolloutWorker.POLICY);
    }

    /** @param generators how this node's workers generate (benchmarks of the runtime pass a stand-in) */
    public ClusterDriver(NodeOptions options, String device, RolloutWorker.GeneratorFactory generators) {
        this.options = options;
        this.device = device;
        this.generators = generators;
    }

    @Override
    public TrainingSession.Outcome train(LearnerJob job) {
        CompletableFuture<TrainingSession.Outcome> done = new CompletableFuture<>();
        job.trainer().begin();
        ActorSystem<Void> system = ActorSystem.create(
                EmendNode.create(new EmendNode.Plan(options, job.task(), job.runtime(), device, job, done, generators)),
                NodeConfig.SYSTEM_NAME, NodeConfig.of(options));
        try {
            return done.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().join();
        }
    }
}
