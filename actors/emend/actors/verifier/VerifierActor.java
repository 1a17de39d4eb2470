package emend.actors.verifier;

import emend.actors.wire.WireMessage;
import emend.proto.VerifyRequest;
import emend.proto.VerifyResult;
import emend.task.Problem;
import emend.task.Task;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/** Scores attempts with the task's verifier; one request at a time (the pool bounds concurrency). */
public final class VerifierActor {

    /** Verifier pools register under this key; rollout workers route to them through a group router. */
    public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "emend-verifier");

    public sealed interface Command {}

    public record Verify(VerifyRequest payload, ActorRef<Verified> replyTo) implements Command, WireMessage {}

    public record Verified(VerifyResult payload) implements WireMessage {}

    private VerifierActor() {}

    public static Behavior<Command> create(Task task) {
        return Behaviors.receive(Command.class)
                .onMessage(Verify.class, verify -> {
                    verify.replyTo().tell(new Verified(score(task, verify.payload())));
                    return Behaviors.same();
                })
                .build();
    }

    static VerifyResult score(Task task, VerifyRequest request) {
        if (!task.name().equals(request.getTask())) {
            return VerifyResult.newBuilder().setError("this verifier scores task '" + task.name() + "', not '" + request.getTask()
                    + "': start verifier nodes with the learner's task settings").build();
        }
        Problem problem = new Problem(request.getProblemId(), request.getQuestion(), request.getAnswer());
        VerifyResult.Builder result = VerifyResult.newBuilder();
        for (String attempt : request.getAttemptsList()) {
            result.addScores(task.verifier().score(problem, attempt));
        }
        return result.build();
    }
}
