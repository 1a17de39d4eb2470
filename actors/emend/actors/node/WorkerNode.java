package emend.actors.node;

import emend.config.RuntimeSettings;
import emend.engine.DeviceSlots;
import emend.engine.DjlRuntime;
import emend.task.Task;
import org.apache.pekko.actor.typed.ActorSystem;

/** A node without the learner role (rollout workers, verifiers): serves the cluster until it is stopped. */
public final class WorkerNode {

    private WorkerNode() {}

    /** Starts the node and blocks until its actor system terminates (Ctrl-C leaves the cluster gracefully). */
    public static void serve(NodeOptions options, Task task, RuntimeSettings runtime, DeviceSlots device) {
        if (options.roles().contains("learner")) {
            throw new IllegalArgumentException("a learner node trains a run: start it through ClusterDriver");
        }
        DjlRuntime.limitNativeThreads(runtime.nativeThreads());
        ActorSystem<Void> system = ActorSystem.create(EmendNode.create(EmendNode.Plan.serving(options, task, runtime, device)),
                NodeConfig.SYSTEM_NAME, NodeConfig.of(options, runtime.tls()));
        system.log().info("node up at {} with roles {}", system.address(), options.roles());
        system.getWhenTerminated().toCompletableFuture().join();
    }
}
