package emend.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

final class TrajectoryCodecTest {

    @Test
    void roundTrip_keepsEveryTokenAndLogProb() {
        Trajectory t = new Trajectory("3/7/1", "3/7", 1, "p7", 4, 0.7, new int[] {1, 3, 40}, new int[] {50, 51, 2}, new float[] {-0.5f, -1.25f, -0.001f},
                new int[] {3, 60, 4}, new int[] {52, 2}, new float[] {-2f, -0.75f}, 0, 1);
        Trajectory back = TrajectoryCodec.fromProto(TrajectoryCodec.toProto(t));
        assertEquals(t.id(), back.id());
        assertEquals(t.groupId(), back.groupId());
        assertEquals(t.problemId(), back.problemId());
        assertEquals(t.policyVersion(), back.policyVersion());
        assertArrayEquals(t.promptOne(), back.promptOne());
        assertArrayEquals(t.attemptOne(), back.attemptOne());
        assertArrayEquals(t.logProbsOne(), back.logProbsOne());
        assertArrayEquals(t.instructionSuffix(), back.instructionSuffix());
        assertArrayEquals(t.attemptTwo(), back.attemptTwo());
        assertArrayEquals(t.logProbsTwo(), back.logProbsTwo());
        assertEquals(t.rewardOne(), back.rewardOne());
        assertEquals(t.rewardTwo(), back.rewardTwo());
        assertEquals(0.7, back.temperature());
    }

    @Test
    void fromProto_refusesATokenWithoutItsLogProb() {
        var malformed = emend.proto.Trajectory.newBuilder().setId("x").setTemperature(1).addAttemptOne(5).addAttemptOne(6).addLogProbsOne(-1f).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrajectoryCodec.fromProto(malformed));
        assertTrue(e.getMessage().contains("log-prob"), e.getMessage());
    }

    @Test
    void fromProto_refusesARowWithoutItsSamplingTemperature() {
        var unset = emend.proto.Trajectory.newBuilder().setId("x").addAttemptOne(5).addLogProbsOne(-1f).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrajectoryCodec.fromProto(unset));
        assertTrue(e.getMessage().contains("temperature"), e.getMessage());
    }
}
