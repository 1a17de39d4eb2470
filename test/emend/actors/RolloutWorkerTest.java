package emend.actors;

import emend.actors.protocol.VerifierProtocol;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.protobuf.ByteString;
import emend.actors.protocol.LearnerProtocol;
import emend.actors.rollout.RolloutWorker;
import emend.actors.rollout.WorkerProtocol;
import emend.checkpoint.HfModelConfig;
import emend.config.RuntimeSettings;
import emend.config.Settings;
import emend.dispatch.PolicyReplica;
import emend.engine.DeviceSlots;
import emend.model.ModelConfig;
import emend.model.Weights;
import emend.proto.GroupResult;
import emend.proto.LeaseGrant;
import emend.proto.PromptLease;
import emend.proto.RunSpec;
import emend.proto.VerifyResult;
import emend.proto.WeightChunk;
import emend.proto.WeightChunkRequest;
import emend.testing.TestModels;
import emend.tokenize.ByteTokenizer;
import emend.weights.WeightPublication;
import emend.weights.WeightStreamServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A rollout worker against a scripted learner and verifier: it fetches weights, checks their hash and only then
 * takes work; it reads the weight stream when the manifest names one and fetches over Artery what the stream did
 * not bring; a verifier that never answers costs a timeout, not the pipeline; a worker stopped while it generates
 * frees its model only once the generation has ended.
 */
final class RolloutWorkerTest {

    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    @Test
    void corruptedChunkIsRefetchedBeforeWork_andASilentVerifierCostsOnlyATimeout() {
        WeightPublication publication = tinyPublication();
        int chunks = publication.manifest().getChunkCount();
        TestProbe<LearnerProtocol.Command> learner = KIT.createTestProbe();
        TestProbe<VerifierProtocol.Command> verifiers = KIT.createTestProbe();
        KIT.system().receptionist().tell(Receptionist.register(VerifierProtocol.KEY, verifiers.ref()));
        RuntimeSettings runtime = RuntimeSettings.fromConfig(Settings.load(null, Map.of("emend.runtime.verify-timeout", "300ms")));
        var worker = KIT.spawn(RolloutWorker.create(new WorkerProtocol.Setup("test/rollout-1", DeviceSlots.CPU.forWorker(0), runtime, learner.ref(), PolicyReplica.POLICY)));

        LearnerProtocol.Hello hello = learner.expectMessageClass(LearnerProtocol.Hello.class);
        assertEquals("test/rollout-1", hello.payload().getWorkerId());
        hello.replyTo().tell(spec(hello, publication));

        Map<Integer, Integer> fetches = new HashMap<>();
        LearnerProtocol.RequestWork request = serveChunksUntilWorkIsAsked(learner, publication, 1, fetches);
        assertEquals(chunks, fetches.size(), "every chunk fetched");
        assertEquals(2, fetches.get(1), "chunk 1 arrived corrupted and was fetched again");
        assertEquals(chunks + 1, fetches.values().stream().mapToInt(Integer::intValue).sum(), "only the corrupted chunk was fetched again");
        assertEquals(5, request.payload().getPolicyVersion(), "work is asked for only with the verified version");

        // a verifier that does not answer in time: the group goes out again (never scored 0), and the retry is counted
        request.replyTo().tell(grantOf(hello, 11));
        VerifierProtocol.Verify verify = verifiers.expectMessageClass(VerifierProtocol.Verify.class, Duration.ofSeconds(30));
        assertEquals(4, verify.payload().getAttemptsCount(), "k = 2 attempts 1, then their attempts 2");
        assertEquals(0, verify.payload().getSend());
        VerifierProtocol.Verify again = verifiers.expectMessageClass(VerifierProtocol.Verify.class, Duration.ofSeconds(10));
        assertEquals(1, again.payload().getSend(), "sent again after the 300 ms verify-timeout");
        assertEquals(verify.payload().getAttemptsList(), again.payload().getAttemptsList());
        // a late error for the first sending changes nothing; the answer to the second is taken
        verify.replyTo().tell(new VerifierProtocol.Verified(VerifyResult.newBuilder().setRequestId(11).setSend(0).setError("late").build()));
        again.replyTo().tell(new VerifierProtocol.Verified(VerifyResult.newBuilder().setRequestId(11).setSend(1).addAllScores(List.of(1, 0, 1, 1))
                .build()));
        LearnerProtocol.Submit submit = learner.expectMessageClass(LearnerProtocol.Submit.class, Duration.ofSeconds(10));
        GroupResult result = submit.payload();
        assertEquals(11, result.getLeaseId());
        assertEquals(1, result.getVerifyTimeouts(), "one verification failed before the one that scored the group");
        assertEquals(2, result.getTrajectoriesCount());
        assertEquals(List.of(1, 0), result.getTrajectoriesList().stream().map(t -> t.getRewardOne()).toList());
        assertEquals(List.of(1, 1), result.getTrajectoriesList().stream().map(t -> t.getRewardTwo()).toList());
        assertTrue(result.getTrajectoriesList().stream().allMatch(t -> t.getPolicyVersion() == 5 && t.getAttemptOneCount() == t.getLogProbsOneCount()));
        verifiers.expectNoMessage(Duration.ofMillis(500));
        KIT.stop(worker);
    }

