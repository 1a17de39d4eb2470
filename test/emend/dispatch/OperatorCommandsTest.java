package emend.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.config.LiveParameters;
import emend.proto.CheckpointNow;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import emend.proto.PauseRun;
import emend.proto.ResumeRun;
import emend.proto.SetParameter;
import emend.proto.StatusQuery;
import emend.proto.StopRun;
import emend.rl.ObjectiveSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class OperatorCommandsTest {

    private final RunControl run = new RunControl(10, 4, 4, 2);
    private final LiveParameters live = new LiveParameters(ObjectiveSettings.paper(), 1e-4, 0.5, 1);
    private final List<Integer> stalenessSeen = new ArrayList<>();
    private final OperatorCommands commands = new OperatorCommands(run, live, stalenessSeen::add);

    private static ControlRequest set(String key, String value) {
        return ControlRequest.newBuilder().setSet(SetParameter.newBuilder().setKey(key).setValue(value)).build();
    }

    private static ControlRequest pause() {
        return ControlRequest.newBuilder().setPause(PauseRun.getDefaultInstance()).build();
    }

    private static ControlRequest stop() {
        return ControlRequest.newBuilder().setStop(StopRun.getDefaultInstance()).build();
    }

    @Test
    void pauseAndResume_changeTheRunAndSayWhen() {
        OperatorCommands.Answer paused = assertInstanceOf(OperatorCommands.Answer.class, commands.handle(pause()));
        assertEquals(ControlReply.Code.OK, paused.code());
        assertEquals("paused after step 4; work in flight is kept", paused.message());
        assertFalse(run.handsOutWork());
        OperatorCommands.Answer resumed = assertInstanceOf(OperatorCommands.Answer.class,
                commands.handle(ControlRequest.newBuilder().setResume(ResumeRun.getDefaultInstance()).build()));
        assertEquals("running", resumed.message());
        assertTrue(run.handsOutWork());
    }

    @Test
    void aLiveSetReachesTheStalenessWindow_aBadOneIsRefusedAndChangesNothing() {
        OperatorCommands.Answer ok = assertInstanceOf(OperatorCommands.Answer.class, commands.handle(set("max-staleness", "3")));
        assertEquals(ControlReply.Code.OK, ok.code());
        assertEquals("max-staleness 1 -> 3 (from the next step)", ok.message());
        assertEquals(List.of(3), stalenessSeen);
        OperatorCommands.Answer bad = assertInstanceOf(OperatorCommands.Answer.class, commands.handle(set("seed", "2")));
        assertEquals(ControlReply.Code.REFUSED, bad.code());
        assertTrue(bad.message().startsWith("'seed' cannot change live"), bad.message());
        assertEquals(List.of(3), stalenessSeen, "a refused set changes nothing");
        assertEquals(3, live.maxStaleness());
    }

    @Test
    void aStopWritesTheStateOnce_andAFailedWriteLeavesTheRunGoing() {
        assertInstanceOf(OperatorCommands.WriteStopState.class, commands.handle(stop()));
        assertTrue(run.stopping());
        OperatorCommands.Answer again = assertInstanceOf(OperatorCommands.Answer.class, commands.handle(stop()));
        assertEquals(new OperatorCommands.Answer(ControlReply.Code.REFUSED, "cannot stop: the run is stopping", ""), again);
        OperatorCommands.Answer failed = commands.stopWritten(Path.of("/runs/r"),
                new RuntimeException("wrapped", new UncheckedIOException(new IOException("No space left on device"))));
        assertEquals(ControlReply.Code.REFUSED, failed.code());
        assertTrue(failed.message().startsWith("could not write the resume state (No space left on device); the run goes on"), failed.message());
        assertFalse(run.stopping());
        assertEquals(2, run.lastCheckpointStep());
        assertInstanceOf(OperatorCommands.WriteStopState.class, commands.handle(stop()));
        OperatorCommands.Answer stopped = commands.stopWritten(Path.of("/runs/r"), null);
        assertEquals(new OperatorCommands.Answer(ControlReply.Code.OK, "stopped after step 4; continue with --resume RUN_DIR",
                Path.of("/runs/r/resume").toString()), stopped);
        assertEquals(4, run.lastCheckpointStep());
    }

    @Test
    void aCheckpointIsWrittenBetweenSteps_andItsAnswerNamesTheDirectory() {
        assertInstanceOf(OperatorCommands.WriteCheckpoint.class, commands.handle(ControlRequest.newBuilder().setCheckpoint(CheckpointNow.getDefaultInstance()).build()));
        assertEquals(ControlReply.Code.REFUSED, commands.checkpointWritten(null, new IllegalStateException("disk gone")).code());
        assertEquals(2, run.lastCheckpointStep(), "a failed checkpoint is not counted");
        assertEquals(new OperatorCommands.Answer(ControlReply.Code.OK, "checkpoint of step 4 written", "/runs/r/checkpoint-4"),
                commands.checkpointWritten(Path.of("/runs/r/checkpoint-4"), null));
        assertEquals(4, run.lastCheckpointStep());
    }

    @Test
    void aFinishedRunRefusesEveryRunCommand_butAnswersStatus() {
        RunControl done = new RunControl(2, 2, 2, 2);
        OperatorCommands finished = new OperatorCommands(done, live, stalenessSeen::add);
        for (ControlRequest request : List.of(pause(), stop(), ControlRequest.newBuilder().setCheckpoint(CheckpointNow.getDefaultInstance()).build(),
                ControlRequest.newBuilder().setResume(ResumeRun.getDefaultInstance()).build())) {
            OperatorCommands.Answer answer = assertInstanceOf(OperatorCommands.Answer.class, finished.handle(request));
            assertEquals(ControlReply.Code.REFUSED, answer.code(), request.toString());
            assertTrue(answer.message().endsWith("the run is finished"), answer.message());
        }
        assertEquals(ControlReply.Code.OK, ((OperatorCommands.Answer) finished.handle(ControlRequest.newBuilder().setStatus(StatusQuery.getDefaultInstance()).build())).code());
    }
}
