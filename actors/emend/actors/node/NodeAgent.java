package emend.actors.node;

import emend.actors.protocol.NodeProtocol;
import emend.actors.metrics.NodeMetrics;
import emend.actors.protocol.LearnerProtocol;
import emend.actors.rollout.WorkerProtocol;
import emend.actors.metrics.Rejections;
import emend.actors.protocol.NodeProtocol.Command;
import emend.actors.protocol.NodeProtocol.Describe;
import emend.actors.protocol.NodeProtocol.Drain;
import emend.actors.protocol.NodeProtocol.NodeReply;
import emend.actors.protocol.NodeProtocol.Scale;
import emend.dispatch.NodeWorkers;
import emend.proto.NodeStatus;
import emend.wire.NodeEdge;
import emend.wire.Rejection;
import emend.wire.Replies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;

/**
 * One per node: owns the node's rollout workers and carries out the operator's scaling on it. Scaling up spawns
 * workers; scaling down and draining let workers finish what they hold before they stop (their results reach the
 * learner, nothing is re-issued); a drained node then leaves the cluster. Registered with the receptionist so the
 * control endpoint finds every node's agent. A scaling request beyond {@code emend.runtime.max-workers-per-node}
 * (or below 0) is counted and dropped ({@link NodeEdge}).
 */
public final class NodeAgent extends AbstractBehavior<Command> {

    private record WorkerStopped(String name) implements Command {}

    /** SIGTERM: drain as {@link Drain} does, and say when every worker has finished its leases. */
    private record DrainBeforeExit(ActorRef<Done> drained) implements Command {}

    /** A leaving worker that failed was restarted without knowing it was leaving: tell it again. */
    private enum RemindLeaving implements Command { INSTANCE }

    private static final Duration REMIND_EVERY = Duration.ofSeconds(5);

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final Set<String> roles;
    private final WorkerFactory workers;
    private final int maxWorkers;
    private final NodeWorkers<ActorRef<LearnerProtocol.ToWorker>> running = new NodeWorkers<>();
    private final List<ActorRef<Done>> drainedWaiters = new ArrayList<>();

    /** A rollout worker to spawn, and the device it runs on as status lines show it. */
    public record Worker(Behavior<LearnerProtocol.ToWorker> behavior, String device) {}

    /** Makes the node's rollout workers. */
    public interface WorkerFactory {
        /**
         * @param index how many workers this node spawned before this one (spreads workers over device slots)
         * @param id the worker's id: node address + "/" + actor name
         */
        Worker create(int index, String id);
    }

