package emend.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import emend.actors.control.ControlEndpoint;
import emend.actors.node.EmendNode;
import emend.actors.node.NodeOptions;
import emend.checkpoint.ResumeCheckpoint;
import emend.control.ControlClient;
import emend.dispatch.PolicyReplica;
import emend.engine.DeviceSlots;
import emend.proto.CheckpointNow;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import emend.proto.DrainNode;
import emend.proto.NodeStatus;
import emend.proto.PauseRun;
import emend.proto.ResumeRun;
import emend.proto.RunStatus;
import emend.proto.ScaleWorkers;
import emend.proto.SetParameter;
import emend.proto.StopRun;
import emend.run.LearnerJob;
import emend.run.TrainingSession;
import emend.testing.TestControl;
import emend.testing.TestModels;
import emend.testing.TestNodes;
import emend.testing.TinyLearnerJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control API against a live two-node run (two ActorSystems over Artery, the endpoint over real HTTP): status
 * with the nodes, set, pause and resume, scaling a node, a checkpoint, draining a node, and stop.
 */
final class ClusterControlTest {

    @TempDir
    Path dir;

    @Test
    void operatorCommands_changeTheLiveRun() throws Exception {
        try (TinyLearnerJob tiny = new TinyLearnerJob(dir, "[\"stage1:200\"]", 2, Map.of("emend.runtime.prompts-per-request", "1")); TestNodes nodes = new TestNodes()) {
            LearnerJob job = tiny.job();
            CompletableFuture<TrainingSession.Outcome> done = new CompletableFuture<>();
            ActorSystem<Void> learnerNode = nodes.start(new EmendNode.Plan(new NodeOptions(Set.of("learner", "verifier", "rollout"), "127.0.0.1", 0,
                    List.of(), 1), job.task(), job.runtime(), DeviceSlots.CPU, job, done, PolicyReplica.POLICY, TestControl.anyPort()));
            String seed = "127.0.0.1:" + learnerNode.address().getPort().orElseThrow();
            ActorSystem<Void> rolloutNode = nodes.start(EmendNode.Plan.serving(new NodeOptions(Set.of("rollout"), "127.0.0.1", 0, List.of(seed), 1),
                    job.task(), job.runtime(), DeviceSlots.CPU));
            String rolloutAddress = rolloutNode.address().toString();
            ControlClient client = TestControl.client(dir.resolve(ControlEndpoint.CONTACT_FILE), TestControl.TOKEN, Duration.ofSeconds(30));

            RunStatus running = TestControl.await(client, s -> s.getStepsDone() >= 1 && s.getNodesCount() == 2, "two nodes and a step", Duration.ofMinutes(2));
            assertEquals("RUNNING", running.getState());
            assertEquals(1, node(running, rolloutAddress).getRolloutWorkers());
            assertEquals(List.of("rollout"), node(running, rolloutAddress).getRolesList());

            ControlReply refused = TestControl.client(dir.resolve(ControlEndpoint.CONTACT_FILE), "wrong", Duration.ofSeconds(30)).send(TestControl.status());
            assertEquals(ControlReply.Code.UNAUTHORIZED, refused.getCode());

            assertEquals(ControlReply.Code.OK, client.send(set("alpha", "5")).getCode());
            int setAfter = client.send(TestControl.status()).getStatus().getStepsDone();
            assertEquals("5", client.send(TestControl.status()).getStatus().getParametersMap().get("alpha"));
            ControlReply badKey = client.send(set("seed", "2"));
            assertEquals(ControlReply.Code.REFUSED, badKey.getCode());
            assertTrue(badKey.getMessage().contains("learning-rate"), badKey.getMessage());

            ControlReply pause = client.send(ControlRequest.newBuilder().setPause(PauseRun.getDefaultInstance()).build());
            assertEquals(ControlReply.Code.OK, pause.getCode());
            Matcher pausedAfter = Pattern.compile("paused after step (\\d+)").matcher(pause.getMessage());
            assertTrue(pausedAfter.find(), pause.getMessage());
            int pausedAt = Integer.parseInt(pausedAfter.group(1));
            // Paused, the learner leases nothing: the work out comes back, the step in progress (if any) ends, and then
            // nothing moves. A learner that ignored the pause would keep leasing to its idle worker, and stepping.
            RunStatus paused = TestControl.await(client, s -> s.getPromptsInFlight() == 0 && s.getStepsDone() == pausedAt,
                    "the work in flight back and the step in progress done", Duration.ofMinutes(2));
            assertEquals("PAUSED", paused.getState());
            RunStatus stillPaused = client.send(TestControl.status()).getStatus();
            assertEquals(paused.getPromptsDispatched(), stillPaused.getPromptsDispatched(), "no lease while paused");
            assertEquals(pausedAt, stillPaused.getStepsDone(), "no step while paused");
            assertEquals(ControlReply.Code.OK, client.send(ControlRequest.newBuilder().setResume(ResumeRun.getDefaultInstance()).build()).getCode());
            TestControl.await(client, s -> s.getStepsDone() > Math.max(pausedAt, setAfter + 1), "a step after resume", Duration.ofMinutes(2));
            // every step after the one in progress when alpha was set used alpha = 5
            int checked = 0;
            for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
                JsonObject record = JsonParser.parseString(line).getAsJsonObject();
                if (record.has("params/alpha") && record.get("step").getAsInt() > setAfter + 1) {
                    assertEquals(5.0, record.get("params/alpha").getAsDouble(), line);
                    checked++;
                }
            }
            assertTrue(checked > 0, "steps after the change were recorded");

            ControlReply scaled = client.send(ControlRequest.newBuilder().setScale(ScaleWorkers.newBuilder().setRolloutWorkers(2)
                    .setNode(rolloutAddress.replace("pekko://emend@", ""))).build());
            assertEquals(ControlReply.Code.OK, scaled.getCode(), scaled.getMessage());
            assertEquals(2, node(scaled.getStatus(), rolloutAddress).getRolloutWorkers());

            ControlReply checkpoint = client.send(ControlRequest.newBuilder().setCheckpoint(CheckpointNow.getDefaultInstance()).build());
            assertEquals(ControlReply.Code.OK, checkpoint.getCode(), checkpoint.getMessage());
            Path state = Path.of(checkpoint.getCheckpointPath());
            try (NDManager manager = TestModels.manager(); ResumeCheckpoint.Loaded loaded = ResumeCheckpoint.read(state, manager)) {
                assertTrue(loaded.state().getStepsDone() >= pausedAt + 1);
                assertEquals("5", loaded.state().getParametersMap().get("alpha"), "the checkpoint keeps the live parameters");
            }


            ControlReply drained = client.send(ControlRequest.newBuilder().setDrain(DrainNode.newBuilder().setNode(rolloutAddress)).build());
            assertEquals(ControlReply.Code.OK, drained.getCode(), drained.getMessage());
            rolloutNode.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
            RunStatus afterDrain = TestControl.await(client, s -> s.getNodesCount() == 1, "the drained node gone", Duration.ofMinutes(2));
            assertEquals(afterDrain.getPromptsDispatched(),
                    afterDrain.getPromptsCompleted() + afterDrain.getPromptsInFlight() + afterDrain.getPromptsReissued(), afterDrain.toString());
            assertEquals(0, afterDrain.getPromptsReissued(), "a drained node finishes its leases: nothing re-issued");

            ControlReply stopped = client.send(ControlRequest.newBuilder().setStop(StopRun.getDefaultInstance()).build());
            assertEquals(ControlReply.Code.OK, stopped.getCode(), stopped.getMessage());
            TrainingSession.Outcome outcome = done.get(60, TimeUnit.SECONDS);
            assertTrue(outcome.stopped());
            assertEquals(outcome.selectedStep(), ResumeCheckpoint.readState(dir.resolve(ResumeCheckpoint.DIRECTORY)).getStepsDone());
        }
    }



    private static NodeStatus node(RunStatus status, String address) {
        return status.getNodesList().stream().filter(n -> n.getAddress().equals(address)).findFirst()
                .orElseThrow(() -> new AssertionError("no node " + address + " in " + status.getNodesList()));
    }

    private static ControlRequest set(String key, String value) {
        return ControlRequest.newBuilder().setSet(SetParameter.newBuilder().setKey(key).setValue(value)).build();
    }
}
