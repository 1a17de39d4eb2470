package emend.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.actors.verifier.VerifierActor;
import emend.actors.verifier.VerifierPool;
import emend.proto.VerifyRequest;
import emend.proto.VerifyResult;
import emend.task.LinearEquationTask;
import emend.task.Problem;
import emend.task.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The verifier pool under overload and with a verifier that hangs. */
final class VerifierActorTest {

    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final Task TASK = new LinearEquationTask(new LinearEquationTask.Settings(2, 9, 20, 40, 10, 10, 1));
    private static final VerifierActor.Limits LIMITS = new VerifierActor.Limits(Duration.ofSeconds(5), 1000);

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private static VerifyRequest request(Problem problem, long deadline, String... attempts) {
        return VerifyRequest.newBuilder().setTask(TASK.name()).setProblemId(problem.id()).setQuestion(problem.question())
                .setAnswer(problem.answer()).setDeadlineUnixMs(deadline).addAllAttempts(List.of(attempts)).build();
    }

    /** A pool of 2 under the node's guardian, as EmendNode spawns it. */
    private static ActorRef<VerifierActor.Command> pool(Task task, VerifierActor.Limits limits) {
        TestProbe<ActorRef<VerifierActor.Command>> created = KIT.createTestProbe();
        Behavior<Void> guardian = Behaviors.setup(context -> {
            created.ref().tell(VerifierPool.spawn(context, task, 2, limits));
            return Behaviors.empty();
        });
        KIT.spawn(guardian);
        return created.receiveMessage();
    }

    @Test
    void thousandRequestsAtOnce_areAllAnsweredCorrectly() {
        ActorRef<VerifierActor.Command> pool = pool(TASK, LIMITS);
        TestProbe<VerifierActor.Verified> replies = KIT.createTestProbe();
        Problem problem = TASK.train().get(0);
        String right = TASK.correctAttempt(problem);
        for (int i = 0; i < 1000; i++) {
            pool.tell(new VerifierActor.Verify(request(problem, 0, right, "x=999"), replies.ref()));
        }
        List<VerifierActor.Verified> all = replies.receiveSeveralMessages(1000, Duration.ofSeconds(30));
        assertTrue(all.stream().allMatch(v -> v.payload().getScoresList().equals(List.of(1, 0))), "every reply scores [1, 0]");
    }

    @Test
    void requestWhoseCallerGaveUp_isShedUnscored() {
        ActorRef<VerifierActor.Command> pool = pool(TASK, LIMITS);
        TestProbe<VerifierActor.Verified> replies = KIT.createTestProbe();
        Problem problem = TASK.train().get(0);
        pool.tell(new VerifierActor.Verify(request(problem, System.currentTimeMillis() - 1, "x=1"), replies.ref()));
        VerifyResult result = replies.receiveMessage().payload();
        assertEquals(0, result.getScoresCount());
        assertTrue(result.getError().contains("expired"), result.getError());
    }

    @Test
    void stuckVerification_isAbandonedAndTheVerifierGoesOn() {
        Task hanging = new HangingTask(TASK);
        ActorRef<VerifierActor.Command> verifier = KIT.spawn(VerifierActor.create(hanging, new VerifierActor.Limits(Duration.ofMillis(300), 10)));
        TestProbe<VerifierActor.Verified> replies = KIT.createTestProbe();
        Problem problem = TASK.train().get(0);
        long start = System.nanoTime();
        verifier.tell(new VerifierActor.Verify(request(problem, 0, "hang"), replies.ref()));
        verifier.tell(new VerifierActor.Verify(request(problem, 0, TASK.correctAttempt(problem)), replies.ref()));
        VerifyResult stuck = replies.receiveMessage(Duration.ofSeconds(5)).payload();
        assertTrue(stuck.getError().contains("stuck"), stuck.getError());
        assertEquals(List.of(1), replies.receiveMessage(Duration.ofSeconds(5)).payload().getScoresList(), "the next request is served");
        assertTrue((System.nanoTime() - start) / 1e9 < 3, "nobody waited for the hung call");
    }

    @Test
    void fullQueue_refusesAtOnce() {
        Task hanging = new HangingTask(TASK);
        ActorRef<VerifierActor.Command> verifier = KIT.spawn(VerifierActor.create(hanging, new VerifierActor.Limits(Duration.ofSeconds(20), 2)));
        TestProbe<VerifierActor.Verified> replies = KIT.createTestProbe();
        Problem problem = TASK.train().get(0);
        List<VerifyRequest> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            requests.add(request(problem, 0, "hang"));
        }
        requests.forEach(r -> verifier.tell(new VerifierActor.Verify(r, replies.ref())));
        // one is being scored (hung), two wait; the fourth is refused without waiting
        VerifyResult refused = replies.receiveMessage(Duration.ofSeconds(2)).payload();
        assertTrue(refused.getError().contains("queue full"), refused.getError());
    }

    /** A task whose verifier hangs on the attempt "hang" (a stand-in for a pathological input). */
    private record HangingTask(Task inner) implements Task {
        @Override public String name() { return inner.name(); }
        @Override public emend.task.Splits splits() { return inner.splits(); }
        @Override public String instruction() { return inner.instruction(); }
        @Override public int maxAttemptTokens() { return inner.maxAttemptTokens(); }
        @Override public String correctAttempt(Problem problem) { return inner.correctAttempt(problem); }
        @Override public String plausibleWrongAttempt(Problem problem, java.util.SplittableRandom random) {
            return inner.plausibleWrongAttempt(problem, random);
        }
        @Override public emend.task.Verifier verifier() {
            return new emend.task.Verifier() {
                @Override public int score(Problem problem, String attempt) {
                    if (attempt.equals("hang")) {
                        try {
                            Thread.sleep(10_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return inner.verifier().score(problem, attempt);
                }

                @Override public String extractAnswer(String attempt) {
                    return inner.verifier().extractAnswer(attempt);
                }
            };
        }
    }
}
