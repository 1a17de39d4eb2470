package emend.control;

import emend.proto.ControlReply;
import emend.proto.Evaluation;
import emend.proto.NodeStatus;
import emend.proto.RunStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** A {@link ControlReply} for people: what happened, the checkpoint written, and a compact run status. */
public final class ReplyText {

    private ReplyText() {}

    /** Lines ending in a newline; only the parts the reply carries. */
    public static String render(ControlReply reply) {
        StringBuilder text = new StringBuilder();
        if (!reply.getMessage().isEmpty()) {
            text.append(reply.getMessage()).append('\n');
        }
        if (!reply.getCheckpointPath().isEmpty()) {
            text.append("checkpoint: ").append(reply.getCheckpointPath()).append('\n');
        }
        if (reply.hasStatus()) {
            text.append(status(reply.getStatus()));
        }
        return text.toString();
    }

    static String status(RunStatus s) {
        StringBuilder text = new StringBuilder();
        line(text, "state %s, stage %s, step %d/%d, policy version %d (the oldest a worker holds: %s)", s.getState(), s.getStage(),
                s.getStepsDone(), s.getTotalSteps(), s.getPolicyVersion(),
                s.getOldestWorkerVersion() < 0 ? "not known yet" : Long.toString(s.getOldestWorkerVersion()));
        line(text, "prompts: %,d dispatched = %,d completed (%,d of them dropped stale) + %,d in flight + %,d reissued; %,d duplicates, "
                        + "%,d verifications re-sent", s.getPromptsDispatched(), s.getPromptsCompleted(), s.getDroppedStale(), s.getPromptsInFlight(),
                s.getPromptsReissued(), s.getDuplicates(), s.getVerifyTimeouts());
        line(text, "rollout: %,.0f tokens/s", s.getTokensPerSecond());
        line(text, "wire: %,d messages from other nodes rejected at the learner's node (emend_wire_rejected_total)", s.getWireRejected());
        line(text, "last evaluation: %s", s.hasLastEvaluation() ? evaluation(s.getLastEvaluation()) : "none yet");
        line(text, "last checkpoint: %s", s.getLastCheckpointStep() == 0 ? "none yet" : "step " + s.getLastCheckpointStep());
        // sorted, so the line reads the same from one status to the next
        Map<String, String> parameters = new TreeMap<>(s.getParametersMap());
        line(text, "parameters: %s", parameters.isEmpty() ? "none" : parameters.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")));
        if (!s.getRunDirectory().isEmpty()) {
            line(text, "run directory: %s", s.getRunDirectory());
        }
        if (s.getNodesCount() > 0) {
            text.append(nodes(s.getNodesList()));
        }
        return text.toString();
    }

    private static String evaluation(Evaluation e) {
        return String.format(Locale.ROOT, "step %d (dev, greedy, %%), Acc@t1 %.1f, Acc@t2 %.1f, Δ %+.1f, Δi→c %.1f, Δc→i %.1f", e.getStep(),
                100 * e.getAccT1(), 100 * e.getAccT2(), 100 * e.getDelta(), 100 * e.getIncorrectToCorrect(), 100 * e.getCorrectToIncorrect());
    }

    private static String nodes(List<NodeStatus> nodes) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"address", "roles", "workers", "rejected", "state", "devices"});
        for (NodeStatus n : nodes) {
            String devices = n.getWorkerDevicesMap().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
            rows.add(new String[] {n.getAddress(), String.join(",", n.getRolesList()), Integer.toString(n.getRolloutWorkers()),
                    Long.toString(n.getWireRejected()), n.getState(), devices});
        }
        int[] widths = new int[6];
        for (String[] row : rows) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder text = new StringBuilder("nodes:\n");
        for (String[] row : rows) {
            // workers and rejected messages right-aligned: they are numbers
            text.append(String.format(Locale.ROOT, "  %-" + widths[0] + "s  %-" + widths[1] + "s  %" + widths[2] + "s  %" + widths[3] + "s  %-"
                    + widths[4] + "s  %s", (Object[]) row).stripTrailing()).append('\n');
        }
        return text.toString();
    }

    private static void line(StringBuilder text, String format, Object... args) {
        text.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
