package emend.control;

/** The control endpoint gave no usable answer: nothing listens, it timed out, or something else answered. */
public final class ControlUnreachableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ControlUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
