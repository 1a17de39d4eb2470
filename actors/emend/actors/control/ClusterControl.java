package emend.actors.control;

import emend.actors.protocol.NodeProtocol;
import emend.actors.protocol.LearnerProtocol;
import emend.control.ControlHandler;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import emend.proto.NodeStatus;
import emend.proto.StatusQuery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The control endpoint's view of the cluster: run commands go to the learner singleton (wherever it lives),
 * scaling and draining to the agents of the nodes, and every reply carries the nodes' state. Every call is an
 * ask with a timeout, so a node that does not answer is reported, never waited on.
 */
public final class ClusterControl implements ControlHandler {

    private final ActorSystem<?> system;
    private final ActorRef<LearnerProtocol.Command> learner;
    /** A node that just left stays listed for a moment; asking it must not use up the whole reply's budget. */
    private final Duration nodeTimeout;
    /** What is left for the learner once the nodes have been asked (a finding and a describing round). */
    private final Duration learnerTimeout;

    /** @param timeout the endpoint's budget for a whole reply (emend.control.timeout) */
    public ClusterControl(ActorSystem<?> system, ActorRef<LearnerProtocol.Command> learner, Duration timeout) {
        this.system = system;
        this.learner = learner;
        this.nodeTimeout = timeout.dividedBy(8);
        this.learnerTimeout = timeout.minus(nodeTimeout.multipliedBy(3));
    }

    @Override
    public CompletionStage<ControlReply> handle(ControlRequest request) {
        CompletionStage<ControlReply> reply = switch (request.getCommandCase()) {
            case SCALE -> scale(request);
            case DRAIN -> drain(request);
            default -> askLearner(request);
        };
        return reply.thenCompose(this::withNodes);
    }

    private CompletionStage<ControlReply> askLearner(ControlRequest request) {
        return AskPattern.<LearnerProtocol.Command, LearnerProtocol.ControlResponse>ask(learner, replyTo -> new LearnerProtocol.Control(request, replyTo), learnerTimeout,
                        system.scheduler())
                .thenApply(LearnerProtocol.ControlResponse::payload)
                .exceptionally(failure -> failed(ControlReply.Code.UNAVAILABLE, "the learner did not answer within " + learnerTimeout.toMillis()
                        + " ms (it may be starting, or busy with a long step; a command may still take effect: check `emend ctl status`)"));
    }

