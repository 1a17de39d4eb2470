package emend.weights;

import emend.proto.WeightChunk;
import emend.proto.WeightManifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A worker's download of the newest version it knows of: from the learner's weight stream when the manifest names
 * one the worker can reach, else chunk by chunk over cluster messages with a window of requests in flight; a chunk
 * that fails its hash, or one lost on the way, is asked for again. Pure state: each event returns the next
 * {@link Step}, and the worker actor performs it.
 */
public final class WeightDownload {

    /**
     * Chunk requests kept in flight over messages. Measured on a 49 MB version (2 workers, steady state): 4 in
     * flight 0.36-0.38 s, 16 0.30-0.31 s, 48 0.32-0.34 s.
     */
    public static final int WINDOW = 16;

    /** What the worker does next. */
    public sealed interface Step permits Stream, Request, Load, Idle {}

    /** Read the stream at {@code address} into {@code assembly} (off the actor thread), then report {@link #streamEnded}. */
    public record Stream(String address, WeightAssembly assembly) implements Step {}

    /**
     * Ask the learner for these chunks of {@code version}.
     *
     * @param newRound a fresh round over messages began (restart the timer that asks again for lost chunks)
     * @param warning what the operator should know about why (empty: nothing)
     */
    public record Request(long version, List<Integer> indices, boolean newRound, String warning) implements Step {}

    /** Every chunk is in and checked: load these bytes into the model. */
    public record Load(WeightManifest manifest, byte[] bytes) implements Step {}

    /** Nothing to do (a late or foreign event). */
    public enum Idle implements Step { INSTANCE }

    private enum Source { NONE, STREAM, MESSAGES }

    private WeightManifest latest;
    /** The encoded weights of {@code latest} when a learner in this JVM shared them (null: download them). */
    private byte[] latestShared;
    private WeightAssembly assembly;
    private Source source = Source.NONE;
    /** Chunks below this index have been requested in this round. */
    private int nextChunk;
    /** A stream address that could not be reached: skipped until the learner announces another. */
    private String unreachableStream = "";
    private int corruptedChunks;

    /** A new learner's manifest: taken as it is, even at a lower version (the new learner's versions are its own). */
    public void restart(WeightManifest manifest) {
        latest = manifest;
        latestShared = null;
    }

    /**
     * A version announced by the current learner; kept when newer than the newest known. {@code shared}: its encoded
     * weights (read only) from a learner in this JVM, then loaded without a download; null: to be downloaded.
     */
    public void offer(WeightManifest manifest, byte[] shared) {
        if (latest == null || manifest.getVersion() > latest.getVersion()) {
            latest = manifest;
            latestShared = shared;
        }
    }

    /** The newest version announced, or -1 before any. */
    public long newest() {
        return latest == null ? -1 : latest.getVersion();
    }

    /** Starts downloading the newest known version (dropping a download in progress), or loads it if it was shared. */
    public Step begin() {
        if (latestShared != null) {
            source = Source.NONE;
            assembly = null;
            return new Load(latest, latestShared);
        }
        assembly = new WeightAssembly(latest);
        String address = latest.getStreamAddress();
        if (address.isEmpty() || address.equals(unreachableStream)) {
            return requestOverMessages("");
        }
        source = Source.STREAM;
        return new Stream(address, assembly);
    }

    /** The stream into {@code streamed} ended with {@code result}. */
    public Step streamEnded(WeightAssembly streamed, WeightStreamFetch.Result result) {
        if (source != Source.STREAM || streamed != assembly) {
            return Idle.INSTANCE;
        }
        corruptedChunks += result.corruptedChunks();
        String address = assembly.manifest().getStreamAddress();
        long version = assembly.manifest().getVersion();
        return switch (result.ending()) {
            case COMPLETE -> load();
            case GONE -> latest.getVersion() > version ? begin() : requestOverMessages("");
            case INCOMPLETE -> requestOverMessages("the weight stream at " + address + " ended early (" + result.problem()
                    + "); fetching the missing chunks of version " + version + " over Artery");
            case UNREACHABLE -> {
                unreachableStream = address;
                yield requestOverMessages("cannot connect to the learner's weight stream at " + address + " (" + result.problem()
                        + "); fetching weights over Artery, slower, until the learner announces another address (open that port "
                        + "to this node, or set emend.runtime.weight-stream-port to one that is open)");
            }
        };
    }

    /** The version whose chunks are being requested over messages, if any: a chunk's edge check needs its chunk count. */
    public Optional<WeightManifest> fetchingOverMessages() {
        return source == Source.MESSAGES ? Optional.of(assembly.manifest()) : Optional.empty();
    }

    /** A chunk arrived over messages (it passed its edge check against {@link #fetchingOverMessages()}). */
    public Step chunkArrived(WeightChunk chunk) {
        if (source != Source.MESSAGES || chunk.getVersion() != assembly.manifest().getVersion()) {
            return Idle.INSTANCE;
        }
        if (chunk.getGone()) {
            // the learner moved on: fetch its newer version, or wait to hear of it
            return latest.getVersion() > chunk.getVersion() ? begin() : Idle.INSTANCE;
        }
        return switch (assembly.accept(chunk)) {
            case IGNORED -> Idle.INSTANCE;
            case CORRUPTED -> {
                corruptedChunks++;
                yield new Request(chunk.getVersion(), List.of(chunk.getIndex()), false, "chunk " + chunk.getIndex() + " of version "
                        + chunk.getVersion() + " does not match its SHA-256 in the manifest; fetching it again");
            }
            case STORED -> assembly.complete() ? load() : new Request(chunk.getVersion(), nextMissing(1), false, "");
        };
    }

    /** Requests again every chunk of this round still missing (chunks can be lost: a dropped frame, a moved learner). */
    public Step askAgain() {
        if (source != Source.MESSAGES) {
            return Idle.INSTANCE;
        }
        List<Integer> missing = new ArrayList<>();
        for (int i = assembly.nextMissing(0); i >= 0 && i < nextChunk; i = assembly.nextMissing(i + 1)) {
            missing.add(i);
        }
        return new Request(assembly.manifest().getVersion(), missing, false, "");
    }

    /** Chunks that failed their hash check so far (from the stream or over messages). */
    public int corruptedChunks() {
        return corruptedChunks;
    }

    private Request requestOverMessages(String warning) {
        source = Source.MESSAGES;
        nextChunk = 0;
        return new Request(assembly.manifest().getVersion(), nextMissing(WINDOW), true, warning);
    }

    /** The next {@code count} chunks not yet received or requested, marked requested. */
    private List<Integer> nextMissing(int count) {
        List<Integer> out = new ArrayList<>();
        while (out.size() < count) {
            int index = assembly.nextMissing(nextChunk);
            if (index < 0) {
                break;
            }
            out.add(index);
            nextChunk = index + 1;
        }
        return out;
    }

    private Load load() {
        Load load = new Load(assembly.manifest(), assembly.bytes());
        source = Source.NONE;
        assembly = null;
        return load;
    }
}