    @Test
    void aVersionSharedByALearnerInThisJvmIsLoadedWithoutFetchingAChunk() {
        WeightPublication first = tinyPublication();
        WeightPublication next = tinyPublication(6, 4);
        TestProbe<LearnerProtocol.Command> learner = KIT.createTestProbe();
        KIT.system().receptionist().tell(Receptionist.register(VerifierProtocol.KEY, KIT.<VerifierProtocol.Command>createTestProbe().ref()));
        RuntimeSettings runtime = RuntimeSettings.fromConfig(Settings.load(null, Map.of()));
        var worker = KIT.spawn(RolloutWorker.create(new WorkerProtocol.Setup("test/shared-1", DeviceSlots.CPU.forWorker(0), runtime, learner.ref(),
                PolicyReplica.POLICY)));
        LearnerProtocol.Hello hello = learner.expectMessageClass(LearnerProtocol.Hello.class);
        hello.replyTo().tell(spec(hello, first));
        assertEquals(5, serveChunksUntilWorkIsAsked(learner, first, -1, new HashMap<>()).payload().getPolicyVersion());

        worker.tell(new LearnerProtocol.SharedVersion(next.manifest().toBuilder().setWorkerNonce(hello.payload().getNonce()).build(),
                next.sharedBytes()));
        while (true) {
            LearnerProtocol.Command message = learner.expectMessageClass(LearnerProtocol.Command.class, Duration.ofSeconds(10));
            assertFalse(message instanceof LearnerProtocol.FetchChunk, "a shared version is loaded from the learner's own bytes");
            if (message instanceof LearnerProtocol.RequestWork request && request.payload().getPolicyVersion() == 6) {
                break;
            }
        }
        KIT.stop(worker);
    }

    @Test
    void aWorkerWhosePolicyCopyCannotStartFails_insteadOfWaitingForALoadThatNeverEnds() {
        TestProbe<LearnerProtocol.Command> learner = KIT.createTestProbe();
        RuntimeSettings runtime = RuntimeSettings.fromConfig(Settings.load(null, Map.of()));
        // a GPU this machine does not have: the model host cannot open its device
        var worker = KIT.spawn(RolloutWorker.create(new WorkerProtocol.Setup("test/no-device", new DeviceSlots.Slot("gpu:7", 0), runtime,
                learner.ref(), PolicyReplica.POLICY)));
        learner.expectTerminated(worker, Duration.ofSeconds(30));
    }

