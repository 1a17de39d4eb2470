package emend.cli;

import emend.checkpoint.CheckpointException;
import emend.optim.TrainingDivergedException;
import emend.run.RunRefusedException;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

/**
 * Turns errors caused by input or state into one clear line and an exit status a supervisor can act on, instead of
 * a stack trace: 2 a usage or configuration error (picocli's own code for a bad flag, too), 3 a run refused in the
 * state it found ({@link RunRefusedException}), 1 a failure while running (a corrupt checkpoint, divergence, a
 * file that cannot be written). Anything else is a bug and keeps its trace (exit status 1).
 */
final class UserErrorHandler implements IExecutionExceptionHandler {

    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int REFUSED = 3;

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) throws Exception {
        int status = e instanceof RunRefusedException ? REFUSED
                : e instanceof IllegalArgumentException ? USAGE
                : e instanceof CheckpointException || e instanceof TrainingDivergedException || e instanceof java.io.UncheckedIOException ? FAILED
                : -1;
        if (status < 0) {
            throw e;
        }
        command.getErr().println("emend: " + e.getMessage());
        return status;
    }
}
