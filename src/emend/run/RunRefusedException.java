package emend.run;

/**
 * A run that cannot start in the state it finds: a run directory that holds a run to continue (and no
 * {@code --resume}), one with nothing to continue, a finished run, a broken problem set. The command exits with
 * status 3 (a configuration error is 2, a failure while running 1), so a supervisor can tell them apart.
 */
public class RunRefusedException extends RuntimeException {

    public RunRefusedException(String message) {
        super(message);
    }

    /** The run directory holds a run that has finished all its steps: nothing is left to do. */
    public static final class Finished extends RunRefusedException {
        public Finished(String message) {
            super(message);
        }
    }
}
