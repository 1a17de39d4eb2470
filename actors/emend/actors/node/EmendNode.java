package emend.actors.node;

import emend.actors.metrics.NodeMetrics;
import emend.actors.metrics.NodeHealth;
import emend.actors.control.ControlEndpoint;
import emend.actors.learner.Learner;
import emend.actors.protocol.LearnerProtocol;
import emend.actors.rollout.RolloutWorker;
import emend.actors.rollout.WorkerProtocol;
import emend.actors.verifier.VerifierActor;
import emend.actors.verifier.VerifierPool;
import emend.config.NodePort;
import emend.config.RuntimeSettings;
import emend.control.ControlSettings;
import emend.dispatch.PolicyReplica;
import emend.engine.DeviceSlots;
import emend.engine.NativeExit;
import emend.proto.ControlRequest;
import emend.proto.StopRun;
import emend.run.LearnerJob;
import emend.run.TrainingSession;
import emend.task.Task;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * The guardian of one node: joins the cluster, starts what the node's roles ask for (the learner singleton, a
 * verifier pool, rollout workers) and supervises them. Every node runs a singleton proxy, so workers reach the
 * learner wherever it lives.
 */
public final class EmendNode {

    /**
     * What this node hosts.
     *
     * @param learnerJob the run to train, on a node with the learner role (null elsewhere)
     * @param done completed by the learner when its schedule is done
     */
    public record Plan(NodeOptions options, Task task, RuntimeSettings runtime, DeviceSlots device, LearnerJob learnerJob,
                       CompletableFuture<TrainingSession.Outcome> done, PolicyReplica.GeneratorFactory generators,
                       ControlSettings control) {

        public Plan {
            if (options.roles().contains("learner") && learnerJob == null) {
                throw new IllegalArgumentException("a node with the learner role needs the run to train");
            }
        }

        /** A node without the learner role: its workers sample from the policy; no control endpoint. */
        public static Plan serving(NodeOptions options, Task task, RuntimeSettings runtime, DeviceSlots device) {
            return new Plan(options, task, runtime, device, null, null, PolicyReplica.POLICY, null);
        }
    }

    private EmendNode() {}

    public static Behavior<Void> create(Plan plan) {
        return Behaviors.setup(context -> {
            Cluster cluster = Cluster.get(context.getSystem());
            if (plan.options().seeds().isEmpty()) {
                cluster.manager().tell(Join.create(cluster.selfMember().address()));
            }
            ActorRef<LearnerProtocol.Command> learner = learnerProxy(context, plan);
            if (plan.options().roles().contains("verifier")) {
                VerifierPool.spawn(context, plan.task(), plan.runtime().verifierPoolSize(),
                        new VerifierActor.Limits(plan.runtime().verifierParallelism(), plan.runtime().verifierQueueCapacity()));
            }
            int workers = plan.options().roles().contains("rollout") ? plan.options().workers() : 0;
            // the node's workers in turn over its device slots, each slot with a model thread of its own
            context.spawn(NodeAgent.create(plan.options().roles(), workers, plan.runtime().maxWorkersPerNode(), (index, id) -> {
                DeviceSlots.Slot slot = plan.device().forWorker(index);
                return new NodeAgent.Worker(RolloutWorker.create(new WorkerProtocol.Setup(id, slot, plan.runtime(), learner, plan.generators())),
                        slot.label());
            }), "node-agent");
            List<AutoCloseable> endpoints = new ArrayList<>();
            metricsEndpoint(context, plan.runtime(), plan.options().roles()).ifPresent(endpoints::add);
            if (plan.learnerJob() != null) {
                NodeHealth.get(context.getSystem()).expectLearner();
                checkpointOnTerminate(context, learner);
            }
            startManagement(context, plan.runtime(), plan.options().roles());
            if (plan.learnerJob() != null && plan.control() != null) {
                endpoints.add(ControlEndpoint.start(context.getSystem(), learner, plan.control(), plan.runtime().tls(),
                        plan.learnerJob().runDirectory(), System.out));
            }
            // On SIGTERM the node stops its model work itself (workers finish their leases, the learner writes its
            // resume state): the JVM's exit lets the model threads run until the actor system has terminated. Taken
            // last, after everything above that can fail, and released by the termination itself.
            NativeExit.Hold modelThreadsHeld = NativeExit.jvm().gracefulStop();
            context.getSystem().getWhenTerminated().whenComplete((done, failure) -> modelThreadsHeld.close());
            return Behaviors.receive(Void.class).onSignal(PostStop.class, stopped -> {
                for (AutoCloseable endpoint : endpoints) {
                    endpoint.close();
                }
                return Behaviors.same();
            }).build();
        });
    }

