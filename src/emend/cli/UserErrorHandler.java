package emend.cli;

import emend.checkpoint.CheckpointException;
import emend.train.TrainingDivergedException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Prints errors caused by input (bad config, bad checkpoint, bad data) as one clear line instead of a stack
 * trace; anything else is a bug and keeps its trace.
 */
final class UserErrorHandler implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) throws Exception {
        if (e instanceof IllegalArgumentException || e instanceof CheckpointException
                || e instanceof TrainingDivergedException || e instanceof java.io.UncheckedIOException) {
            command.getErr().println("emend: " + e.getMessage());
            return 2;
        }
        throw e;
    }
}
