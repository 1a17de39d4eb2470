package emend.actors.protocol;

import emend.actors.protocol.WireMessage;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import emend.proto.GroupAck;
import emend.proto.GroupResult;
import emend.proto.LeaseGrant;
import emend.proto.RunSpec;
import emend.proto.RuntimeStatus;
import emend.proto.StatusRequest;
import emend.proto.WeightChunk;
import emend.proto.WeightChunkRequest;
import emend.proto.WeightManifest;
import emend.proto.WorkRequest;
import emend.proto.WorkerHello;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The messages of the learner ({@code emend.actors.learner}) and the ones it sends: each wraps one protobuf payload (the wire contract
 * in proto/), and a request names where its answer goes. The learner owns the protocol its workers speak, so a
 * worker depends on the learner and never the other way round.
 */
public final class LearnerProtocol {

    private LearnerProtocol() {}

    /** What the learner takes. */
    public interface Command {}

    /** What a learner tells its workers; a worker's own private messages extend this interface. */
    public interface ToWorker {}

    /**
     * A new version for a worker in the learner's own JVM: the manifest and the encoded weights themselves, shared
     * read only, so the worker loads them without fetching, hashing or assembling chunks. Never serialized: it is no
     * {@link WireMessage}, so it cannot cross the wire and no other node can send it.
     */
    public record SharedVersion(WeightManifest payload, byte[] bytes) implements ToWorker {}

    /** The run a worker samples for, in answer to its hello. */
    public record Spec(RunSpec payload) implements ToWorker, WireMessage {}

    public record Grant(LeaseGrant payload) implements ToWorker, WireMessage {}

    public record Ack(GroupAck payload) implements ToWorker, WireMessage {}

    public record NewVersion(WeightManifest payload) implements ToWorker, WireMessage {}

    public record Chunk(WeightChunk payload) implements ToWorker, WireMessage {}

    public record Hello(WorkerHello payload, ActorRef<ToWorker> replyTo) implements Command, WireMessage {}

    public record RequestWork(WorkRequest payload, ActorRef<ToWorker> replyTo) implements Command, WireMessage {}

    public record Submit(GroupResult payload, ActorRef<ToWorker> replyTo) implements Command, WireMessage {}

    public record FetchChunk(WeightChunkRequest payload, ActorRef<ToWorker> replyTo) implements Command, WireMessage {}

    public record GetStatus(StatusRequest payload, ActorRef<Status> replyTo) implements Command, WireMessage {}

    public record Status(RuntimeStatus payload) implements WireMessage {}

    /** An operator's command (status, pause, resume, stop, checkpoint, set), from the control endpoint. */
    public record Control(ControlRequest payload, ActorRef<ControlResponse> replyTo) implements Command, WireMessage {}

    public record ControlResponse(ControlReply payload) implements WireMessage {}
}
