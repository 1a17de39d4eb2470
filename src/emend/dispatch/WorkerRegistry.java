package emend.dispatch;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rollout workers a learner knows: where each answers and the nonce of the incarnation that said hello (only
 * that worker and the learner know it, so a message naming a worker can be checked against it).
 *
 * @param <R> how a worker is reached (an actor reference in the runtime)
 */
public final class WorkerRegistry<R> {

    /** A registered worker. */
    public record Worker<R>(String id, R ref, long nonce) {}

    /** What a hello was. */
    public enum Hello {
        /** A worker not known before. */
        NEW,
        /** The same incarnation saying hello again (its retry): it keeps its leases. */
        REPEATED,
        /** A known worker after a restart (a new nonce): the work its old incarnation held is lost. */
        RESTARTED
    }

    /** How many workers are registered, and the oldest version one holds (-1: none registered, or one has not asked yet). */
    public record Census(int count, long oldestVersion) {}

    private final Map<String, Worker<R>> workers = new HashMap<>();
    /** The policy version each registered worker said it holds in its last work request. */
    private final Map<String, Long> heldVersions = new HashMap<>();

    public Hello hello(String id, R ref, long nonce) {
        Worker<R> before = workers.put(id, new Worker<>(id, ref, nonce));
        if (before == null) {
            return Hello.NEW;
        }
        if (before.nonce() == nonce) {
            return Hello.REPEATED;
        }
        heldVersions.remove(id); // a new incarnation holds nothing it has told of
        return Hello.RESTARTED;
    }

    /** A registered worker's work request said it holds {@code version}. */
    public void holds(String id, long version) {
        if (workers.containsKey(id)) {
            heldVersions.put(id, version);
        }
    }

    public Census census() {
        long oldest = workers.keySet().stream().mapToLong(id -> heldVersions.getOrDefault(id, -1L)).min().orElse(-1);
        return new Census(workers.size(), oldest);
    }

    public Optional<Worker<R>> get(String id) {
        return Optional.ofNullable(workers.get(id));
    }

    /** Where {@code id} said hello from, if it did. */
    public Optional<R> ref(String id) {
        return get(id).map(Worker::ref);
    }

    /** Whether some registered worker answers at {@code ref}. */
    public boolean answersAt(R ref) {
        return workers.values().stream().anyMatch(w -> w.ref().equals(ref));
    }

    public void remove(String id) {
        workers.remove(id);
        heldVersions.remove(id);
    }

    public int size() {
        return workers.size();
    }

    public Collection<Worker<R>> all() {
        return List.copyOf(workers.values());
    }
}
