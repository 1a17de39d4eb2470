package emend.actors.protocol;

import com.google.protobuf.Message;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * An actor message that may cross JVMs: a protobuf payload from proto/ plus, for a request, the actor that gets
 * the answer. {@code emend.actors.wire.WireSerializer} writes it as a {@code WireEnvelope}; nothing else goes over Artery.
 */
public interface WireMessage {

    Message payload();

    /** The actor to answer, or null for a message that expects no reply. */
    default ActorRef<?> replyTo() {
        return null;
    }
}
