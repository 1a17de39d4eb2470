package emend.actors;

import emend.actors.protocol.VerifierProtocol;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import emend.actors.metrics.NodeMetrics;
import emend.actors.verifier.VerifierActor;
import emend.actors.verifier.VerifierPool;
import emend.actors.wire.WireSerializer;
import emend.proto.VerifyRequest;
import emend.proto.VerifyResult;
import emend.proto.WireEnvelope;
import emend.sandbox.TestSandboxes;
import emend.task.CodeProblems;
import emend.task.CodeTask;
import emend.task.LinearEquationTask;
import emend.task.Problem;
import emend.task.ProblemSet;
import emend.task.Task;
import emend.task.UnitTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verifier pool under overload and with a verifier that hangs. */
final class VerifierActorTest {

    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final Task TASK = new LinearEquationTask(new LinearEquationTask.Settings(2, 9, 20, 40, 10, 10, 1));
    private static final VerifierActor.Limits LIMITS = new VerifierActor.Limits(4, 1000);

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private static final ProblemSet PROBLEMS = ProblemSet.of(TASK);

    private static VerifyRequest request(Problem problem, long deadline, String... attempts) {
        return VerifyRequest.newBuilder().setTask(TASK.name()).setProblemId(problem.id()).setProblemSetSha256(PROBLEMS.sha256())
                .setDeadlineUnixMs(deadline).addAllAttempts(List.of(attempts)).build();
    }

    /** A pool of 2 under the node's guardian, as EmendNode spawns it. */
    private static ActorRef<VerifierProtocol.Command> pool(Task task, VerifierActor.Limits limits) {
        TestProbe<ActorRef<VerifierProtocol.Command>> created = KIT.createTestProbe();
        Behavior<Void> guardian = Behaviors.setup(context -> {
            created.ref().tell(VerifierPool.spawn(context, task, 2, limits));
            return Behaviors.empty();
        });
        KIT.spawn(guardian);
        return created.receiveMessage();
    }

    @Test
    void thousandRequestsAtOnce_areAllAnsweredCorrectly() {
        ActorRef<VerifierProtocol.Command> pool = pool(TASK, LIMITS);
        TestProbe<VerifierProtocol.Verified> replies = KIT.createTestProbe();
        Problem problem = TASK.train().get(0);
        String right = TASK.correctAttempt(problem);
        for (int i = 0; i < 1000; i++) {
            pool.tell(new VerifierProtocol.Verify(request(problem, 0, right, "x=999"), replies.ref()));
        }
        List<VerifierProtocol.Verified> all = replies.receiveSeveralMessages(1000, Duration.ofSeconds(30));
        assertTrue(all.stream().allMatch(v -> v.payload().getScoresList().equals(List.of(1, 0))), "every reply scores [1, 0]");
    }

    @Test
    void requestWhoseCallerGaveUp_isShedUnscored() {
        ActorRef<VerifierProtocol.Command> pool = pool(TASK, LIMITS);
        TestProbe<VerifierProtocol.Verified> replies = KIT.createTestProbe();
        Problem problem = TASK.train().get(0);
        pool.tell(new VerifierProtocol.Verify(request(problem, System.currentTimeMillis() - 1, "x=1"), replies.ref()));
        VerifyResult result = replies.receiveMessage().payload();
        assertEquals(0, result.getScoresCount());
        assertTrue(result.getError().contains("expired"), result.getError());
    }

    @Test
    void groupPastItsDeadline_isAnsweredNotScored_andTheVerifierGoesOn() {
        Task hanging = new HangingTask(TASK, Duration.ofMillis(300));
        ActorRef<VerifierProtocol.Command> verifier = KIT.spawn(VerifierActor.create(hanging, PROBLEMS, new VerifierActor.Limits(1, 10)));
        TestProbe<VerifierProtocol.Verified> replies = KIT.createTestProbe();
        Problem problem = TASK.train().get(0);
        long start = System.nanoTime();
        verifier.tell(new VerifierProtocol.Verify(request(problem, 0, "hang"), replies.ref()));
        verifier.tell(new VerifierProtocol.Verify(request(problem, 0, TASK.correctAttempt(problem)), replies.ref()));
        VerifyResult stuck = replies.receiveMessage(Duration.ofSeconds(5)).payload();
        assertTrue(stuck.getError().startsWith("not scored: the group deadline (300 ms) passed"), stuck.getError());
        assertEquals(List.of(1), replies.receiveMessage(Duration.ofSeconds(5)).payload().getScoresList(), "the next request is served");
        assertTrue((System.nanoTime() - start) / 1e9 < 3, "nobody waited for the hung call");
    }

