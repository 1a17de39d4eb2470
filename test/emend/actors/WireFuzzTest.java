package emend.actors;

import emend.actors.protocol.VerifierProtocol;
import emend.actors.protocol.NodeProtocol;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import emend.actors.learner.Learner;
import emend.actors.protocol.LearnerProtocol;
import emend.actors.node.NodeAgent;
import emend.actors.node.NodeConfig;
import emend.actors.metrics.NodeMetrics;
import emend.actors.node.NodeOptions;
import emend.actors.rollout.RolloutWorker;
import emend.actors.rollout.WorkerProtocol;
import emend.actors.verifier.VerifierActor;
import emend.actors.verifier.VerifierPool;
import emend.actors.protocol.WireMessage;
import emend.actors.wire.WireSerializer;
import emend.engine.DeviceSlots;
import emend.proto.ControlRequest;
import emend.proto.DrainNode;
import emend.proto.GroupAck;
import emend.proto.GroupResult;
import emend.proto.LeaseGrant;
import emend.proto.PauseRun;
import emend.proto.PromptLease;
import emend.proto.ResumeRun;
import emend.proto.RunSpec;
import emend.proto.RuntimeStatus;
import emend.proto.ScaleWorkers;
import emend.proto.StatusQuery;
import emend.proto.StatusRequest;
import emend.proto.StopRun;
import emend.proto.VerifyRequest;
import emend.proto.WeightChunk;
import emend.proto.WeightChunkRequest;
import emend.proto.WeightManifest;
import emend.proto.WorkRequest;
import emend.proto.WorkerHello;
import emend.rollout.Trajectory;
import emend.run.LearnerJob;
import emend.run.TrainingSession;
import emend.task.Dialogue;
import emend.task.Problem;
import emend.task.ProblemSet;
import emend.testing.HonestGroups;
import emend.testing.MetricsText;
import emend.testing.TinyLearnerJob;
import emend.wire.LearnerEdge;
import java.io.NotSerializableException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20's fuzz test: 10,000 well-formed but hostile envelopes, each of a wire message type a live actor takes
 * (learner, rollout worker, verifier pool, node agent), with random values that break one of the edge rules,
 * go through the real wire serializer (bytes and back) into the actors while the run is paused. Every one is
 * counted as a rejection, exactly once; no lease is completed by any of them; every actor stays alive; and once
 * resumed the run trains to the end of its schedule with the real worker (a stand-in generator), verifier and
 * learner.
 */
final class WireFuzzTest {

    private static final int ENVELOPES = 10_000;

    @TempDir
    Path dir;

    /** A hostile message and where it goes; {@code counted} is false for traffic the actors ignore by design. */
    private record Hostile(ActorRef<?> target, WireMessage message, boolean counted) {}

