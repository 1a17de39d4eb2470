package emend.wire;

import emend.proto.ScaleWorkers;
import java.util.Optional;

/** A node agent's edge: scaling stays within {@code emend.runtime.max-workers-per-node}. */
public final class NodeEdge {

    private NodeEdge() {}

    /** @param maxWorkers the most rollout workers this node runs */
    public static Optional<Rejection> scale(ScaleWorkers scale, Object replyTo, int maxWorkers) {
        if (replyTo == null) {
            return Optional.of(new Rejection("Scale", "reply_to", "a scaling request without a reply address"));
        }
        if (scale.getRolloutWorkers() < 0 || scale.getRolloutWorkers() > maxWorkers) {
            return Optional.of(new Rejection("Scale", "workers", scale.getRolloutWorkers() + " rollout workers (0 to " + maxWorkers
                    + ", emend.runtime.max-workers-per-node)"));
        }
        return Optional.empty();
    }
}
