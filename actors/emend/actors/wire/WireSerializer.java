package emend.actors.wire;

import emend.actors.protocol.WireMessage;
import emend.actors.protocol.VerifierProtocol;
import emend.actors.protocol.NodeProtocol;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import emend.actors.protocol.LearnerProtocol;
import emend.actors.metrics.NodeMetrics;
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
import emend.wire.Rejection;
import java.io.IOException;
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
        register("L.Hello", LearnerProtocol.Hello.class, WorkerHello.parser(), (p, r) -> new LearnerProtocol.Hello((WorkerHello) p, cast(r)));
        register("L.RequestWork", LearnerProtocol.RequestWork.class, WorkRequest.parser(), (p, r) -> new LearnerProtocol.RequestWork((WorkRequest) p, cast(r)));
        register("L.Submit", LearnerProtocol.Submit.class, GroupResult.parser(), (p, r) -> new LearnerProtocol.Submit((GroupResult) p, cast(r)));
        register("L.FetchChunk", LearnerProtocol.FetchChunk.class, WeightChunkRequest.parser(), (p, r) -> new LearnerProtocol.FetchChunk((WeightChunkRequest) p, cast(r)));
        register("L.GetStatus", LearnerProtocol.GetStatus.class, StatusRequest.parser(), (p, r) -> new LearnerProtocol.GetStatus((StatusRequest) p, cast(r)));
        register("L.Status", LearnerProtocol.Status.class, RuntimeStatus.parser(), (p, r) -> new LearnerProtocol.Status((RuntimeStatus) p));
        register("W.Spec", LearnerProtocol.Spec.class, RunSpec.parser(), (p, r) -> new LearnerProtocol.Spec((RunSpec) p));
        register("W.Grant", LearnerProtocol.Grant.class, LeaseGrant.parser(), (p, r) -> new LearnerProtocol.Grant((LeaseGrant) p));
        register("W.Ack", LearnerProtocol.Ack.class, GroupAck.parser(), (p, r) -> new LearnerProtocol.Ack((GroupAck) p));
        register("W.NewVersion", LearnerProtocol.NewVersion.class, WeightManifest.parser(), (p, r) -> new LearnerProtocol.NewVersion((WeightManifest) p));
        register("W.Chunk", LearnerProtocol.Chunk.class, WeightChunk.parser(), (p, r) -> new LearnerProtocol.Chunk((WeightChunk) p));
        register("V.Verify", VerifierProtocol.Verify.class, VerifyRequest.parser(), (p, r) -> new VerifierProtocol.Verify((VerifyRequest) p, cast(r)));
        register("V.Verified", VerifierProtocol.Verified.class, VerifyResult.parser(), (p, r) -> new VerifierProtocol.Verified((VerifyResult) p));
        register("L.Control", LearnerProtocol.Control.class, ControlRequest.parser(), (p, r) -> new LearnerProtocol.Control((ControlRequest) p, cast(r)));
        register("L.ControlResponse", LearnerProtocol.ControlResponse.class, ControlReply.parser(), (p, r) -> new LearnerProtocol.ControlResponse((ControlReply) p));
        register("N.Describe", NodeProtocol.Describe.class, StatusQuery.parser(), (p, r) -> new NodeProtocol.Describe((StatusQuery) p, cast(r)));
        register("N.Scale", NodeProtocol.Scale.class, ScaleWorkers.parser(), (p, r) -> new NodeProtocol.Scale((ScaleWorkers) p, cast(r)));
        register("N.Drain", NodeProtocol.Drain.class, DrainNode.parser(), (p, r) -> new NodeProtocol.Drain((DrainNode) p, cast(r)));
        register("N.Reply", NodeProtocol.NodeReply.class, NodeStatus.parser(), (p, r) -> new NodeProtocol.NodeReply((NodeStatus) p));
    }

    private final ActorRefResolver resolver;
    private final org.apache.pekko.actor.typed.ActorSystem<?> system;

    public WireSerializer(ExtendedActorSystem system) {
        this.system = Adapter.toTyped(system);
        this.resolver = ActorRefResolver.get(this.system);
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

    /**
     * Writes the {@code WireEnvelope} directly: its {@code payload} bytes field has the wire form of an embedded
     * message, so the payload is serialized once, straight into the output (weight chunks make this the hot path).
     */
    @Override
    public byte[] toBinary(Object message) {
        manifest(message);
        WireMessage wire = (WireMessage) message;
        String replyTo = wire.replyTo() == null ? "" : resolver.toSerializationFormat(wire.replyTo());
        int size = (replyTo.isEmpty() ? 0 : CodedOutputStream.computeStringSize(WireEnvelope.REPLY_TO_FIELD_NUMBER, replyTo))
                + CodedOutputStream.computeMessageSize(WireEnvelope.PAYLOAD_FIELD_NUMBER, wire.payload());
        byte[] bytes = new byte[size];
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            if (!replyTo.isEmpty()) {
                out.writeString(WireEnvelope.REPLY_TO_FIELD_NUMBER, replyTo);
            }
            out.writeMessage(WireEnvelope.PAYLOAD_FIELD_NUMBER, wire.payload());
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("protobuf could not write " + manifest(message) + " into its computed size", e);
        }
        return bytes;
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        Codec codec = BY_MANIFEST.get(manifest);
        if (codec == null) {
            // one label for every unknown name: a label per name would let a sender grow the metric without bound
            throw rejected("unknown", "unknown_type",
                    "unknown wire message '" + manifest + "' (nodes running different Emend versions?)");
        }
        try {
            // Aliasing: the payload, and a chunk's data within it, stay views of these bytes instead of copies.
            CodedInputStream envelopeInput = CodedInputStream.newInstance(bytes);
            envelopeInput.enableAliasing(true);
            WireEnvelope envelope = WireEnvelope.parseFrom(envelopeInput);
            CodedInputStream payloadInput = envelope.getPayload().newCodedInput();
            payloadInput.enableAliasing(true);
            Message payload = codec.parser().parseFrom(payloadInput);
            ActorRef<?> replyTo = envelope.getReplyTo().isEmpty() ? null : resolver.resolveActorRef(envelope.getReplyTo());
            return codec.create().apply(payload, replyTo);
        } catch (IOException | RuntimeException e) {
            // bytes that do not parse, or a reply address that does not resolve: Pekko drops the message
            throw rejected(manifest, "malformed", "malformed " + manifest + " message: " + e.getMessage());
        }
    }

    /** Counts a message that cannot even be read as what it claims to be, before Pekko drops it. */
    private NotSerializableException rejected(String type, String reason, String detail) {
        NodeMetrics.get(system).rejected(new Rejection(type, reason, detail));
        return new NotSerializableException(detail);
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
