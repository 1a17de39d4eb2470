package emend.actors.learner;

import emend.actors.protocol.LearnerProtocol.Command;
import emend.actors.protocol.LearnerProtocol.Control;
import emend.actors.protocol.LearnerProtocol.ControlResponse;
import emend.actors.metrics.Rejections;
import emend.dispatch.LearnerSnapshot;
import emend.dispatch.OperatorCommands;
import emend.dispatch.RunControl;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import emend.run.LearnerJob;
import emend.run.LearnerSteps;
import emend.run.TrainingSession;
import emend.wire.Rejection;
import emend.wire.Replies;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The learner's operator side, run on the learner's own actor (it shares the learner's context and state, so it is
 * not an actor of its own): answers a control request at once by {@link OperatorCommands}' rules, or writes a
 * checkpoint or the stop state on the model thread and answers when it is written. A stop that is written ends the
 * run; one that fails leaves the run going.
 */
final class OperatorDesk {

    /** A checkpoint the operator asked for was written to {@code directory} (failure null) or not. */
    record CheckpointDone(Path directory, Throwable failure, ActorRef<ControlResponse> replyTo) implements Command {}

    /** The stop state was written (failure null) or not. */
    record StopDone(TrainingSession.Outcome outcome, Throwable failure, ActorRef<ControlResponse> replyTo) implements Command {}

    private final ActorContext<Command> context;
    private final LearnerJob job;
    private final RunControl run;
    private final OperatorCommands operator;
    private final LearnerSteps steps;
    private final CompletableFuture<TrainingSession.Outcome> done;
    private final Supplier<LearnerSnapshot> snapshot;
    /** Starts a step if one may run now (after a resume, a changed limit or a failed stop). */
    private final Runnable maybeStep;

    OperatorDesk(ActorContext<Command> context, LearnerJob job, RunControl run, OperatorCommands operator, LearnerSteps steps,
                 CompletableFuture<TrainingSession.Outcome> done, Supplier<LearnerSnapshot> snapshot, Runnable maybeStep) {
        this.context = context;
        this.job = job;
        this.run = run;
        this.operator = operator;
        this.steps = steps;
        this.done = done;
        this.snapshot = snapshot;
        this.maybeStep = maybeStep;
    }

    void onControl(Control control) {
        Optional<Rejection> bad = Replies.missing("Control", control.replyTo());
        // Run control comes only through this node's control endpoint, which checks the token; a member of the
        // cluster is trusted with rollouts and verification, not with stopping or retuning the run.
        if (bad.isEmpty() && !control.replyTo().path().address().hasLocalScope()) {
            bad = Optional.of(new Rejection("Control", "sender", "a run-control command from " + control.replyTo().path().address()
                    + ": commands are taken only from this node's control endpoint (emend ctl, with the token)"));
        }
        if (bad.isPresent()) {
            Rejections.drop(context, bad.get());
            return;
        }
        OperatorCommands.Action action = operator.handle(control.payload());
        if (action instanceof OperatorCommands.Answer answer) {
            if (control.payload().getCommandCase() != ControlRequest.CommandCase.STATUS) {
                context.getLog().info("operator {}: {}", control.payload().getCommandCase(), answer.message());
            }
            reply(control.replyTo(), answer);
            maybeStep.run();
        } else if (action instanceof OperatorCommands.WriteCheckpoint) {
            context.pipeToSelf(steps.checkpoint(), (dir, failure) -> new CheckpointDone(dir, failure, control.replyTo()));
        } else if (action instanceof OperatorCommands.WriteStopState) {
            context.getLog().info("operator stop: writing the resume state after step {}", run.stepsDone());
            context.pipeToSelf(steps.stop(), (outcome, failure) -> new StopDone(outcome, failure, control.replyTo()));
        }
    }

    void onCheckpointDone(CheckpointDone checkpoint) {
        if (checkpoint.failure() != null) {
            context.getLog().error("checkpoint failed", checkpoint.failure());
        }
        reply(checkpoint.replyTo(), operator.checkpointWritten(checkpoint.directory(), checkpoint.failure()));
    }

    void onStopDone(StopDone stop) {
        reply(stop.replyTo(), operator.stopWritten(job.runDirectory(), stop.failure()));
        if (stop.failure() != null) {
            context.getLog().error("stop: the resume state could not be written; the run goes on", stop.failure());
            maybeStep.run();
        } else {
            context.getLog().info("run stopped after step {}", run.stepsDone());
            done.complete(stop.outcome());
        }
    }

    private void reply(ActorRef<ControlResponse> replyTo, OperatorCommands.Answer answer) {
        replyTo.tell(new ControlResponse(ControlReply.newBuilder().setCode(answer.code()).setMessage(answer.message())
                .setCheckpointPath(answer.checkpointPath())
                .setStatus(snapshot.get().runStatus(job.runDirectory().toString(), job.live().values())).build()));
    }
}
