package emend.control;

import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import java.util.concurrent.CompletionStage;

/**
 * What the control endpoint asks to carry out a command; the learner node implements it. The answer is a stage,
 * not a value, so the endpoint never blocks its threads on the run: {@link ControlServer} replies UNAVAILABLE when
 * the stage does not complete within {@code emend.control.timeout}.
 */
@FunctionalInterface
public interface ControlHandler {

    /** Carries out one authorised, well-formed request; the reply's code decides the HTTP status. */
    CompletionStage<ControlReply> handle(ControlRequest request);
}