    private CompletionStage<ControlReply> scale(ControlRequest request) {
        int target = request.getScale().getRolloutWorkers();
        if (target < 0) {
            return CompletableFuture.completedFuture(failed(ControlReply.Code.REFUSED, "--rollout-workers must be >= 0, got " + target));
        }
        String node = request.getScale().getNode();
        return agents().thenCompose(agents -> {
            List<Target> targets = new ArrayList<>();
            for (Target t : agents) {
                if (t.status().getRolesList().contains("rollout") && (node.isEmpty() || sameNode(t.status().getAddress(), node))) {
                    targets.add(t);
                }
            }
            if (targets.isEmpty()) {
                return CompletableFuture.completedFuture(failed(ControlReply.Code.REFUSED, node.isEmpty()
                        ? "no node with the rollout role is up; start one with: emend node --roles rollout --seeds ..."
                        : "no rollout node " + node + " (see `emend ctl status` for the nodes)"));
            }
            List<CompletableFuture<NodeProtocol.NodeReply>> replies = targets.stream()
                    .map(t -> AskPattern.<NodeProtocol.Command, NodeProtocol.NodeReply>ask(t.agent(),
                            replyTo -> new NodeProtocol.Scale(request.getScale(), replyTo), learnerTimeout, system.scheduler()).toCompletableFuture())
                    .toList();
            return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).handle((ignored, failure) -> {
                if (failure != null) {
                    return failed(ControlReply.Code.UNAVAILABLE, "a node did not confirm the scaling: " + failure.getMessage());
                }
                List<String> refusals = replies.stream().map(r -> r.join().payload()).filter(n -> !n.getRefused().isEmpty())
                        .map(n -> n.getAddress() + " refused " + n.getRefused()).toList();
                return refusals.isEmpty()
                        ? ok("rollout workers set to " + target + " on " + targets.size() + " node(s); extra workers finish their leases first")
                        : failed(ControlReply.Code.REFUSED, String.join("; ", refusals));
            });
        });
    }

    private CompletionStage<ControlReply> drain(ControlRequest request) {
        String node = request.getDrain().getNode();
        return agents().thenCompose(agents -> {
            Optional<Target> target = agents.stream().filter(t -> sameNode(t.status().getAddress(), node)).findFirst();
            if (target.isEmpty()) {
                return CompletableFuture.completedFuture(failed(ControlReply.Code.REFUSED, "no node " + node + " (see `emend ctl status`)"));
            }
            if (target.get().status().getRolesList().contains("learner")) {
                return CompletableFuture.completedFuture(failed(ControlReply.Code.REFUSED, node
                        + " carries the learner; drain is for rollout and verifier nodes (use `emend ctl stop` to end the run)"));
            }
            return AskPattern.<NodeProtocol.Command, NodeProtocol.NodeReply>ask(target.get().agent(),
                            replyTo -> new NodeProtocol.Drain(request.getDrain(), replyTo), learnerTimeout, system.scheduler())
                    .handle((reply, failure) -> failure == null
                            ? ok("draining " + reply.payload().getAddress() + ": its workers finish their leases, then it leaves the cluster")
                            : failed(ControlReply.Code.UNAVAILABLE, node + " did not answer: " + failure.getMessage()));
        });
    }

    /** Adds the state of every node to {@code reply} (and the learner's status to a node command's reply). */
    private CompletionStage<ControlReply> withNodes(ControlReply reply) {
        CompletionStage<ControlReply> base = reply.hasStatus() || reply.getCode() != ControlReply.Code.OK
                ? CompletableFuture.completedFuture(reply)
                : askLearner(ControlRequest.newBuilder().setStatus(StatusQuery.getDefaultInstance()).build())
                        .thenApply(status -> reply.toBuilder().setStatus(status.getStatus()).build());
        return base.thenCombine(agents(), (r, agents) -> {
            var status = r.getStatus().toBuilder().clearNodes();
            agents.forEach(t -> status.addNodes(t.status()));
            Set<Member> unreachable = Cluster.get(system).state().getUnreachable();
            for (Member member : unreachable) {
                if (agents.stream().noneMatch(t -> sameNode(t.status().getAddress(), member.address().toString()))) {
                    status.addNodes(NodeStatus.newBuilder().setAddress(member.address().toString())
                            .addAllRoles(member.getRoles().stream().filter(role -> !role.startsWith("dc-")).sorted().toList())
                            .setState("UNREACHABLE"));
                }
            }
            return r.toBuilder().setStatus(status).build();
        });
    }

    private record Target(ActorRef<NodeProtocol.Command> agent, NodeStatus status) {}

    /** Every node agent that answers within the timeout, with its state. */
    private CompletionStage<List<Target>> agents() {
        return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
                        replyTo -> Receptionist.find(NodeProtocol.KEY, replyTo), nodeTimeout, system.scheduler())
                .thenCompose(listing -> {
                    List<CompletableFuture<Optional<Target>>> described = listing.getServiceInstances(NodeProtocol.KEY).stream()
                            .map(agent -> AskPattern.<NodeProtocol.Command, NodeProtocol.NodeReply>ask(agent,
                                            replyTo -> new NodeProtocol.Describe(StatusQuery.getDefaultInstance(), replyTo), nodeTimeout,
                                            system.scheduler())
                                    .handle((reply, failure) -> failure == null ? Optional.of(new Target(agent, reply.payload()))
                                            : Optional.<Target>empty())
                                    .toCompletableFuture())
                            .toList();
                    return CompletableFuture.allOf(described.toArray(CompletableFuture[]::new)).thenApply(ignored -> described.stream()
                            .map(CompletableFuture::join).flatMap(Optional::stream)
                            .sorted((a, b) -> a.status().getAddress().compareTo(b.status().getAddress())).toList());
                });
    }

    /** Whether {@code address} (pekko://emend@host:port) is the node the operator named (with or without the prefix). */
    static boolean sameNode(String address, String named) {
        return address.equals(named) || address.endsWith("@" + named);
    }

    private static ControlReply ok(String message) {
        return ControlReply.newBuilder().setCode(ControlReply.Code.OK).setMessage(message).build();
    }

    private static ControlReply failed(ControlReply.Code code, String message) {
        return ControlReply.newBuilder().setCode(code).setMessage(message).build();
    }
}