    @Test
    void fullQueue_refusesAtOnce() {
        Task hanging = new HangingTask(TASK, Duration.ofSeconds(20));
        ActorRef<VerifierProtocol.Command> verifier = KIT.spawn(VerifierActor.create(hanging, PROBLEMS, new VerifierActor.Limits(1, 2)));
        TestProbe<VerifierProtocol.Verified> replies = KIT.createTestProbe();
        Problem problem = TASK.train().get(0);
        List<VerifyRequest> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            requests.add(request(problem, 0, "hang"));
        }
        requests.forEach(r -> verifier.tell(new VerifierProtocol.Verify(r, replies.ref())));
        // one is being scored (hung), two wait; the fourth is refused without waiting
        VerifyResult refused = replies.receiveMessage(Duration.ofSeconds(2)).payload();
        assertTrue(refused.getError().contains("queue full"), refused.getError());
    }

    @Test
    void requestForAnotherProblemSetOrAnUnknownProblem_isRefusedWithItsReasonAndCounted() {
        ActorRef<VerifierProtocol.Command> pool = pool(TASK, LIMITS);
        TestProbe<VerifierProtocol.Verified> replies = KIT.createTestProbe();
        Problem problem = TASK.train().get(0);
        String right = TASK.correctAttempt(problem);
        long before = NodeMetrics.get(KIT.system()).rejectedTotal();
        pool.tell(new VerifierProtocol.Verify(request(problem, 0, right).toBuilder().setProblemSetSha256("00ff").build(), replies.ref()));
        VerifyResult otherSet = replies.receiveMessage().payload();
        assertEquals(0, otherSet.getScoresCount());
        assertTrue(otherSet.getError().contains("problem_set"), otherSet.getError());
        pool.tell(new VerifierProtocol.Verify(request(problem, 0, right).toBuilder().setProblemId("nobody/1").build(), replies.ref()));
        VerifyResult unknown = replies.receiveMessage().payload();
        assertTrue(unknown.getError().contains("problem_id"), unknown.getError());
        assertEquals(before + 2, NodeMetrics.get(KIT.system()).rejectedTotal());
    }

    /**
     * The attack of issue 20: a request in the old wire form, whose fields 3 and 4 carried the question and the
     * code problem's tests (here, tests that write a file). It arrives as bytes through the real serializer at a
     * real code-task verifier: naming an unknown problem or another set it is refused; naming a real problem it is
     * scored against this node's own tests. Either way no file is written.
     */
    @Test
    void requestCarryingTestsThatWriteAFile_createsNoFile_andIsRefusedOrScoredByTheNodesOwnTests(@TempDir Path dir) throws Exception {
        CodeTask code = CodeTask.split(CodeProblems.shipped(), 1, TestSandboxes.shortLimits());
        ProblemSet problems = ProblemSet.of(code);
        ActorRef<VerifierProtocol.Command> verifier = KIT.spawn(VerifierActor.create(code, problems, LIMITS));
        TestProbe<VerifierProtocol.Verified> replies = KIT.createTestProbe();
        // writable by anyone: the judge may run as another user (uid 65534 under unshare)
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path marker = dir.resolve("pwned");
        Problem real = code.train().get(0);
        String evilTests = "open(" + pythonString(marker.toString()) + ", 'w').write('pwned')\n";
        String smuggled = new UnitTests(UnitTests.of(real).entryPoint(), evilTests).toAnswer();

        VerifyResult unknown = send(verifier, replies, evilRequest("evil/1", problems.sha256(), smuggled, code.correctAttempt(real)));
        assertTrue(unknown.getError().contains("problem_id") && unknown.getScoresCount() == 0, unknown.toString());
        VerifyResult otherSet = send(verifier, replies, evilRequest(real.id(), "", smuggled, code.correctAttempt(real)));
        assertTrue(otherSet.getError().contains("problem_set") && otherSet.getScoresCount() == 0, otherSet.toString());
        VerifyResult ownTests = send(verifier, replies, evilRequest(real.id(), problems.sha256(), smuggled,
                code.correctAttempt(real), "```python\nprint(1)\n```"));
        assertEquals(List.of(1, 0), ownTests.getScoresList(), "scored by the problem's own tests: " + ownTests.getError());
        assertFalse(Files.exists(marker), "the tests from the wire never ran");
        // the control: had those tests been taken as the reference, the judge would have run them and written the file
        code.verifier().score(new Problem(real.id(), real.question(), smuggled), code.correctAttempt(real));
        assertTrue(Files.exists(marker), "the smuggled tests do write the file when run");
    }

    /** A VerifyRequest with the retired fields 3 (question) and 4 (reference) filled in, as an attacker sends it. */
    private static byte[] evilRequest(String problemId, String setSha256, String answer, String... attempts) {
        VerifyRequest request = VerifyRequest.newBuilder().setTask("code").setProblemId(problemId).setProblemSetSha256(setSha256)
                .addAllAttempts(List.of(attempts))
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(3, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("def f(): pass")).build())
                        .addField(4, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8(answer)).build())
                        .build())
                .build();
        return request.toByteArray();
    }

    /** Delivers {@code payload} as the bytes a remote node would send, through the real wire serializer. */
    private static VerifyResult send(ActorRef<VerifierProtocol.Command> verifier, TestProbe<VerifierProtocol.Verified> replies, byte[] payload)
            throws Exception {
        var serializer = (WireSerializer) SerializationExtension.get(KIT.system().classicSystem()).serializerFor(VerifierProtocol.Verify.class);
        byte[] envelope = WireEnvelope.newBuilder().setReplyTo(ActorRefResolver.get(KIT.system()).toSerializationFormat(replies.ref()))
                .setPayload(ByteString.copyFrom(payload)).build().toByteArray();
        verifier.tell((VerifierProtocol.Verify) serializer.fromBinary(envelope, "V.Verify"));
        return replies.receiveMessage(Duration.ofSeconds(30)).payload();
    }

    private static String pythonString(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /**
     * A task whose verifier hangs on the attempt "hang" (a stand-in for a pathological input) and is not instant,
     * so groups go through the scorer's threads under a deadline built from {@code bound}.
     */
    private record HangingTask(Task inner, Duration bound) implements Task {
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

                @Override public Duration attemptBound() {
                    return bound;
                }
            };
        }
    }
}
