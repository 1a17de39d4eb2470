package emend.dispatch;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The open prompt leases of a run: each has an id, a holder and a deadline. A lease ends exactly once: completed
 * by its result, or expired (deadline passed, holder gone), after which its prompt is reissued under a new lease.
 * Every lease is accounted for: {@code dispatched = completed + inFlight + reissued}.
 *
 * @param <P> what is leased (a prompt)
 */
public final class LeaseTable<P> {

    /** One open lease. */
    public record Lease<P>(long id, P item, String holder, long deadlineMillis) {}

    /** @param firstId the first lease id; ids then count up by one */
    public LeaseTable(long firstId) {
        this.nextId = firstId;
    }

    private final Map<Long, Lease<P>> open = new LinkedHashMap<>();
    private long nextId;
    private long dispatched;
    private long completed;
    private long reissued;

    /** Opens a lease on {@code item} for {@code holder}, due at {@code deadlineMillis}. */
    public Lease<P> issue(P item, String holder, long deadlineMillis) {
        Lease<P> lease = new Lease<>(nextId++, item, holder, deadlineMillis);
        open.put(lease.id(), lease);
        dispatched++;
        return lease;
    }

    /**
     * Closes lease {@code id} as completed; empty when it is not open (a duplicate result, or a lease that
     * already expired), in which case the caller must ignore the result.
     */
    public Optional<Lease<P>> complete(long id) {
        Lease<P> lease = open.remove(id);
        if (lease != null) {
            completed++;
        }
        return Optional.ofNullable(lease);
    }

    /** Lease {@code id} if it is open (a result is checked against its lease before it completes it). */
    public Optional<Lease<P>> open(long id) {
        return Optional.ofNullable(open.get(id));
    }

    /** Closes every lease due before {@code nowMillis}; their items must be handed out again. */
    public List<Lease<P>> expireDue(long nowMillis) {
        return expireWhere(lease -> lease.deadlineMillis() < nowMillis);
    }

    /** Closes every lease of {@code holder} (it left or restarted); their items must be handed out again. */
    public List<Lease<P>> expireHolder(String holder) {
        return expireWhere(lease -> lease.holder().equals(holder));
    }

    public long dispatched() {
        return dispatched;
    }

    public long completed() {
        return completed;
    }

    /** Leases that expired (deadline passed, holder gone); their prompts went out again. */
    public long reissued() {
        return reissued;
    }

    public long inFlight() {
        return open.size();
    }

    private List<Lease<P>> expireWhere(java.util.function.Predicate<Lease<P>> due) {
        List<Lease<P>> out = new ArrayList<>();
        for (Iterator<Lease<P>> it = open.values().iterator(); it.hasNext(); ) {
            Lease<P> lease = it.next();
            if (due.test(lease)) {
                it.remove();
                out.add(lease);
            }
        }
        reissued += out.size();
        return out;
    }
}
