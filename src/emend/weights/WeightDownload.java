package emend.weights;

import emend.proto.WeightChunk;
import emend.proto.WeightManifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A worker's download of the newest version it knows of: from the learner's weight stream when the manifest names
 * one the worker can reach, else chunk by chunk over cluster messages with a window of requests in flight; a chunk
 * that fails its hash, or one lost on the way, is asked for again. The worker follows the stream: once open, it brings
 * every version the learner publishes as soon as it is published, and a version it brought is loaded once the learner
 * has announced the same one. Pure state: each event returns the next {@link Step}, and the worker actor performs it;
 * the actor keeps a stream open exactly while {@link #following()} says so.
 */
public final class WeightDownload {

    /**
     * Chunk requests kept in flight over messages. Measured on a 49 MB version (2 workers, steady state): 4 in
     * flight 0.36-0.38 s, 16 0.30-0.31 s, 48 0.32-0.34 s.
     */
    public static final int WINDOW = 16;

    /** What the worker does next. */
    public sealed interface Step permits Stream, Await, Request, Load, Idle {}

    /**
     * Open the stream at {@code address} (closing one open before), read {@code assembly} from it, then follow it (off the
     * actor thread), reporting {@link #streamStarted}, {@link #streamDelivered} and {@link #streamEnded}.
     */
    public record Stream(String address, WeightAssembly assembly) implements Step {}

    /**
     * The stream followed is to bring {@code version}: if it has not begun to by the deadline (the worker's stream timeout),
     * report {@link #overdue}.
     */
    public record Await(long version) implements Step {}

    /**
     * Ask the learner for these chunks of {@code version}.
     *
     * @param newRound a fresh round over messages began (restart the timer that asks again for lost chunks)
     * @param warning what the operator should know about why (empty: nothing)
     */
    public record Request(long version, List<Integer> indices, boolean newRound, String warning) implements Step {}

    /** Every chunk is in and checked: load these bytes into the model. */
    public record Load(WeightManifest manifest, byte[] bytes) implements Step {}

    /** Nothing to do (a late or foreign event, or a version on its way). */
    public enum Idle implements Step { INSTANCE }

    private WeightManifest latest;
    /** The encoded weights of {@code latest} when a learner in this JVM shared them (null: download them). */
    private byte[] latestShared;
    /** The worker asked for the newest version and has not been handed one since. */
    private boolean wanted;
    /** The chunks being fetched over messages, or null. */
    private WeightAssembly overMessages;
    /** Chunks of {@code overMessages} below this index have been requested in this round. */
    private int nextChunk;
    /** The address of the stream followed, or null when none is open. */
    private String followed;
    /** The version the followed stream is filling now, or null between versions. */
    private WeightAssembly streaming;
    /** The newest whole version the stream brought that has not been loaded, or null. */
    private WeightAssembly brought;
    /** A stream address that could not be reached: skipped until the learner announces another. */
    private String unreachableStream = "";
    private int corruptedChunks;

    /** A new learner's manifest: taken as it is, even at a lower version (the new learner's versions are its own). */
    public void restart(WeightManifest manifest) {
        latest = manifest;
        latestShared = null;
        // the old learner's stream, and what it brought, are of no use: its versions are not the new learner's
        followed = null;
        streaming = null;
        brought = null;
    }

    /**
     * A version announced by the current learner; kept when newer than the newest known, and then what the worker
     * waits for if it waits for one (the stream may have brought it already). {@code shared}: its encoded weights (read
     * only) from a learner in this JVM, then loaded without a download; null: to be downloaded.
     */
    public Step offer(WeightManifest manifest, byte[] shared) {
        if (latest != null && manifest.getVersion() <= latest.getVersion()) {
            return Idle.INSTANCE;
        }
        latest = manifest;
        latestShared = shared;
        return wanted ? next() : Idle.INSTANCE;
    }

    /** The newest version announced, or -1 before any. */
    public long newest() {
        return latest == null ? -1 : latest.getVersion();
    }

    /** Whether a stream is to be kept open (the actor closes its stream when this turns false). */
    public boolean following() {
        return followed != null;
    }

    /** The worker wants the newest known version: loads it if shared or brought, else fetches it or waits for the stream. */
    public Step begin() {
        wanted = true;
        return next();
    }

    private Step next() {
        if (latestShared != null) {
            return load(latest, latestShared);
        }
        if (brought != null && sameVersion(brought.manifest(), latest)) {
            WeightAssembly whole = brought;
            brought = null;
            return load(latest, whole.bytes());
        }
        String address = latest.getStreamAddress();
        if (!address.isEmpty() && address.equals(followed)) {
            // the stream brings every version the learner publishes: this one is on its way, or will be
            overMessages = null;
            boolean onItsWay = streaming != null && streaming.manifest().getVersion() >= latest.getVersion()
                    || brought != null && brought.manifest().getVersion() > latest.getVersion();
            return onItsWay ? Idle.INSTANCE : new Await(latest.getVersion());
        }
        if (address.isEmpty() || address.equals(unreachableStream)) {
            return requestOverMessages(new WeightAssembly(latest), "");
        }
        overMessages = null;
        followed = address;
        streaming = new WeightAssembly(latest);
        brought = null;
        return new Stream(address, streaming);
    }

    /** The followed stream began to bring a version the learner pushed, into {@code assembly}. */
    public Step streamStarted(WeightAssembly assembly) {
        if (followed != null) {
            streaming = assembly;
        }
        return Idle.INSTANCE;
    }

    /** The followed stream brought a whole version: loaded now if the worker wants it and it is the one announced. */
    public Step streamDelivered(WeightAssembly assembly) {
        if (followed == null) {
            return Idle.INSTANCE;
        }
        if (streaming != null && streaming.manifest().getVersion() <= assembly.manifest().getVersion()) {
            streaming = null;
        }
        if (brought == null || assembly.manifest().getVersion() > brought.manifest().getVersion()) {
            brought = assembly;
        }
        return wanted && sameVersion(brought.manifest(), latest) ? next() : Idle.INSTANCE;
    }

    /** The followed stream ended; {@code result} says why. */
    public Step streamEnded(WeightStreamFetch.Result result) {
        if (followed == null) {
            return Idle.INSTANCE;
        }
        String address = followed;
        WeightAssembly partial = streaming;
        followed = null;
        streaming = null;
        corruptedChunks += result.corruptedChunks();
        if (result.ending() == WeightStreamFetch.Ending.UNREACHABLE) {
            unreachableStream = address;
        }
        if (!wanted) {
            return Idle.INSTANCE; // the next version the worker wants opens the stream again
        }
        if (brought != null && sameVersion(brought.manifest(), latest)) {
            return next();
        }
        WeightAssembly resume = partial != null && sameVersion(partial.manifest(), latest) ? partial : new WeightAssembly(latest);
        return requestOverMessages(resume, result.ending() == WeightStreamFetch.Ending.UNREACHABLE
                ? "cannot connect to the learner's weight stream at " + address + " (" + result.problem()
                        + "); fetching weights over Artery, slower, until the learner announces another address (open that port "
                        + "to this node, or set emend.runtime.weight-stream-port to one that is open)"
                : "the weight stream at " + address + " ended (" + result.problem() + "); fetching the missing chunks of version "
                        + latest.getVersion() + " over Artery");
    }

    /**
     * The deadline of an {@link Await} of {@code version} passed: if the stream has not begun to bring it, it is given up
     * (the next version wanted opens it again) and this one is fetched over messages.
     */
    public Step overdue(long version) {
        if (!wanted || followed == null || latest.getVersion() != version || streaming != null
                || brought != null && brought.manifest().getVersion() > version) {
            return Idle.INSTANCE;
        }
        String address = followed;
        followed = null;
        return requestOverMessages(new WeightAssembly(latest), "the weight stream at " + address + " did not bring version " + version
                + " in time; fetching it over Artery");
    }

    /** The version whose chunks are being requested over messages, if any: a chunk's edge check needs its chunk count. */
    public Optional<WeightManifest> fetchingOverMessages() {
        return overMessages == null ? Optional.empty() : Optional.of(overMessages.manifest());
    }

    /** A chunk arrived over messages (it passed its edge check against {@link #fetchingOverMessages()}). */
    public Step chunkArrived(WeightChunk chunk) {
        if (overMessages == null || chunk.getVersion() != overMessages.manifest().getVersion()) {
            return Idle.INSTANCE;
        }
        if (chunk.getGone()) {
            // the learner moved on: fetch its newer version, or wait to hear of it
            return latest.getVersion() > chunk.getVersion() ? begin() : Idle.INSTANCE;
        }
        return switch (overMessages.accept(chunk)) {
            case IGNORED -> Idle.INSTANCE;
            case CORRUPTED -> {
                corruptedChunks++;
                yield new Request(chunk.getVersion(), List.of(chunk.getIndex()), false, "chunk " + chunk.getIndex() + " of version "
                        + chunk.getVersion() + " does not match its SHA-256 in the manifest; fetching it again");
            }
            case STORED -> {
                if (!overMessages.complete()) {
                    yield new Request(chunk.getVersion(), nextMissing(1), false, "");
                }
                WeightAssembly whole = overMessages;
                overMessages = null;
                // loaded under the manifest announced to this worker (a stream's pushed manifest has no epoch or nonce)
                yield sameVersion(whole.manifest(), latest) ? load(latest, whole.bytes()) : wanted ? next() : Idle.INSTANCE;
            }
        };
    }

    /** Requests again every chunk of this round still missing (chunks can be lost: a dropped frame, a moved learner). */
    public Step askAgain() {
        if (overMessages == null) {
            return Idle.INSTANCE;
        }
        List<Integer> missing = new ArrayList<>();
        for (int i = overMessages.nextMissing(0); i >= 0 && i < nextChunk; i = overMessages.nextMissing(i + 1)) {
            missing.add(i);
        }
        return new Request(overMessages.manifest().getVersion(), missing, false, "");
    }

    /** Chunks that failed their hash check so far (from the stream or over messages). */
    public int corruptedChunks() {
        return corruptedChunks;
    }

    /**
     * Whether a version the stream brought is the one announced: the same manifest but for what the learner sets per
     * recipient (its epoch, the stream's address, the worker's nonce). Its digests, and so its bytes, are then the same.
     */
    static boolean sameVersion(WeightManifest brought, WeightManifest announced) {
        return perVersion(brought).equals(perVersion(announced));
    }

    private static WeightManifest perVersion(WeightManifest manifest) {
        return manifest.toBuilder().clearLearnerEpoch().clearStreamAddress().clearWorkerNonce().build();
    }

    private Request requestOverMessages(WeightAssembly assembly, String warning) {
        overMessages = assembly;
        nextChunk = 0;
        return new Request(assembly.manifest().getVersion(), nextMissing(WINDOW), true, warning);
    }

    /** The next {@code count} chunks not yet received or requested, marked requested. */
    private List<Integer> nextMissing(int count) {
        List<Integer> out = new ArrayList<>();
        while (out.size() < count) {
            int index = overMessages.nextMissing(nextChunk);
            if (index < 0) {
                break;
            }
            out.add(index);
            nextChunk = index + 1;
        }
        return out;
    }

    private Load load(WeightManifest manifest, byte[] bytes) {
        wanted = false;
        overMessages = null; // a download still running over messages is of an older version now: its late chunks are dropped
        return new Load(manifest, bytes);
    }
}
