package emend.wire;

/** The outcome of an edge check: the value the message may act on, or why the message is dropped. */
public sealed interface Checked<T> {

    record Ok<T>(T value) implements Checked<T> {}

    record Refused<T>(Rejection rejection) implements Checked<T> {}

    static <T> Checked<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> Checked<T> refused(String type, String reason, String detail) {
        return new Refused<>(new Rejection(type, reason, detail));
    }
}
