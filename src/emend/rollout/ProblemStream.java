package emend.rollout;

import emend.util.Seeds;
import java.util.SplittableRandom;

/**
 * The order in which training problems are handed out: a fresh seeded permutation every epoch, so the data
 * position (epoch, offset) fully determines what comes next.
 */
public final class ProblemStream {

    private final int size;
    private final long seed;
    private int[] order;
    private int epoch = -1;
    private int offset;

    public ProblemStream(int size, long seed) {
        if (size < 1) {
            throw new IllegalArgumentException("no training problems to hand out");
        }
        this.size = size;
        this.seed = seed;
        reshuffle();
    }

    /** The indices of the next {@code count} problems. */
    public int[] next(int count) {
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            if (offset == size) {
                reshuffle();
            }
            out[i] = order[offset++];
        }
        return out;
    }

    /** Moves past the next {@code count} problems (the data position of a resumed run). */
    public void skip(long count) {
        for (long i = 0; i < count; i++) {
            if (offset == size) {
                reshuffle();
            }
            offset++;
        }
    }

    private void reshuffle() {
        epoch++;
        offset = 0;
        order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(Seeds.derive(seed, 0x51, epoch));
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
    }
}
