package emend.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emend.proto.ControlReply;
import emend.proto.Evaluation;
import emend.proto.NodeStatus;
import emend.proto.RunStatus;
import org.junit.jupiter.api.Test;

final class ReplyTextTest {

    @Test
    void status_isACompactSummaryWithANodesTable() {
        RunStatus status = RunStatus.newBuilder().setState("RUNNING").setStage("stage2").setStepsDone(57).setTotalSteps(120)
                .setPolicyVersion(57).setOldestWorkerVersion(55).setPromptsDispatched(1900).setPromptsCompleted(1828).setPromptsInFlight(64).setPromptsReissued(8)
                .setDroppedStale(4).setDuplicates(1).setVerifyTimeouts(2).setTokensPerSecond(12345.6).setWireRejected(3)
                .setLastEvaluation(Evaluation.newBuilder().setStep(40).setAccT1(0.45).setAccT2(0.4725).setDelta(0.0225)
                        .setIncorrectToCorrect(0.05).setCorrectToIncorrect(0.0275))
                .setLastCheckpointStep(40).putParameters("beta1", "0.01").putParameters("alpha", "10.0")
                .addNodes(NodeStatus.newBuilder().setAddress("pekko://emend@127.0.0.1:25520").addRoles("learner").addRoles("verifier")
                        .setRolloutWorkers(0).setState("UP"))
                .addNodes(NodeStatus.newBuilder().setAddress("127.0.0.1:25521").addRoles("rollout").setRolloutWorkers(12)
                        .putWorkerDevices("rollout-2", "cpu (model thread 1)").putWorkerDevices("rollout-1", "cpu")
                        .setWireRejected(1234).setState("DRAINING"))
                .build();
        assertEquals("""
                state RUNNING, stage stage2, step 57/120, policy version 57 (the oldest a worker holds: 55)
                prompts: 1,900 dispatched = 1,828 completed (4 of them dropped stale) + 64 in flight + 8 reissued; 1 duplicates, 2 verifications re-sent
                rollout: 12,346 tokens/s
                wire: 3 messages from other nodes rejected at the learner's node (emend_wire_rejected_total)
                last evaluation: step 40 (dev, greedy, %), Acc@t1 45.0, Acc@t2 47.3, Δ +2.3, Δi→c 5.0, Δc→i 2.8
                last checkpoint: step 40
                parameters: alpha=10.0, beta1=0.01
                nodes:
                  address                        roles             workers  rejected  state     devices
                  pekko://emend@127.0.0.1:25520  learner,verifier        0         0  UP
                  127.0.0.1:25521                rollout                12      1234  DRAINING  rollout-1 cpu, rollout-2 cpu (model thread 1)
                """, ReplyText.render(ControlReply.newBuilder().setCode(ControlReply.Code.OK).setStatus(status).build()));
    }

    @Test
    void aCommandReply_showsItsMessageAndCheckpointAndSaysWhatIsMissing() {
        ControlReply reply = ControlReply.newBuilder().setCode(ControlReply.Code.OK).setMessage("checkpoint written")
                .setCheckpointPath("runs/x/checkpoints/step-40")
                .setStatus(RunStatus.newBuilder().setState("PAUSED").setStage("stage1").setStepsDone(40).setTotalSteps(40).setOldestWorkerVersion(-1))
                .build();
        assertEquals("""
                checkpoint written
                checkpoint: runs/x/checkpoints/step-40
                state PAUSED, stage stage1, step 40/40, policy version 0 (the oldest a worker holds: not known yet)
                prompts: 0 dispatched = 0 completed (0 of them dropped stale) + 0 in flight + 0 reissued; 0 duplicates, 0 verifications re-sent
                rollout: 0 tokens/s
                wire: 0 messages from other nodes rejected at the learner's node (emend_wire_rejected_total)
                last evaluation: none yet
                last checkpoint: none yet
                parameters: none
                """, ReplyText.render(reply));
    }
}
