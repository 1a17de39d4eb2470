package emend.dispatch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's rollout workers as its agent keeps them: those taking work (oldest first), those finishing their leases
 * before they stop, each one's device, and whether the node drains. Scaling up names the workers to start;
 * scaling down drains the newest first, so the longest-running workers (warm caches, loaded weights) stay.
 *
 * @param <W> how the agent reaches a worker (an actor reference; anything in a test)
 */
public final class NodeWorkers<W> {

    /** A worker to start: how many this node started before it (spreads workers over device slots), and its name. */
    public record ToStart(int index, String name) {}

    private final Map<String, W> active = new LinkedHashMap<>();
    private final Map<String, W> leaving = new LinkedHashMap<>();
    /** Each running worker's device, by name (for status lines). */
    private final Map<String, String> devices = new LinkedHashMap<>();
    private int started;
    private boolean draining;

    /** The workers to start so that {@code target} take work; each is then {@link #started}. */
    public List<ToStart> toStart(int target) {
        List<ToStart> out = new ArrayList<>();
        for (int n = active.size(); n < target; n++) {
            out.add(new ToStart(started, "rollout-" + (started + 1)));
            started++;
        }
        return out;
    }

    public void started(String name, W worker, String device) {
        active.put(name, worker);
        devices.put(name, device);
    }

    /** Moves the newest workers beyond {@code target} from taking work to leaving; returns them, to be told to drain. */
    public List<W> toDrain(int target) {
        List<String> newestFirst = new ArrayList<>(active.keySet());
        Collections.reverse(newestFirst);
        List<W> out = new ArrayList<>();
        for (String name : newestFirst.subList(0, Math.max(0, active.size() - target))) {
            W worker = active.remove(name);
            leaving.put(name, worker);
            out.add(worker);
        }
        return out;
    }

    /** Worker {@code name} stopped; true when it was taking work (it stopped without being asked). */
    public boolean stopped(String name) {
        leaving.remove(name);
        devices.remove(name);
        return active.remove(name) != null;
    }

    /** The workers finishing their leases (a restarted one is told again). */
    public Collection<W> leaving() {
        return List.copyOf(leaving.values());
    }

    public int activeCount() {
        return active.size();
    }

    /** Each worker taking work's device, by name. */
    public Map<String, String> activeDevices() {
        Map<String, String> out = new LinkedHashMap<>();
        active.keySet().forEach(name -> out.put(name, devices.get(name)));
        return out;
    }

    /** The node drains: no worker is started again, and every one is to finish its leases. */
    public void drain() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    /** A draining node whose workers have all stopped. */
    public boolean drained() {
        return draining && active.isEmpty() && leaving.isEmpty();
    }
}