    @Test
    void aWorkerStoppedMidGenerationFreesItsModelOnlyAfterTheGenerationEnds() throws Exception {
        CountDownLatch generating = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Weights> model = new CompletableFuture<>();
        CompletableFuture<Float> readAfterStop = new CompletableFuture<>();
        PolicyReplica.GeneratorFactory blocking = (weights, dialogue) -> {
            model.complete(weights);
            return (prompts, shape, sampling, runSeed, policyVersion) -> {
                generating.countDown();
                try {
                    release.await();
                    readAfterStop.complete(weights.tensors().values().iterator().next().sum().getFloat());
                } catch (InterruptedException | RuntimeException e) {
                    readAfterStop.completeExceptionally(e);
                }
                return List.of();
            };
        };
        // a kit of its own: the verifier registered here must not take the other test's requests
        ActorTestKit kit = ActorTestKit.create();
        try {
            WeightPublication publication = tinyPublication();
            TestProbe<LearnerProtocol.Command> learner = kit.createTestProbe();
            kit.system().receptionist().tell(Receptionist.register(VerifierProtocol.KEY, kit.<VerifierProtocol.Command>createTestProbe().ref()));
            RuntimeSettings runtime = RuntimeSettings.fromConfig(Settings.load(null, Map.of()));
            var worker = kit.spawn(RolloutWorker.create(new WorkerProtocol.Setup("test/rollout-2", DeviceSlots.CPU.forWorker(0), runtime, learner.ref(), blocking)));
            LearnerProtocol.Hello hello = learner.expectMessageClass(LearnerProtocol.Hello.class);
            hello.replyTo().tell(spec(hello, publication));
            serveChunksUntilWorkIsAsked(learner, publication, -1, new HashMap<>()).replyTo().tell(grantOf(hello, 12));
            assertTrue(generating.await(30, TimeUnit.SECONDS), "the grant started a generation");

            kit.stop(worker);
            release.countDown();
            assertTrue(Float.isFinite(readAfterStop.get(30, TimeUnit.SECONDS)), "the generation still reads live weights after the stop");
            NDArray tensor = model.get().tensors().values().iterator().next();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!tensor.isReleased() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(tensor.isReleased(), "the model is freed once the generation has ended");
        } finally {
            release.countDown();
            kit.shutdownTestKit();
        }
    }