    @Test
    void tenThousandHostileEnvelopes_areEachCountedAndDropped_everyActorLives_andTheRunTrainsOn() throws Exception {
        ActorTestKit kit = ActorTestKit.create(NodeConfig.of(NodeOptions.singleJvm(0)));
        try (TinyLearnerJob tiny = new TinyLearnerJob(dir, "[\"stage1:2\"]", 2, Map.of("emend.runtime.max-staleness", "1",
                "emend.runtime.lease-timeout", "300s", "emend.runtime.weight-stream-port", "-1"))) {
            LearnerJob job = tiny.job();
            CompletableFuture<TrainingSession.Outcome> done = new CompletableFuture<>();
            ActorRef<LearnerProtocol.Command> learner = kit.spawn(Learner.create(job, done), "learner");

            // two fuzzing "workers" (a cluster member can say hello like any worker), each holding one real lease
            TestProbe<LearnerProtocol.ToWorker> f1 = kit.createTestProbe();
            TestProbe<LearnerProtocol.ToWorker> f2 = kit.createTestProbe();
            RunSpec spec = hello(learner, f1, "fuzz-1");
            hello(learner, f2, "fuzz-2");
            PromptLease l1 = lease(learner, f1, "fuzz-1");
            PromptLease l2 = lease(learner, f2, "fuzz-2");
            TestProbe<LearnerProtocol.ControlResponse> control = kit.createTestProbe();
            learner.tell(new LearnerProtocol.Control(ControlRequest.newBuilder().setPause(PauseRun.getDefaultInstance()).build(), control.ref()));
            control.receiveMessage();

            TestProbe<ActorRef<VerifierProtocol.Command>> created = kit.createTestProbe();
            kit.spawn(Behaviors.<Void>setup(context -> {
                created.ref().tell(VerifierPool.spawn(context, job.task(), 2, new VerifierActor.Limits(4, 100)));
                return Behaviors.empty();
            }));
            ActorRef<VerifierProtocol.Command> verifiers = created.receiveMessage();
            ActorRef<NodeProtocol.Command> agent = kit.spawn(NodeAgent.create(Set.of("rollout"), 0, 4, (index, id) -> new NodeAgent.Worker(Behaviors.receive(LearnerProtocol.ToWorker.class)
                    .onMessageEquals(WorkerProtocol.Drain.INSTANCE, Behaviors::stopped).build(), "cpu")), "node-agent");
            ActorRef<LearnerProtocol.ToWorker> worker = kit.spawn(RolloutWorker.create(new WorkerProtocol.Setup("fuzz/rollout-1", DeviceSlots.CPU.forWorker(0),
                    job.runtime(), learner, WireFuzzTest::honestGenerator)), "rollout-1");
            AtomicInteger deaths = new AtomicInteger();
            kit.spawn(watcher(List.of(learner, verifiers, agent, worker), deaths));
            TestProbe<LearnerProtocol.Status> status = kit.createTestProbe();
            status.awaitAssert(Duration.ofSeconds(30), () -> {
                assertEquals(3, status(learner, status).getWorkers(), "the real worker registered");
                return null;
            });

            NodeMetrics metrics = NodeMetrics.get(kit.system());
            long before = metrics.rejectedTotal();
            TestProbe<Object> sink = kit.createTestProbe();
            Fuzzer fuzzer = new Fuzzer(new Random(20), job, spec, l1, l2, learner, f1.ref(), sink, worker, verifiers, agent);
            WireSerializer serializer = (WireSerializer) SerializationExtension.get(kit.system().classicSystem()).serializerFor(LearnerProtocol.Submit.class);
            int counted = 0;
            for (int i = 0; i < ENVELOPES; i++) {
                if (i % 100 == 0) {
                    // bytes that are not the message they claim to be: refused by the serializer itself
                    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[] {18, 3, 8, (byte) 0xff, (byte) 0xff}, "L.Submit"));
                    counted++;
                    continue;
                }
                Hostile hostile = fuzzer.next();
                Object delivered = serializer.fromBinary(serializer.toBinary(hostile.message()), serializer.manifest(hostile.message()));
                tellAny(hostile.target(), delivered);
                counted += hostile.counted() ? 1 : 0;
            }
            long expected = before + counted;
            status.awaitAssert(Duration.ofSeconds(60), () -> {
                assertEquals(expected, metrics.rejectedTotal(), "every hostile envelope is counted once");
                return null;
            });
            RuntimeStatus afterFuzz = status(learner, status);
            assertEquals(0, afterFuzz.getPromptsCompleted(), "no lease was completed by a hostile result");
            assertEquals(2, afterFuzz.getPromptsInFlight());
            assertEquals(0, afterFuzz.getStepsDone());
            assertTrue(MetricsText.of(metrics.registry).contains("emend_wire_rejected_total{reason=\"reward\",type=\"Submit\"}"),
                    "counted by type and reason");

