package emend.actors.metrics;

import emend.actors.metrics.NodeMetrics;
import emend.wire.Rejection;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/** How an actor drops a message that failed its edge check: counted always, logged sparingly, never thrown. */
public final class Rejections {

    private Rejections() {}

    /**
     * Counts {@code rejection} and logs the 1st, 2nd, 4th, 8th... of its type and reason: a flood of bad messages
     * must not become a flood of log lines (the counter has the exact figure).
     */
    public static void drop(ActorContext<?> context, Rejection rejection) {
        long seen = NodeMetrics.get(context.getSystem()).rejected(rejection);
        if (Long.bitCount(seen) == 1) {
            context.getLog().warn("{} (dropped; {} of this kind so far, emend_wire_rejected_total)", rejection, seen);
        }
    }
}
