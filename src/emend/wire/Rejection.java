package emend.wire;

/**
 * Why a message from another node was dropped before it touched any state.
 *
 * @param type the message type, e.g. {@code Submit}
 * @param reason a short stable label (a metric label: {@code emend_wire_rejected_total{type,reason}})
 * @param detail what was wrong, for the log
 */
public record Rejection(String type, String reason, String detail) {

    @Override
    public String toString() {
        return type + " refused (" + reason + "): " + detail;
    }
}