    /**
     * @param workers makes each rollout worker
     * @param initialWorkers workers to start with (nodes with the rollout role)
     * @param maxWorkers the most workers a scaling request may ask for (emend.runtime.max-workers-per-node)
     */
    public static Behavior<Command> create(Set<String> roles, int initialWorkers, int maxWorkers,
                                           WorkerFactory workers) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new NodeAgent(context, timers, roles, initialWorkers, maxWorkers,
                workers)));
    }

    private NodeAgent(ActorContext<Command> context, TimerScheduler<Command> timers, Set<String> roles, int initialWorkers, int maxWorkers,
                      WorkerFactory workers) {
        super(context);
        this.context = context;
        this.timers = timers;
        this.roles = roles;
        this.workers = workers;
        this.maxWorkers = maxWorkers;
        context.getSystem().receptionist().tell(Receptionist.register(NodeProtocol.KEY, context.getSelf()));
        scaleTo(initialWorkers);
        drainOnTerminate();
    }

    /**
     * On SIGTERM (a scheduler's eviction, {@code systemctl stop}) a node with workers drains before it leaves: each
     * worker finishes its leases and has its results acknowledged, so the learner re-issues nothing. Other shutdowns
     * (downing, the run's end) do not wait.
     */
    private void drainOnTerminate() {
        ActorRef<Command> self = context.getSelf();
        OnSigterm.register(context.getSystem(), "emend-drain-on-terminate",
                patience -> AskPattern.<Command, Done>ask(self, DrainBeforeExit::new, patience, context.getSystem().scheduler()));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Describe.class, this::onDescribe)
                .onMessage(Scale.class, this::onScale)
                .onMessage(Drain.class, this::onDrain)
                .onMessage(WorkerStopped.class, this::onWorkerStopped)
                .onMessage(DrainBeforeExit.class, this::onDrainBeforeExit)
                .onMessage(RemindLeaving.class, remind -> {
                    running.leaving().forEach(worker -> worker.tell(WorkerProtocol.Drain.INSTANCE));
                    return this;
                })
                .build();
    }

    private Behavior<Command> onDescribe(Describe describe) {
        Optional<Rejection> bad = Replies.missing("Describe", describe.replyTo());
        return bad.isPresent() ? drop(bad.get()) : reply(describe.replyTo());
    }

    private Behavior<Command> drop(Rejection rejection) {
        Rejections.drop(context, rejection);
        return this;
    }

    private Behavior<Command> onScale(Scale scale) {
        Optional<Rejection> bad = NodeEdge.scale(scale.payload(), scale.replyTo(), maxWorkers);
        if (bad.isPresent()) {
            drop(bad.get());
            // a caller that can be answered learns why at once instead of waiting out its timeout
            return scale.replyTo() == null ? this : reply(scale.replyTo(), bad.get().detail());
        }
        if (!running.draining()) {
            scaleTo(scale.payload().getRolloutWorkers());
        }
        return reply(scale.replyTo());
    }

    private Behavior<Command> onDrain(Drain drain) {
        Optional<Rejection> bad = Replies.missing("Drain", drain.replyTo());
        if (bad.isPresent()) {
            return drop(bad.get());
        }
        running.drain();
        context.getLog().info("draining: {} workers finish their leases, then this node leaves the cluster", running.activeCount());
        scaleTo(0);
        reply(drain.replyTo());
        return leaveIfDrained();
    }

    private Behavior<Command> onDrainBeforeExit(DrainBeforeExit exit) {
        context.getLog().info("SIGTERM: {} workers finish their leases before this node leaves",
                running.activeCount() + running.leaving().size());
        running.drain();
        drainedWaiters.add(exit.drained());
        scaleTo(0);
        return leaveIfDrained();
    }

    private Behavior<Command> onWorkerStopped(WorkerStopped stopped) {
        boolean unasked = running.stopped(stopped.name());
        if (running.leaving().isEmpty()) {
            timers.cancel(RemindLeaving.INSTANCE);
        }
        if (unasked) {
            NodeMetrics.get(context.getSystem()).nodeWorkers.set(running.activeCount());
            context.getLog().warn("worker {} stopped without being asked (repeated failures?); this node now runs {} workers",
                    stopped.name(), running.activeCount());
        }
        return leaveIfDrained();
    }

    private Behavior<Command> leaveIfDrained() {
        if (running.drained()) {
            drainedWaiters.forEach(waiter -> waiter.tell(Done.getInstance()));
            drainedWaiters.clear();
            Cluster cluster = Cluster.get(context.getSystem());
            context.getLog().info("drained; leaving the cluster");
            cluster.manager().tell(Leave.create(cluster.selfMember().address()));
        }
        return this;
    }

    /** Spawns workers or asks the newest ones to drain until {@code target} take work. */
    private void scaleTo(int target) {
        String node = Cluster.get(context.getSystem()).selfMember().address().hostPort();
        for (NodeWorkers.ToStart start : running.toStart(target)) {
            Worker made = workers.create(start.index(), node + "/" + start.name());
            ActorRef<LearnerProtocol.ToWorker> worker = context.spawn(Behaviors.supervise(made.behavior())
                    .onFailure(SupervisorStrategy.restart().withLimit(3, Duration.ofMinutes(1))), start.name());
            context.watchWith(worker, new WorkerStopped(start.name()));
            running.started(start.name(), worker, made.device());
        }
        running.toDrain(target).forEach(worker -> worker.tell(WorkerProtocol.Drain.INSTANCE));
        if (!running.leaving().isEmpty()) {
            timers.startTimerWithFixedDelay(RemindLeaving.INSTANCE, REMIND_EVERY);
        }
        NodeMetrics.get(context.getSystem()).nodeWorkers.set(running.activeCount());
    }

    private Behavior<Command> reply(ActorRef<NodeReply> replyTo) {
        return reply(replyTo, "");
    }

    /** @param refused why a command was not carried out, or empty */
    private Behavior<Command> reply(ActorRef<NodeReply> replyTo, String refused) {
        replyTo.tell(new NodeReply(NodeStatus.newBuilder()
                .setRefused(refused)
                .setAddress(Cluster.get(context.getSystem()).selfMember().address().toString())
                .addAllRoles(roles.stream().sorted().toList())
                .setRolloutWorkers(running.activeCount())
                .putAllWorkerDevices(running.activeDevices())
                .setState(running.draining() ? "DRAINING" : "UP")
                .setWireRejected(NodeMetrics.get(context.getSystem()).rejectedTotal())
                .build()));
        return this;
    }
}
