package emend.optim;

/** Training produced non-finite values; the message says where and what to change. */
public final class TrainingDivergedException extends RuntimeException {

    public TrainingDivergedException(String message) {
        super(message);
    }
}