            // a member of the cluster (a reply address on another node) sends stop: refused and counted; the run goes on below
            ActorRef<LearnerProtocol.ControlResponse> intruder = ActorRefResolver.get(kit.system())
                    .resolveActorRef("pekko://" + kit.system().name() + "@10.255.255.1:25520/user/intruder");
            learner.tell(new LearnerProtocol.Control(ControlRequest.newBuilder().setStop(StopRun.getDefaultInstance()).build(), intruder));
            long refusedControl = expected + 1;
            status.awaitAssert(Duration.ofSeconds(10), () -> {
                assertEquals(refusedControl, metrics.rejectedTotal(), "the remote run-control command is counted");
                return null;
            });
            assertTrue(MetricsText.of(metrics.registry).contains("emend_wire_rejected_total{reason=\"sender\",type=\"Control\"}"));

            // the holders finish their leases honestly; resumed, the run trains to the end of its schedule
            learner.tell(new LearnerProtocol.Submit(HonestGroups.group(l1, "fuzz-1", 0, job.dialogue()), f1.ref()));
            learner.tell(new LearnerProtocol.Submit(HonestGroups.group(l2, "fuzz-2", 0, job.dialogue()), f2.ref()));
            learner.tell(new LearnerProtocol.Control(ControlRequest.newBuilder().setResume(ResumeRun.getDefaultInstance()).build(), control.ref()));
            done.get(120, TimeUnit.SECONDS);
            assertEquals(2, job.trainer().stepsDone());
            List<GroupAck.Outcome> outcomes = acks(f1);
            assertEquals(GroupAck.Outcome.ACCEPTED, outcomes.get(outcomes.size() - 1), "the holder's honest result is admitted");
            assertTrue(outcomes.subList(0, outcomes.size() - 1).stream().allMatch(o -> o == GroupAck.Outcome.EXPIRED),
                    "every lying result of the holder was refused (" + (outcomes.size() - 1) + " of them)");

