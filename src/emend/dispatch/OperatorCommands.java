package emend.dispatch;

import emend.config.LiveParameters;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import java.nio.file.Path;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * What the learner does with an operator's command (status, pause, resume, set, checkpoint, stop) and what it
 * answers once a checkpoint or stop has been written: the run-control rules of {@link RunControl} applied to a
 * {@link ControlRequest}. The learner actor only carries out the two actions that write state on the step thread.
 */
public final class OperatorCommands {

    /** What to do with a command. */
    public sealed interface Action permits Answer, WriteCheckpoint, WriteStopState {}

    /** Answer now; {@code checkpointPath} is empty unless a state was written. */
    public record Answer(ControlReply.Code code, String message, String checkpointPath) implements Action {
        static Answer ok(String message) {
            return new Answer(ControlReply.Code.OK, message, "");
        }

        static Answer refused(String message) {
            return new Answer(ControlReply.Code.REFUSED, message, "");
        }
    }

    /** Write a checkpoint between two steps, then answer with {@link #checkpointWritten}. */
    public record WriteCheckpoint() implements Action {}

    /** Write the resume state between two steps and end the run, then answer with {@link #stopWritten}. */
    public record WriteStopState() implements Action {}

    private final RunControl run;
    private final LiveParameters live;
    private final IntConsumer maxStalenessChanged;

    /**
     * @param maxStalenessChanged told the new bound after every accepted {@code set} (the ledger's window follows it)
     */
    public OperatorCommands(RunControl run, LiveParameters live, IntConsumer maxStalenessChanged) {
        this.run = run;
        this.live = live;
        this.maxStalenessChanged = maxStalenessChanged;
    }

    public Action handle(ControlRequest request) {
        return switch (request.getCommandCase()) {
            case STATUS -> Answer.ok("");
            case PAUSE -> refusedOr("pause", () -> Answer.ok(run.pause()));
            case RESUME -> refusedOr("resume", () -> {
                run.resume();
                return Answer.ok("running");
            });
            case SET -> set(request.getSet().getKey(), request.getSet().getValue());
            case CHECKPOINT -> refusedOr("checkpoint", WriteCheckpoint::new);
            case STOP -> refusedOr("stop", () -> {
                run.stopStarted();
                return new WriteStopState();
            });
            default -> Answer.refused("the learner does not take " + request.getCommandCase() + "; the control endpoint sends it to the nodes");
        };
    }

    /** The answer to a checkpoint command once the write ended ({@code failure} null when it succeeded). */
    public Answer checkpointWritten(Path directory, Throwable failure) {
        if (failure != null) {
            return Answer.refused("checkpoint failed: " + rootMessage(failure));
        }
        run.checkpointed();
        return new Answer(ControlReply.Code.OK, "checkpoint of step " + run.stepsDone() + " written", directory.toString());
    }

    /**
     * The answer to a stop once its resume state was written or not. A failed write leaves the run intact and going
     * on: stopping without the state would throw away every step since the last checkpoint.
     */
    public Answer stopWritten(Path runDirectory, Throwable failure) {
        if (failure != null) {
            run.stopFailed();
            return Answer.refused("could not write the resume state (" + rootMessage(failure)
                    + "); the run goes on: fix the cause (e.g. free disk space) and stop again");
        }
        run.checkpointed();
        return new Answer(ControlReply.Code.OK, "stopped after step " + run.stepsDone() + "; continue with --resume RUN_DIR",
                runDirectory.resolve("resume").toString());
    }

    /** The innermost cause's message: what went wrong, without the wrappers of the thread it happened on. */
    public static String rootMessage(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }

    private Action set(String key, String value) {
        try {
            String change = live.set(key, value);
            maxStalenessChanged.accept(live.maxStaleness());
            return Answer.ok(change + " (from the next step)");
        } catch (IllegalArgumentException e) {
            return Answer.refused(e.getMessage());
        }
    }

    private Action refusedOr(String command, Supplier<Action> otherwise) {
        return run.refusal(command).<Action>map(Answer::refused).orElseGet(otherwise);
    }
}
