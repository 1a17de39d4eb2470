package emend.checkpoint;

/** A checkpoint that cannot be written or read; the message names the file, the problem and what to do. */
public final class CheckpointException extends RuntimeException {

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
