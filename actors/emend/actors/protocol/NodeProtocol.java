package emend.actors.protocol;

import emend.proto.DrainNode;
import emend.proto.NodeStatus;
import emend.proto.ScaleWorkers;
import emend.proto.StatusQuery;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/** The messages of a node's agent ({@code emend.actors.node}): describe the node, scale its workers, drain it. */
public final class NodeProtocol {

    private NodeProtocol() {}

    /** Every node's agent registers under this key; the control endpoint finds them through the receptionist. */
    public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "emend-node-agent");

    /** What a node agent takes; its own private messages extend this interface. */
    public interface Command {}

    public record Describe(StatusQuery payload, ActorRef<NodeReply> replyTo) implements Command, WireMessage {}

    public record Scale(ScaleWorkers payload, ActorRef<NodeReply> replyTo) implements Command, WireMessage {}

    public record Drain(DrainNode payload, ActorRef<NodeReply> replyTo) implements Command, WireMessage {}

    public record NodeReply(NodeStatus payload) implements WireMessage {}
}
