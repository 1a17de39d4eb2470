package emend.actors.node;

import emend.config.RunSettings;
import emend.control.ControlSettings;
import emend.dispatch.PolicyReplica;
import emend.engine.DeviceSlots;
import emend.engine.ModelThread;
import emend.run.LearnerJob;
import emend.run.RolloutDriver;
import emend.run.TrainingSession;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Trains a run through the actors: starts this JVM's node (with the learner role, and whatever other roles the
 * options name), waits until the learner's schedule is done, then leaves the cluster. With
 * {@link NodeOptions#singleJvm} this is the embedded default: a one-node cluster carrying every role.
 */
public final class ClusterDriver implements RolloutDriver {

    private static final Duration TERMINATION_TIMEOUT = Duration.ofSeconds(30);

    private final NodeOptions options;
    private final DeviceSlots device;
    private final PolicyReplica.GeneratorFactory generators;
    private final ControlSettings control;

    /** @param control where the learner node serves the control API ({@code emend ctl}) */
    public ClusterDriver(NodeOptions options, DeviceSlots device, ControlSettings control) {
        this(options, device, PolicyReplica.POLICY, control);
    }

    /**
     * @param generators how this node's workers generate (benchmarks of the runtime pass a stand-in)
     * @param control the control API's settings, or null for none
     */
    public ClusterDriver(NodeOptions options, DeviceSlots device, PolicyReplica.GeneratorFactory generators, ControlSettings control) {
        this.options = options;
        this.device = device;
        this.generators = generators;
        this.control = control;
    }

    @Override
    public void requireSupported(RunSettings settings) {
        if (settings.rl().offlineFirstAttempts() > 0) {
            throw new IllegalArgumentException("emend.rl.offline-first-attempts = " + settings.rl().offlineFirstAttempts()
                    + " runs with --driver sync only: rollout workers do not hold the base model yet. Add --driver sync, or set it to 0");
        }
    }

    @Override
    public TrainingSession.Outcome train(LearnerJob job) {
        CompletableFuture<TrainingSession.Outcome> done = new CompletableFuture<>();
        job.trainer().begin();
        ActorSystem<Void> system = ActorSystem.create(
                EmendNode.create(new EmendNode.Plan(options, job.task(), job.runtime(), device, job, done, generators, control)),
                NodeConfig.SYSTEM_NAME, NodeConfig.of(options, job.runtime().tls()));
        // a node that stops before the learner ends the run (its setup failed, or it was downed) must not leave us waiting
        system.getWhenTerminated().thenRun(() -> done.completeExceptionally(new IllegalStateException(
                "this node stopped before the run ended; the log above says why (resume the run with --resume RUN_DIR)")));
        // The caller may be the model thread (MainJob), which the learner and the workers need: wait serving it.
        try {
            return ModelThread.await(done);
        } finally {
            system.terminate();
            awaitTermination(system);
        }
    }

    /**
     * Waits for the actor system to stop, but not for ever. Seen once here: a learner node on tls-tcp, stopped by
     * {@code ctl stop} (around it: its rollout node, a rollout node left from an earlier run at the same learner
     * address, and refused foreign and plain nodes), waited in Pekko's termination for over a minute, until its
     * rollout node was killed; two later runs stopped in 3 s. The run is saved by then, so its end must not hang.
     */
    private static void awaitTermination(ActorSystem<Void> system) {
        try {
            ModelThread.await(system.getWhenTerminated().toCompletableFuture().orTimeout(TERMINATION_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof TimeoutException)) {
                throw e;
            }
            system.log().warn("the actor system did not stop within {} s of the end of the run (a peer still holding its connection); "
                    + "the run's results and checkpoints are saved, so the job goes on without it", TERMINATION_TIMEOUT.toSeconds());
        }
    }
}
