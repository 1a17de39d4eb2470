package emend.dispatch;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A rollout worker's groups waiting for their scores, by lease id. A group whose verification times out or fails
 * is sent again (after a growing pause, so a verifier that refuses at once is not hammered) until the worker's
 * lease on it runs out; then the worker lets it go and the learner re-issues the prompt to another worker, since
 * its lease expires too. A group is never scored 0 for want of an answer: a 0 would be a wrong reward.
 *
 * <p>Each sending is numbered; only the answer to the current sending, or a timeout of it, counts as a failure
 * (a late error from an earlier sending would otherwise trigger a second re-issue). Scores are taken from any
 * sending: a verifier's answer does not depend on which sending asked.
 *
 * @param <G> what the worker keeps of a group (its trajectories and request)
 */
public final class PendingScores<G> {

    /** The first pause before sending again; it doubles with each failure up to {@link #MAX_PAUSE}. */
    public static final Duration FIRST_PAUSE = Duration.ofMillis(250);
    public static final Duration MAX_PAUSE = Duration.ofSeconds(8);

    /** What to do after a failed verification. */
    public sealed interface Next {}

    /** Send the group again as sending {@code send} after {@code pause}. */
    public record SendAgain(int send, Duration pause) implements Next {}

    /** The lease runs out before another answer could come: drop the group (the learner re-issues the prompt). */
    public record LetGo(int failures) implements Next {}

    /** The failure is stale (an earlier sending) or the group is no longer pending: nothing to do. */
    public record Ignore() implements Next {}

    /** A group's scores arrived: the group and how many verifications failed before. */
    public record Scored<G>(G group, int failures) {}

    private record Pending<G>(G group, int send, long leaseEndMillis) {}

    private final Map<Long, Pending<G>> pending = new HashMap<>();

    /** Registers a group about to be sent for the first time (sending 0); the worker's lease on it ends at {@code leaseEndMillis}. */
    public void await(long leaseId, G group, long leaseEndMillis) {
        pending.put(leaseId, new Pending<>(group, 0, leaseEndMillis));
    }

    /** The group of a pending lease, to (re)send. */
    public Optional<G> group(long leaseId) {
        return Optional.ofNullable(pending.get(leaseId)).map(Pending::group);
    }

    /** The current sending of a pending lease. */
    public int send(long leaseId) {
        Pending<G> p = pending.get(leaseId);
        return p == null ? -1 : p.send();
    }

    /** Scores arrived for {@code leaseId}: the group leaves the table; empty when it was not pending. */
    public Optional<Scored<G>> scored(long leaseId) {
        Pending<G> p = pending.remove(leaseId);
        return p == null ? Optional.empty() : Optional.of(new Scored<>(p.group(), p.send()));
    }

    /**
     * Sending {@code send} of {@code leaseId} failed (an error answer, a refusal or a timeout) at {@code nowMillis}.
     * The failures so far are the sendings made ({@code send + 1}).
     */
    public Next failed(long leaseId, int send, long nowMillis) {
        Pending<G> p = pending.get(leaseId);
        if (p == null || send != p.send()) {
            return new Ignore();
        }
        int failures = p.send() + 1;
        Duration pause = pause(failures);
        if (nowMillis + pause.toMillis() >= p.leaseEndMillis()) {
            pending.remove(leaseId);
            return new LetGo(failures);
        }
        pending.put(leaseId, new Pending<>(p.group(), failures, p.leaseEndMillis()));
        return new SendAgain(failures, pause);
    }

    /** The pause before sending again after {@code failures} failures: 250 ms, doubling, at most 8 s. */
    static Duration pause(int failures) {
        long factor = 1L << Math.min(failures - 1, 10);
        Duration grown = FIRST_PAUSE.multipliedBy(factor);
        return grown.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : grown;
    }

    public boolean isEmpty() {
        return pending.isEmpty();
    }
}
