package emend.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import emend.actors.learner.Learner;
import emend.actors.protocol.LearnerProtocol;
import emend.checkpoint.ResumeCheckpoint;
import emend.model.Weights;
import emend.proto.GroupAck;
import emend.proto.GroupResult;
import emend.proto.PromptLease;
import emend.proto.RunSpec;
import emend.proto.RuntimeStatus;
import emend.proto.StatusRequest;
import emend.proto.TrainerState;
import emend.proto.WeightChunkRequest;
import emend.proto.WorkRequest;
import emend.proto.WorkerHello;
import emend.run.LearnerJob;
import emend.run.TrainingSession;
import emend.testing.HonestGroups;
import emend.testing.TinyLearnerJob;
import emend.weights.WeightAssembly;
import emend.weights.WeightPublication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The learner actor against a scripted worker (a test probe), with a real tiny model taking real steps. */
final class LearnerTest {

    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final Duration STEP = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private static List<PromptLease> ask(ActorRef<LearnerProtocol.Command> learner, TestProbe<LearnerProtocol.ToWorker> worker, int capacity, long held) {
        learner.tell(new LearnerProtocol.RequestWork(WorkRequest.newBuilder().setWorkerId("w").setCapacity(capacity).setPolicyVersion(held).build(),
                worker.ref()));
        return worker.expectMessageClass(LearnerProtocol.Grant.class).payload().getLeasesList();
    }

    private static GroupAck.Outcome submit(ActorRef<LearnerProtocol.Command> learner, TestProbe<LearnerProtocol.ToWorker> worker, GroupResult result) {
        learner.tell(new LearnerProtocol.Submit(result, worker.ref()));
        return worker.expectMessageClass(LearnerProtocol.Ack.class).payload().getOutcome();
    }

    private static RuntimeStatus status(ActorRef<LearnerProtocol.Command> learner) {
        TestProbe<LearnerProtocol.Status> probe = KIT.createTestProbe();
        learner.tell(new LearnerProtocol.GetStatus(StatusRequest.getDefaultInstance(), probe.ref()));
        return probe.expectMessageClass(LearnerProtocol.Status.class).payload();
    }

    @Test
    void synchronousRun_leasesOneBatchPerVersionAndPublishesEachVersion() {
        try (TinyLearnerJob tiny = new TinyLearnerJob(dir, "[\"stage1:1\", \"stage2:1\"]", 2, Map.of())) {
            LearnerJob job = tiny.job();
            CompletableFuture<TrainingSession.Outcome> done = new CompletableFuture<>();
            ActorRef<LearnerProtocol.Command> learner = KIT.spawn(Learner.create(job, done));
            TestProbe<LearnerProtocol.ToWorker> worker = KIT.createTestProbe();

            learner.tell(new LearnerProtocol.Hello(WorkerHello.newBuilder().setWorkerId("w").build(), worker.ref()));
            RunSpec spec = worker.expectMessageClass(LearnerProtocol.Spec.class).payload();
            assertEquals(0, spec.getManifest().getVersion());
            WeightAssembly assembly = new WeightAssembly(spec.getManifest());
            for (int i = 0; i < spec.getManifest().getChunkCount(); i++) {
                learner.tell(new LearnerProtocol.FetchChunk(WeightChunkRequest.newBuilder().setVersion(0).setIndex(i).build(), worker.ref()));
                assembly.accept(worker.expectMessageClass(LearnerProtocol.Chunk.class).payload());
            }
            assertArrayEquals(encoded(job.policy().weights()), assembly.bytes(), "version 0 is the starting policy");

            List<PromptLease> first = ask(learner, worker, 10, 0);
            assertEquals(2, first.size(), "eta = 0: one batch of 2 prompts");
            assertTrue(first.stream().allMatch(PromptLease::getTwoTurns));
            assertEquals(0, ask(learner, worker, 10, 0).size(), "the window is closed until the learner steps");
            assertEquals(GroupAck.Outcome.ACCEPTED, submit(learner, worker, HonestGroups.group(first.get(0), "w", 0, job.dialogue())));
            assertEquals(GroupAck.Outcome.DUPLICATE, submit(learner, worker, HonestGroups.group(first.get(0), "w", 0, job.dialogue())));
            assertEquals(GroupAck.Outcome.ACCEPTED, submit(learner, worker, HonestGroups.group(first.get(1), "w", 0, job.dialogue())));
            LearnerProtocol.SharedVersion one = worker.expectMessageClass(LearnerProtocol.SharedVersion.class, STEP);
            assertEquals(1, one.payload().getVersion(), "a worker in the learner's JVM gets the version's bytes themselves");
            assertArrayEquals(encoded(job.policy().weights()), one.bytes(), "version 1 is the policy after step 1");

            assertEquals(0, ask(learner, worker, 10, 0).size(), "a request from weights of version 0 (the announcement not yet in): nothing to sample");
            List<PromptLease> second = ask(learner, worker, 10, 1);
            assertEquals(2, second.size());
            for (PromptLease lease : second) {
                submit(learner, worker, HonestGroups.group(lease, "w", 1, job.dialogue()));
            }
            assertEquals(2, worker.expectMessageClass(LearnerProtocol.SharedVersion.class, STEP).payload().getVersion());
            done.join();
            assertEquals(2, job.trainer().stepsDone());
            RuntimeStatus status = status(learner);
            assertEquals(4, status.getPromptsDispatched());
            assertEquals(status.getPromptsDispatched(), status.getPromptsCompleted() + status.getPromptsInFlight() + status.getPromptsReissued());
            assertEquals(1, status.getDuplicates());
            assertTrue(status.getFinished());
            assertTrue(ask(learner, worker, 10, 2).isEmpty());
        }
    }

