package emend.actors.wire;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import emend.actors.learner.Learner;
import emend.actors.node.NodeAgent;
import emend.actors.rollout.RolloutWorker;
import emend.actors.verifier.VerifierActor;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import emend.proto.DrainNode;
import emend.proto.GroupAck;
import emend.proto.GroupResult;
import emend.proto.LeaseGrant;
import emend.proto.NodeStatus;
import emend.proto.RunSpec;
import emend.proto.RuntimeStatus;
import emend.proto.ScaleWorkers;
import emend.proto.StatusQuery;
import emend.proto.StatusRequest;
import emend.proto.VerifyRequest;
import emend.proto.VerifyResult;
import emend.proto.WeightChunk;
import emend.proto.WeightChunkRequest;
import emend.proto.WeightManifest;
import emend.proto.WireEnvelope;
import emend.proto.WorkRequest;
import emend.proto.WorkerHello;
import java.io.NotSerializableException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Serializes every {@link WireMessage} as protobuf: a {@code WireEnvelope} holding the reply-to reference (Pekko's
 * string form) and the payload's bytes; the manifest names the message type. Java serialization stays off.
 * (Pekko's stock protobuf serializer cannot carry the typed reply-to references the actor protocols need.)
 */
public final class WireSerializer extends SerializerWithStringManifest {

    /** How one message type is rebuilt from its payload and reply-to reference. */
    private record Codec(Parser<? extends Message> parser, BiFunction<Message, ActorRef<?>, WireMessage> create) {}

    private static final Map<String, Codec> BY_MANIFEST = new HashMap<>();
    private static final Map<Class<?>, String> MANIFESTS = new HashMap<>();

    static {
        register("L.Hello", Learner.Hello.class, WorkerHello.parser(), (p, r) -> new Learner.Hello((WorkerHello) p, cast(r)));
        register("L.RequestWork", Learner.RequestWork.class, WorkRequest.parser(), (p, r) -> new Learner.RequestWork((WorkRequest) p, cast(r)));
        register("L.Submit", Learner.Submit.class, GroupResult.parser(), (p, r) -> new Learner.Submit((GroupResult) p, cast(r)));
        register("L.FetchChunk", Learner.FetchChunk.class, WeightChunkRequest.parser(), (p, r) -> new Learner.FetchChunk((WeightChunkRequest) p, cast(r)));
        register("L.GetStatus", Learner.GetStatus.class, StatusRequest.parser(), (p, r) -> new Learner.GetStatus((StatusRequest) p, cast(r)));
        register("L.Status", Learner.Status.class, RuntimeStatus.parser(), (p, r) -> new Learner.Status((RuntimeStatus) p));
        register("W.Spec", RolloutWorker.Spec.class, RunSpec.parser(), (p, r) -> new RolloutWorker.Spec((RunSpec) p));
        register("W.Grant", RolloutWorker.Grant.class, LeaseGrant.parser(), (p, r) -> new RolloutWorker.Grant((LeaseGrant) p));
        register("W.Ack", RolloutWorker.Ack.class, GroupAck.parser(), (p, r) -> new RolloutWorker.Ack((GroupAck) p));
        register("W.NewVersion", RolloutWorker.NewVersion.class, WeightManifest.parser(), (p, r) -> new RolloutWorker.NewVersion((WeightManifest) p));
        register("W.Chunk", RolloutWorker.Chunk.class, WeightChunk.parser(), (p, r) -> new RolloutWorker.Chunk((WeightChunk) p));
        register("V.Verify", VerifierActor.Verify.class, VerifyRequest.parser(), (p, r) -> new VerifierActor.Verify((VerifyRequest) p, cast(r)));
        register("V.Verified", VerifierActor.Verified.class, VerifyResult.parser(), (p, r) -> new VerifierActor.Verified((VerifyResult) p));
        register("L.Control", Learner.Control.class, ControlRequest.parser(), (p, r) -> new Learner.Control((ControlRequest) p, cast(r)));
        register("L.ControlResponse", Learner.ControlResponse.class, ControlReply.parser(), (p, r) -> new Learner.ControlResponse((ControlReply) p));
        register("N.Describe", NodeAgent.Describe.class, StatusQuery.parser(), (p, r) -> new NodeAgent.Describe((StatusQuery) p, cast(r)));
        register("N.Scale", NodeAgent.Scale.class, ScaleWorkers.parser(), (p, r) -> new NodeAgent.Scale((ScaleWorkers) p, cast(r)));
        register("N.Drain", NodeAgent.Drain.class, DrainNode.parser(), (p, r) -> new NodeAgent.Drain((DrainNode) p, cast(r)));
        register("N.Reply", NodeAgent.NodeReply.class, NodeStatus.parser(), (p, r) -> new NodeAgent.NodeReply((NodeStatus) p));
    }

    private final ActorRefResolver resolver;

    public WireSerializer(ExtendedActorSystem system) {
        this.resolver = ActorRefResolver.get(Adapter.toTyped(system));
    }

    @Override
    public int identifier() {
        return 48_117;
    }

    @Override
    public String manifest(Object message) {
        String manifest = MANIFESTS.get(message.getClass());
        if (manifest == null) {
            throw new IllegalArgumentException("no wire form for " + message.getClass().getName() + "; register it in WireSerializer");
        }
        return manifest;
    }

    @Override
    public byte[] toBinary(Object message) {
        manifest(message);
        WireMessage wire = (WireMessage) message;
        WireEnvelope.Builder envelope = WireEnvelope.newBuilder().setPayload(wire.payload().toByteString());
        if (wire.replyTo() != null) {
            envelope.setReplyTo(resolver.toSerializationFormat(wire.replyTo()));
        }
        return envelope.build().toByteArray();
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        Codec codec = BY_MANIFEST.get(manifest);
        if (codec == null) {
            throw new NotSerializableException("unknown wire message '" + manifest + "' (nodes running different Emend versions?)");
        }
        try {
            WireEnvelope envelope = WireEnvelope.parseFrom(bytes);
            Message payload = codec.parser().parseFrom(envelope.getPayload());
            ActorRef<?> replyTo = envelope.getReplyTo().isEmpty() ? null : resolver.resolveActorRef(envelope.getReplyTo());
            return codec.create().apply(payload, replyTo);
        } catch (InvalidProtocolBufferException e) {
            throw new NotSerializableException("malformed " + manifest + " message: " + e.getMessage());
        }
    }

    private static void register(String manifest, Class<?> type, Parser<? extends Message> parser,
                                 BiFunction<Message, ActorRef<?>, WireMessage> create) {
        BY_MANIFEST.put(manifest, new Codec(parser, create));
        MANIFESTS.put(type, manifest);
    }

    @SuppressWarnings("unchecked")
    private static <T> ActorRef<T> cast(ActorRef<?> ref) {
        return (ActorRef<T>) ref;
    }
}
