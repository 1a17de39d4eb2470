package emend.actors.protocol;

import emend.proto.VerifyRequest;
import emend.proto.VerifyResult;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/** The messages of a verifier pool ({@code emend.actors.verifier}): a group to score, and its scores. */
public final class VerifierProtocol {

    private VerifierProtocol() {}

    /** Verifier pools register under this key; rollout workers find them through the receptionist. */
    public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "emend-verifier");

    /** What a verifier takes; its own private messages extend this interface. */
    public interface Command {}

    public record Verify(VerifyRequest payload, ActorRef<Verified> replyTo) implements Command, WireMessage {}

    public record Verified(VerifyResult payload) implements WireMessage {}
}