    @Test
    void twoWorkersOnTwoDeviceSlotsGenerateAtTheSameTime() throws Exception {
        CountDownLatch bothGenerating = new CountDownLatch(2);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        PolicyReplica.GeneratorFactory meeting = (weights, dialogue) -> (prompts, shape, sampling, runSeed, policyVersion) -> {
            threads.add(Thread.currentThread().getName());
            bothGenerating.countDown();
            try {
                // returns only once the other worker generates too: on one shared thread this would wait in vain
                bothGenerating.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of();
        };
        ActorTestKit kit = ActorTestKit.create();
        try {
            WeightPublication publication = tinyPublication();
            kit.system().receptionist().tell(Receptionist.register(VerifierProtocol.KEY, kit.<VerifierProtocol.Command>createTestProbe().ref()));
            RuntimeSettings runtime = RuntimeSettings.fromConfig(Settings.load(null, Map.of()));
            DeviceSlots slots = DeviceSlots.parse("cpu,cpu");
            for (int i = 0; i < 2; i++) {
                TestProbe<LearnerProtocol.Command> learner = kit.createTestProbe();
                kit.spawn(RolloutWorker.create(new WorkerProtocol.Setup("test/slot-" + i, slots.forWorker(i), runtime, learner.ref(), meeting)));
                LearnerProtocol.Hello hello = learner.expectMessageClass(LearnerProtocol.Hello.class);
                assertEquals(slots.forWorker(i).label(), hello.payload().getDevice());
                hello.replyTo().tell(spec(hello, publication));
                serveChunksUntilWorkIsAsked(learner, publication, -1, new HashMap<>()).replyTo().tell(grantOf(hello, 20 + i));
            }
            assertTrue(bothGenerating.await(30, TimeUnit.SECONDS), "both workers were inside a generation at once");
            assertEquals(Set.of("emend-model", "emend-model-1"), threads, "each slot's model thread");
        } finally {
            kit.shutdownTestKit();
        }
    }

    @Test
    void aWorkerReadsTheWeightStream_andFetchesOverArteryWhatAStreamCutShortOrUnreachableLeftOut() throws Exception {
        WeightPublication publication = tinyPublication();
        int chunks = publication.manifest().getChunkCount();
        ActorTestKit kit = ActorTestKit.create();
        try (WeightStreamServer stream = new WeightStreamServer("127.0.0.1", 0);
             ServerSocket cutShort = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            stream.publish(publication);
            kit.system().receptionist().tell(Receptionist.register(VerifierProtocol.KEY, kit.<VerifierProtocol.Command>createTestProbe().ref()));
            RuntimeSettings runtime = RuntimeSettings.fromConfig(Settings.load(null, Map.of()));

            TestProbe<LearnerProtocol.Command> learner = kit.createTestProbe();
            kit.spawn(RolloutWorker.create(new WorkerProtocol.Setup("test/rollout-3", DeviceSlots.CPU.forWorker(0), runtime, learner.ref(), PolicyReplica.POLICY)));
            LearnerProtocol.Hello hello = learner.expectMessageClass(LearnerProtocol.Hello.class);
            hello.replyTo().tell(spec(hello, publication, stream.address()));
            Map<Integer, Integer> fetches = new HashMap<>();
            assertEquals(5, serveChunksUntilWorkIsAsked(learner, publication, -1, fetches).payload().getPolicyVersion());
            assertEquals(Map.of(), fetches, "the whole version came over the stream");

            // a learner whose stream breaks off before the last chunk
            CompletableFuture.runAsync(() -> {
                try (Socket socket = cutShort.accept(); OutputStream out = socket.getOutputStream()) {
                    WeightChunkRequest.parseDelimitedFrom(socket.getInputStream());
                    for (int i = 0; i < chunks - 1; i++) {
                        publication.chunk(i).writeDelimitedTo(out);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            TestProbe<LearnerProtocol.Command> learner2 = kit.createTestProbe();
            kit.spawn(RolloutWorker.create(new WorkerProtocol.Setup("test/rollout-4", DeviceSlots.CPU.forWorker(0), runtime, learner2.ref(), PolicyReplica.POLICY)));
            LearnerProtocol.Hello hello2 = learner2.expectMessageClass(LearnerProtocol.Hello.class);
            hello2.replyTo().tell(spec(hello2, publication, "127.0.0.1:" + cutShort.getLocalPort()));
            Map<Integer, Integer> fallback = new HashMap<>();
            assertEquals(5, serveChunksUntilWorkIsAsked(learner2, publication, -1, fallback).payload().getPolicyVersion());
            assertEquals(Map.of(chunks - 1, 1), fallback, "only the chunk the stream did not bring was fetched over Artery");

            // a stream that cannot be reached: the whole version comes over Artery
            int closedPort;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closedPort = probe.getLocalPort();
            }
            TestProbe<LearnerProtocol.Command> learner3 = kit.createTestProbe();
            kit.spawn(RolloutWorker.create(new WorkerProtocol.Setup("test/rollout-5", DeviceSlots.CPU.forWorker(0), runtime, learner3.ref(), PolicyReplica.POLICY)));
            LearnerProtocol.Hello hello3 = learner3.expectMessageClass(LearnerProtocol.Hello.class);
            hello3.replyTo().tell(spec(hello3, publication, "127.0.0.1:" + closedPort));
            Map<Integer, Integer> unreachable = new HashMap<>();
            assertEquals(5, serveChunksUntilWorkIsAsked(learner3, publication, -1, unreachable).payload().getPolicyVersion());
            assertEquals(chunks, unreachable.size(), "every chunk over Artery");
        } finally {
            kit.shutdownTestKit();
        }
    }

    @Test
    void aVersionPushedOnTheFollowedStreamIsLoadedOnceAnnounced_withoutAnotherConnectionOrAChunkOverArtery() throws Exception {
        WeightPublication v5 = tinyPublication();
        WeightPublication v6 = tinyPublication(6, 4);
        ActorTestKit kit = ActorTestKit.create();
        CompletableFuture<Void> testDone = new CompletableFuture<>();
        CompletableFuture<Void> publishV6 = new CompletableFuture<>();
        // a learner's stream that takes one connection only: a worker that connected again would be refused and
        // fetch over Artery
        try (ServerSocket oneConnection = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
                try (Socket socket = oneConnection.accept(); OutputStream out = socket.getOutputStream()) {
                    oneConnection.close();
                    assertTrue(WeightChunkRequest.parseDelimitedFrom(socket.getInputStream()).getFollow());
                    for (int i = 0; i < v5.manifest().getChunkCount(); i++) {
                        v5.chunk(i).writeDelimitedTo(out);
                    }
                    out.flush();
                    publishV6.join();
                    WeightChunk.newBuilder().setVersion(6).setManifest(v6.manifest()).build().writeDelimitedTo(out);
                    for (int i = 0; i < v6.manifest().getChunkCount(); i++) {
                        v6.chunk(i).writeDelimitedTo(out);
                    }
                    out.flush();
                    testDone.join();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            String address = "127.0.0.1:" + oneConnection.getLocalPort();
            kit.system().receptionist().tell(Receptionist.register(VerifierProtocol.KEY, kit.<VerifierProtocol.Command>createTestProbe().ref()));
            RuntimeSettings runtime = RuntimeSettings.fromConfig(Settings.load(null, Map.of()));
            TestProbe<LearnerProtocol.Command> learner = kit.createTestProbe();
            kit.spawn(RolloutWorker.create(new WorkerProtocol.Setup("test/rollout-6", DeviceSlots.CPU.forWorker(0), runtime, learner.ref(), PolicyReplica.POLICY)));
            LearnerProtocol.Hello hello = learner.expectMessageClass(LearnerProtocol.Hello.class);
            hello.replyTo().tell(spec(hello, v5, address));
            assertEquals(5, learner.expectMessageClass(LearnerProtocol.RequestWork.class, Duration.ofSeconds(10)).payload().getPolicyVersion());

            publishV6.complete(null);
            hello.replyTo().tell(new LearnerProtocol.NewVersion(v6.manifest().toBuilder().setStreamAddress(address)
                    .setWorkerNonce(hello.payload().getNonce()).build()));
            long held = 5;
            while (held != 6) {
                LearnerProtocol.Command message = learner.expectMessageClass(LearnerProtocol.Command.class, Duration.ofSeconds(10));
                assertInstanceOf(LearnerProtocol.RequestWork.class, message, "only work requests: no chunk over Artery");
                held = ((LearnerProtocol.RequestWork) message).payload().getPolicyVersion();
            }
            assertFalse(serving.isDone(), "the one connection is still open");
        } finally {
            testDone.complete(null);
            kit.shutdownTestKit();
        }
    }

    /** Version 5 of a tiny random model, published in chunks. */
    private static WeightPublication tinyPublication() {
        return tinyPublication(5, 3);
    }

    private static WeightPublication tinyPublication(long version, long initSeed) {
        ModelConfig config = ModelConfig.preset("tiny", TOKENIZER.vocabSize(), 64);
        try (NDManager manager = TestModels.manager(); Weights weights = Weights.initialize(config, initSeed, manager)) {
            return WeightPublication.of(version, weights, 1 << 20, HfModelConfig.toJson(config, TOKENIZER.specials()));
        }
    }

    private static LearnerProtocol.Spec spec(LearnerProtocol.Hello hello, WeightPublication publication) {
        return spec(hello, publication, "");
    }

    /**
     * The learner's answer to {@code hello} (it echoes the hello's nonce).
     *
     * @param streamAddress the learner's weight stream, or empty: chunks over Artery
     */
    private static LearnerProtocol.Spec spec(LearnerProtocol.Hello hello, WeightPublication publication, String streamAddress) {
        return new LearnerProtocol.Spec(RunSpec.newBuilder().setHelloNonce(hello.payload().getNonce()).setRunSeed(1).setTask("linear")
                .setInstruction("check it")
                .setTokenizerKind(TOKENIZER.kind()).setSamplesPerPrompt(2).setMaxAttemptTokens(8)
                .setManifest(publication.manifest().toBuilder().setStreamAddress(streamAddress)).build());
    }

    /** A lease for the worker that said {@code hello} (the grant echoes its nonce). */
    private static LearnerProtocol.Grant grantOf(LearnerProtocol.Hello hello, long leaseId) {
        return new LearnerProtocol.Grant(LeaseGrant.newBuilder().setWorkerNonce(hello.payload().getNonce()).setCurrentVersion(5).addLeases(PromptLease.newBuilder()
                .setLeaseId(leaseId).setProblemId("p").setQuestion("2*x+1=7").setProblemIndex(4).setStep(1)
                .setTwoTurns(true).setTemperature(1)).build());
    }

    /**
     * Answers the worker's chunk requests, counting them per index in {@code fetches}, until it asks for work; the
     * first copy of chunk {@code corrupt} it sends has a bit flipped (-1: none).
     */
    private static LearnerProtocol.RequestWork serveChunksUntilWorkIsAsked(TestProbe<LearnerProtocol.Command> learner, WeightPublication publication,
                                                                   int corrupt, Map<Integer, Integer> fetches) {
        while (true) {
            LearnerProtocol.Command message = learner.expectMessageClass(LearnerProtocol.Command.class, Duration.ofSeconds(10));
            if (message instanceof LearnerProtocol.RequestWork request) {
                return request;
            }
            LearnerProtocol.FetchChunk fetch = (LearnerProtocol.FetchChunk) message;
            int index = fetch.payload().getIndex();
            WeightChunk chunk = publication.chunk(index);
            if (fetches.merge(index, 1, Integer::sum) == 1 && index == corrupt) {
                byte[] data = chunk.getData().toByteArray();
                data[3] ^= 0x10;
                chunk = chunk.toBuilder().setData(ByteString.copyFrom(data)).build();
            }
            fetch.replyTo().tell(new LearnerProtocol.Chunk(chunk));
        }
    }
}