    @Test
    void workerHeldAtAnOldVersion_hasItsSamplesRefusedAndCounted() {
        try (TinyLearnerJob tiny = new TinyLearnerJob(dir, "[\"stage1:3\"]", 1, Map.of("emend.runtime.max-staleness", "1"))) {
            LearnerJob job = tiny.job();
            ActorRef<LearnerProtocol.Command> learner = KIT.spawn(Learner.create(job, new CompletableFuture<>()));
            TestProbe<LearnerProtocol.ToWorker> worker = KIT.createTestProbe();
            learner.tell(new LearnerProtocol.Hello(WorkerHello.newBuilder().setWorkerId("w").build(), worker.ref()));
            worker.expectMessageClass(LearnerProtocol.Spec.class);

            List<PromptLease> atZero = ask(learner, worker, 10, 0);
            assertEquals(2, atZero.size(), "eta = 1: (1 + 0 + 1) x 1 prompts may start at version 0");
            submit(learner, worker, HonestGroups.group(atZero.get(0), "w", 0, job.dialogue()));
            assertEquals(1, worker.expectMessageClass(LearnerProtocol.SharedVersion.class, STEP).payload().getVersion());
            List<PromptLease> atOne = ask(learner, worker, 10, 0);
            assertEquals(1, atOne.size());
            // one version behind: admitted (and corrected by the clipped ratio)
            assertEquals(GroupAck.Outcome.ACCEPTED, submit(learner, worker, HonestGroups.group(atZero.get(1), "w", 0, job.dialogue())));
            assertEquals(2, worker.expectMessageClass(LearnerProtocol.SharedVersion.class, STEP).payload().getVersion());
            // this worker never fetched a newer version: two versions behind is refused
            assertEquals(GroupAck.Outcome.STALE, submit(learner, worker, HonestGroups.group(atOne.get(0), "w", 0, job.dialogue())));
            RuntimeStatus status = status(learner);
            assertEquals(1, status.getDroppedStale());
            assertEquals(status.getPromptsDispatched(), status.getPromptsCompleted() + status.getPromptsInFlight() + status.getPromptsReissued());
            assertEquals(atOne.get(0).getProblemId(), ask(learner, worker, 1, 2).get(0).getProblemId(), "its prompt goes out again");
        }
    }

    @Test
    void learnerThatStopsBeforeItsScheduleIsDone_failsTheJobNamingTheResumeCommand() {
        try (TinyLearnerJob tiny = new TinyLearnerJob(dir, "[\"stage1:3\"]", 1, Map.of())) {
            CompletableFuture<TrainingSession.Outcome> done = new CompletableFuture<>();
            ActorRef<LearnerProtocol.Command> learner = KIT.spawn(Learner.create(tiny.job(), done));
            status(learner);
            KIT.stop(learner);
            ExecutionException failure = assertThrows(ExecutionException.class, () -> done.get(10, TimeUnit.SECONDS));
            String message = failure.getCause().getMessage();
            assertTrue(message.contains("stopped after step 0 of 3") && message.contains("--resume " + dir), message);
        }
    }

    @Test
    void learnerBehindTheRunDirectory_refusesToTakeOver() throws Exception {
        try (TinyLearnerJob tiny = new TinyLearnerJob(dir, "[\"stage1:3\"]", 1, Map.of())) {
            // another learner of this run got to step 5 (only the trainer state matters to the check)
            Path state = dir.resolve(ResumeCheckpoint.DIRECTORY);
            Files.createDirectories(state);
            Files.writeString(state.resolve("trainer-state.json"),
                    JsonFormat.printer().print(TrainerState.newBuilder().setFormatVersion(1).setStepsDone(5).build()));
            CompletableFuture<TrainingSession.Outcome> done = new CompletableFuture<>();
            KIT.spawn(Learner.create(tiny.job(), done));
            ExecutionException failure = assertThrows(ExecutionException.class, () -> done.get(10, TimeUnit.SECONDS));
            assertTrue(failure.getCause().getMessage().contains("resume state at step 5") && failure.getCause().getMessage().contains("--resume"),
                    failure.getCause().getMessage());
        }
    }

    /** The bytes a publication of {@code weights} carries (their layout is pinned by WeightPublicationTest). */
    private static byte[] encoded(Weights weights) {
        return WeightPublication.of(0, weights, 1 << 20, "{}").sharedBytes();
    }
}