    /**
     * On SIGTERM (a scheduler's eviction, {@code systemctl stop}), the learner node writes the resume state after the
     * step in progress before it leaves, as {@code emend ctl stop} does, so {@code --resume} loses no step. Other
     * shutdowns (the run's own end) do not ask: the learner is ending already.
     */
    private static void checkpointOnTerminate(ActorContext<Void> context, ActorRef<LearnerProtocol.Command> learner) {
        ControlRequest stop = ControlRequest.newBuilder().setStop(StopRun.getDefaultInstance()).build();
        OnSigterm.register(context.getSystem(), "emend-checkpoint-on-terminate", patience -> {
            context.getSystem().log().info("SIGTERM: writing the resume state after the step in progress (waiting up to {} s)",
                    patience.toSeconds());
            return AskPattern.<LearnerProtocol.Command, LearnerProtocol.ControlResponse>ask(learner, replyTo -> new LearnerProtocol.Control(stop, replyTo), patience,
                            context.getSystem().scheduler())
                    .whenComplete((reply, failure) -> context.getSystem().log().info("SIGTERM: {}", failure == null ? reply.payload().getMessage()
                            : "no resume state written (" + failure + "); resume from the last periodic checkpoint"));
        });
    }

    /** The node's Prometheus endpoint, unless emend.runtime.metrics-port is -1. */
    private static Optional<HTTPServer> metricsEndpoint(ActorContext<Void> context, RuntimeSettings runtime, Set<String> roles) {
        NodePort.Binding binding = runtime.metrics().bindingFor(roles);
        if (binding.off()) {
            return Optional.empty();
        }
        NodeMetrics metrics = NodeMetrics.get(context.getSystem());
        String host = runtime.metrics().host();
        HTTPServer server;
        try {
            server = serve(metrics, host, binding.port());
        } catch (IOException taken) {
            if (!binding.fallBackToFree()) {
                throw new IllegalStateException("cannot serve metrics on " + host + ":" + binding.port() + " (" + taken.getMessage()
                        + "): another process holds the port or the address is not this machine's; set emend.runtime.metrics-port to a free "
                        + "port, 0 for any, or -1 for none, or emend.runtime.metrics-host to an address of this machine", taken);
            }
            context.getLog().warn("metrics: port {} (this node's role default) is taken ({}); serving on a free port instead. Give each node "
                    + "on this machine its own port (emend.runtime.metrics-port) so a scrape config can find it", binding.port(), taken.getMessage());
            try {
                server = serve(metrics, host, 0);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot serve metrics on " + host + " (" + e.getMessage()
                        + "); set emend.runtime.metrics-host to an address of this machine, or emend.runtime.metrics-port to -1", e);
            }
        }
        metrics.endpoint("http://" + host + ":" + server.getPort() + "/metrics");
        System.out.println("metrics: " + metrics.endpoint().orElseThrow() + " (Prometheus; emend.runtime.metrics-port)");
        return Optional.of(server);
    }

    /**
     * Pekko Management (/alive, /ready, /cluster/members) on the address NodeConfig gave it, unless
     * emend.runtime.management-port is -1. A node that cannot bind a port set on purpose stops: a supervisor probing it
     * would otherwise restart it forever, or send it work it is not ready for. A role's default port taken by a node
     * that started at the same moment (NodeConfig found it free) only costs the endpoint, with a warning.
     */
    private static void startManagement(ActorContext<Void> context, RuntimeSettings runtime, Set<String> roles) {
        NodePort.Binding binding = runtime.management().bindingFor(roles);
        if (binding.off()) {
            return;
        }
        ActorSystem<Void> system = context.getSystem();
        PekkoManagement.get(system).start().whenComplete((uri, failure) -> {
            if (failure == null) {
                NodeHealth.get(system).managementUri(uri.toString());
                System.out.println("management: " + uri + " (Pekko Management: /alive, /ready, /cluster/members; emend.runtime.management-port)");
                return;
            }
            int port = system.settings().config().getInt("pekko.management.http.port");
            if (binding.fallBackToFree()) {
                system.log().warn("cannot serve Pekko Management on {}:{}, this node's role default ({}); the node runs without health "
                        + "endpoints. Give each node on this machine its own port (emend.runtime.management-port)", runtime.management().host(),
                        port, failure.getMessage());
                return;
            }
            system.log().error("cannot serve Pekko Management on {}:{} ({}); the node stops. Set emend.runtime.management-port to a free "
                    + "port, 0 for any, or -1 for none", runtime.management().host(), port, failure.getMessage());
            system.terminate();
        });
    }

    private static HTTPServer serve(NodeMetrics metrics, String host, int port) throws IOException {
        return HTTPServer.builder().hostname(host).port(port).registry(metrics.registry).buildAndStart();
    }

    /** Starts the learner singleton where the role allows (only the oldest learner node runs it) and its proxy. */
    private static ActorRef<LearnerProtocol.Command> learnerProxy(ActorContext<Void> context, Plan plan) {
        Behavior<LearnerProtocol.Command> learner = plan.learnerJob() != null
                ? Learner.create(plan.learnerJob(), plan.done())
                : Behaviors.setup(ctx -> {
                    throw new IllegalStateException("the learner singleton can only run on a node started with the learner role");
                });
        return ClusterSingleton.get(context.getSystem()).init(SingletonActor.of(learner, "learner")
                .withSettings(ClusterSingletonSettings.create(context.getSystem()).withRole("learner")));
    }
}