            // every actor answers, and none has stopped
            assertEquals(2, status(learner, status).getStepsDone());
            TestProbe<VerifierProtocol.Verified> verified = kit.createTestProbe();
            Problem problem = job.task().train().get(0);
            verifiers.tell(new VerifierProtocol.Verify(VerifyRequest.newBuilder().setTask(job.task().name()).setProblemId(problem.id())
                    .setProblemSetSha256(ProblemSet.of(job.task()).sha256()).addAttempts(job.task().correctAttempt(problem)).build(), verified.ref()));
            assertEquals(List.of(1), verified.receiveMessage(Duration.ofSeconds(10)).payload().getScoresList());
            TestProbe<NodeProtocol.NodeReply> node = kit.createTestProbe();
            agent.tell(new NodeProtocol.Describe(StatusQuery.getDefaultInstance(), node.ref()));
            assertEquals("UP", node.receiveMessage().payload().getState());
            assertEquals(0, deaths.get(), "no actor stopped");
            assertEquals(refusedControl, metrics.rejectedTotal(), "honest traffic is never counted as a rejection");
        } finally {
            kit.shutdownTestKit();
        }
    }

    /** Draws hostile messages: each breaks at least one rule of its receiver's edge, with random values elsewhere. */
    private static final class Fuzzer {
        private final Random random;
        private final LearnerJob job;
        private final RunSpec spec;
        private final PromptLease l1;
        private final PromptLease l2;
        private final ActorRef<LearnerProtocol.Command> learner;
        private final ActorRef<LearnerProtocol.ToWorker> f1;
        private final TestProbe<Object> sink;
        private final ActorRef<LearnerProtocol.ToWorker> worker;
        private final ActorRef<VerifierProtocol.Command> verifiers;
        private final ActorRef<NodeProtocol.Command> agent;
        private final List<Supplier<Hostile>> kinds = new ArrayList<>();
        private final int vocab;

        Fuzzer(Random random, LearnerJob job, RunSpec spec, PromptLease l1, PromptLease l2, ActorRef<LearnerProtocol.Command> learner,
               ActorRef<LearnerProtocol.ToWorker> f1, TestProbe<Object> sink, ActorRef<LearnerProtocol.ToWorker> worker,
               ActorRef<VerifierProtocol.Command> verifiers, ActorRef<NodeProtocol.Command> agent) {
            this.random = random;
            this.job = job;
            this.spec = spec;
            this.l1 = l1;
            this.l2 = l2;
            this.learner = learner;
            this.f1 = f1;
            this.sink = sink;
            this.worker = worker;
            this.verifiers = verifiers;
            this.agent = agent;
            this.vocab = job.policy().weights().config().vocabSize();
            kinds.add(this::hello);
            kinds.add(this::requestWork);
            kinds.add(this::submitForeign);
            kinds.add(this::submitMalformed);
            kinds.add(this::submitMalformed);
            kinds.add(this::submitMalformed);
            kinds.add(this::fetchChunk);
            kinds.add(this::statusOrControlWithoutReply);
            kinds.add(this::spec);
            kinds.add(this::grant);
            kinds.add(this::newVersion);
            kinds.add(this::chunkOrAck);
            kinds.add(this::verify);
            kinds.add(this::nodeAgent);
        }

        Hostile next() {
            return kinds.get(random.nextInt(kinds.size())).get();
        }

        private <T> ActorRef<T> sink() {
            return sink.ref().narrow();
        }

        private String junk() {
            byte[] bytes = new byte[random.nextInt(12)];
            random.nextBytes(bytes);
            return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        }

        private int outside(int from, int to) {
            // an int outside [from, to]
            return random.nextBoolean() ? from - 1 - random.nextInt(Integer.MAX_VALUE - Math.max(0, to)) / 2 : to + 1 + random.nextInt(1 << 20);
        }

        private Hostile hello() {
            WorkerHello.Builder hello = WorkerHello.newBuilder().setWorkerId("fuzz-new-" + random.nextInt()).setNonce(random.nextLong());
            ActorRef<LearnerProtocol.ToWorker> replyTo = sink();
            switch (random.nextInt(4)) {
                case 0 -> replyTo = null;
                case 1 -> hello.setWorkerId("");
                case 2 -> hello.setDevice("d".repeat(LearnerEdge.MAX_NAME + 1 + random.nextInt(100)));
                default -> hello.setWorkerId("fuzz-1");
            }
            return new Hostile(learner, new LearnerProtocol.Hello(hello.build(), replyTo), true);
        }

        private Hostile requestWork() {
            WorkRequest.Builder request = WorkRequest.newBuilder().setWorkerId("fuzz-1").setCapacity(1 + random.nextInt(8))
                    .setPolicyVersion(random.nextLong());
            ActorRef<LearnerProtocol.ToWorker> replyTo = f1;
            switch (random.nextInt(5)) {
                case 0 -> replyTo = null;
                case 1 -> request.setWorkerId("nobody-" + junk());
                case 2 -> replyTo = sink();
                case 3 -> request.setPolicyVersion(random.nextBoolean() ? -2 - random.nextInt(1 << 20) : 1_000_000 + random.nextInt(1 << 20));
                default -> request.setCapacity(outside(1, LearnerEdge.MAX_CAPACITY));
            }
            return new Hostile(learner, new LearnerProtocol.RequestWork(request.build(), replyTo), true);
        }

        private Hostile submitForeign() {
            GroupResult.Builder result = HonestGroups.group(l1, "fuzz-1", 0, job.dialogue()).toBuilder();
            ActorRef<LearnerProtocol.ToWorker> replyTo = f1;
            switch (random.nextInt(4)) {
                case 0 -> replyTo = null;
                case 1 -> result.setWorkerId("nobody-" + junk());
                case 2 -> replyTo = sink();
                // a lease the other fuzzing worker holds
                default -> result = HonestGroups.group(l2, "fuzz-1", 0, job.dialogue()).toBuilder();
            }
            return new Hostile(learner, new LearnerProtocol.Submit(result.build(), replyTo), true);
        }

        /**
         * The holder's result for its lease with one lie in it, sometimes two: a second lie is always a field set to
         * a value outside its range, which nothing undoes (two changes of the group's size could give back an
         * honest group: one row added, the other removed).
         */
        private Hostile submitMalformed() {
            GroupResult.Builder result = HonestGroups.group(l1, "fuzz-1", 0, job.dialogue()).toBuilder();
            lie(result, 14);
            if (random.nextBoolean() && result.getTrajectoriesCount() == 2) {
                lie(result, 11);
            }
            return new Hostile(learner, new LearnerProtocol.Submit(result.build(), f1), true);
        }

        /** @param kinds 14: any lie; 11: only a field out of its range */
        private void lie(GroupResult.Builder result, int kinds) {
            int row = random.nextInt(result.getTrajectoriesCount());
            emend.proto.Trajectory.Builder t = result.getTrajectoriesBuilder(row);
            switch (random.nextInt(kinds)) {
                case 0 -> t.setRewardOne(outside(0, 1));
                case 1 -> t.setRewardTwo(outside(0, 1));
                case 2 -> t.setAttemptOne(random.nextInt(t.getAttemptOneCount()), random.nextBoolean() ? vocab + random.nextInt(1 << 20) : -1 - random.nextInt(1000));
                case 3 -> {
                    int at = random.nextInt(t.getPromptOneCount());
                    t.setPromptOne(at, (t.getPromptOne(at) + 1 + random.nextInt(vocab - 1)) % vocab);
                }
                case 4 -> {
                    int extra = job.task().maxAttemptTokens() + 1 - t.getAttemptOneCount() + random.nextInt(50);
                    for (int i = 0; i < extra; i++) {
                        t.addAttemptOne(random.nextInt(vocab)).addLogProbsOne(-1f);
                    }
                }
                case 5 -> t.setLogProbsOne(random.nextInt(t.getLogProbsOneCount()), random.nextBoolean() ? Float.NaN : 0.5f + random.nextFloat() * 100);
                case 6 -> t.addLogProbsTwo(-random.nextFloat());
                case 7 -> t.setPolicyVersion(random.nextBoolean() ? 1 + random.nextInt(Integer.MAX_VALUE) : Long.MAX_VALUE);
                case 8 -> t.setTemperature(new double[] {0, -random.nextDouble(), Double.NaN, Double.POSITIVE_INFINITY, 100 + 1e-9 + random.nextDouble() * 1e6}
                        [random.nextInt(5)]);
                case 9 -> t.setProblemId("p-" + junk());
                case 10 -> t.setGroupId(random.nextInt(1000) + "/" + junk());
                case 11 -> result.addTrajectories(result.getTrajectories(row));
                case 12 -> result.removeTrajectories(row);
                default -> result.setVerifyTimeouts(outside(0, 2));
            }
        }

        private Hostile fetchChunk() {
            int chunks = spec.getManifest().getChunkCount();
            WeightChunkRequest.Builder request = WeightChunkRequest.newBuilder().setVersion(0).setIndex(random.nextInt(chunks));
            ActorRef<LearnerProtocol.ToWorker> replyTo = f1;
            switch (random.nextInt(3)) {
                case 0 -> replyTo = null;
                case 1 -> replyTo = sink();
                default -> request.setIndex(outside(0, chunks - 1));
            }
            return new Hostile(learner, new LearnerProtocol.FetchChunk(request.build(), replyTo), true);
        }

        private Hostile statusOrControlWithoutReply() {
            if (random.nextBoolean()) {
                return new Hostile(learner, new LearnerProtocol.GetStatus(StatusRequest.getDefaultInstance(), null), true);
            }
            // a stop nobody can be told about is never carried out
            return new Hostile(learner, new LearnerProtocol.Control(ControlRequest.newBuilder().setStop(StopRun.getDefaultInstance()).build(), null), true);
        }

        private Hostile spec() {
            WeightManifest pinned = spec.getManifest().toBuilder().setVersion(Long.MAX_VALUE).setStreamAddress("10.6.6.6:" + random.nextInt(65536))
                    .build();
            RunSpec forged = spec.toBuilder().setHelloNonce(random.nextLong()).setLearnerEpoch(random.nextLong()).setManifest(pinned)
                    .setSamplesPerPrompt(random.nextInt()).build();
            return new Hostile(worker, new LearnerProtocol.Spec(forged), true);
        }

        private Hostile grant() {
            PromptLease lease = PromptLease.newBuilder().setLeaseId(random.nextLong()).setProblemId("p").setQuestion("2*x=" + random.nextInt())
                    .setTemperature(1).build();
            LeaseGrant.Builder grant = LeaseGrant.newBuilder().setLearnerEpoch(spec.getLearnerEpoch()).setWorkerNonce(random.nextLong())
                    .addLeases(lease);
            switch (random.nextInt(3)) {
                // the right epoch, but not this worker's nonce
                case 0 -> { }
                // another learner handing out work
                case 1 -> grant.setLearnerEpoch(spec.getLearnerEpoch() + 1 + random.nextInt(1000));
                default -> grant.addAllLeases(Collections.nCopies(job.runtime().promptsPerRequest() + random.nextInt(100), lease));
            }
            return new Hostile(worker, new LearnerProtocol.Grant(grant.build()), true);
        }

        private Hostile newVersion() {
            WeightManifest.Builder manifest = spec.getManifest().toBuilder().setVersion(Long.MAX_VALUE - random.nextInt(1000))
                    .setWorkerNonce(random.nextLong()).setStreamAddress("10.6.6.6:" + random.nextInt(65536));
            switch (random.nextInt(3)) {
                case 0 -> manifest.setLearnerEpoch(random.nextLong());
                // the right epoch (a member knows it) but the wrong nonce, or a size that would exhaust memory
                case 1 -> { }
                default -> manifest.setByteSize(random.nextLong() & Long.MAX_VALUE);
            }
            return new Hostile(worker, new LearnerProtocol.NewVersion(manifest.build()), true);
        }

        /** Stale chunks and acks of unknown leases are ordinary traffic (a late reply): ignored, not counted. */
        private Hostile chunkOrAck() {
            if (random.nextBoolean()) {
                return new Hostile(worker, new LearnerProtocol.Chunk(WeightChunk.newBuilder().setVersion(random.nextLong()).setIndex(random.nextInt())
                        .setData(ByteString.copyFromUtf8(junk())).setGone(random.nextBoolean()).build()), false);
            }
            return new Hostile(worker, new LearnerProtocol.Ack(GroupAck.newBuilder().setLeaseId(random.nextLong())
                    .setOutcome(GroupAck.Outcome.forNumber(random.nextInt(5))).build()), false);
        }

        private Hostile verify() {
            Problem problem = job.task().train().get(random.nextInt(job.task().train().size()));
            VerifyRequest.Builder request = VerifyRequest.newBuilder().setTask(job.task().name()).setProblemId(problem.id())
                    .setProblemSetSha256(ProblemSet.of(job.task()).sha256()).addAttempts(junk());
            ActorRef<VerifierProtocol.Verified> replyTo = sink();
            switch (random.nextInt(6)) {
                case 0 -> replyTo = null;
                case 1 -> request.setTask("code");
                case 2 -> request.setProblemId("p-" + junk() + "-unknown");
                case 3 -> request.setProblemSetSha256(junk());
                case 4 -> request.clearAttempts();
                default -> request.addAllAttempts(Collections.nCopies(emend.wire.VerifyCheck.MAX_ATTEMPTS, "x"));
            }
            return new Hostile(verifiers, new VerifierProtocol.Verify(request.build(), replyTo), true);
        }

        private Hostile nodeAgent() {
            ActorRef<NodeProtocol.NodeReply> replyTo = sink();
            return switch (random.nextInt(4)) {
                case 0 -> new Hostile(agent, new NodeProtocol.Scale(ScaleWorkers.newBuilder().setRolloutWorkers(outside(0, 4)).setNode(junk()).build(),
                        replyTo), true);
                case 1 -> new Hostile(agent, new NodeProtocol.Scale(ScaleWorkers.newBuilder().setRolloutWorkers(random.nextInt(4)).build(), null), true);
                case 2 -> new Hostile(agent, new NodeProtocol.Drain(DrainNode.newBuilder().setNode(junk()).build(), null), true);
                default -> new Hostile(agent, new NodeProtocol.Describe(StatusQuery.getDefaultInstance(), null), true);
            };
        }
    }

    @SuppressWarnings("unchecked")
    private static void tellAny(ActorRef<?> target, Object message) {
        ((ActorRef<Object>) target).tell(message);
    }

    private static RunSpec hello(ActorRef<LearnerProtocol.Command> learner, TestProbe<LearnerProtocol.ToWorker> worker, String id) {
        learner.tell(new LearnerProtocol.Hello(WorkerHello.newBuilder().setWorkerId(id).setNonce(id.hashCode()).build(), worker.ref()));
        return worker.expectMessageClass(LearnerProtocol.Spec.class).payload();
    }

    private static PromptLease lease(ActorRef<LearnerProtocol.Command> learner, TestProbe<LearnerProtocol.ToWorker> worker, String id) {
        learner.tell(new LearnerProtocol.RequestWork(WorkRequest.newBuilder().setWorkerId(id).setCapacity(1).build(), worker.ref()));
        List<PromptLease> leases = worker.expectMessageClass(LearnerProtocol.Grant.class).payload().getLeasesList();
        assertEquals(1, leases.size());
        return leases.get(0);
    }

    private static RuntimeStatus status(ActorRef<LearnerProtocol.Command> learner, TestProbe<LearnerProtocol.Status> probe) {
        learner.tell(new LearnerProtocol.GetStatus(StatusRequest.getDefaultInstance(), probe.ref()));
        return probe.expectMessageClass(LearnerProtocol.Status.class, Duration.ofSeconds(10)).payload();
    }

    private static List<GroupAck.Outcome> acks(TestProbe<LearnerProtocol.ToWorker> worker) {
        List<GroupAck.Outcome> outcomes = new ArrayList<>();
        worker.fishForMessage(Duration.ofSeconds(30), message -> {
            if (message instanceof LearnerProtocol.Ack ack) {
                outcomes.add(ack.payload().getOutcome());
                return ack.payload().getOutcome() == GroupAck.Outcome.ACCEPTED
                        ? FishingOutcomes.complete()
                        : FishingOutcomes.continueAndIgnore();
            }
            return FishingOutcomes.continueAndIgnore();
        });
        return outcomes;
    }

    /** A stand-in generator: instant, and every row is what an honest sampler could have produced. */
    private static emend.rollout.RolloutGenerator honestGenerator(emend.model.Weights weights, Dialogue dialogue) {
        return (prompts, shape, sampling, runSeed, version) -> HonestGroups.groups(prompts, shape.firstAttempts(), shape.twoTurns(), sampling.temperature(),
                version, dialogue);
    }

    /** Counts the actors of {@code watched} that stop. */
    private static Behavior<Void> watcher(List<ActorRef<?>> watched, AtomicInteger deaths) {
        return Behaviors.setup(context -> {
            watched.forEach(context::watch);
            return Behaviors.receive(Void.class).onSignal(Terminated.class, terminated -> {
                deaths.incrementAndGet();
                return Behaviors.same();
            }).build();
        });
    }
}
