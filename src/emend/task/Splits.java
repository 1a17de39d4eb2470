package emend.task;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** A task's disjoint problem sets: train (warm-up and RL), dev (checkpoint selection), test (reported only). */
public record Splits(List<Problem> train, List<Problem> dev, List<Problem> test) {

    public Splits {
        train = List.copyOf(train);
        dev = List.copyOf(dev);
        test = List.copyOf(test);
    }

    /** Shuffles {@code problems} under {@code seed}, then takes test first, dev next, and the rest as train. */
    public static Splits shuffled(List<Problem> problems, long seed, int testSize, int devSize) {
        if (testSize + devSize > problems.size()) {
            throw new IllegalArgumentException("cannot hold out " + testSize + " test and " + devSize + " dev problems from "
                    + problems.size());
        }
        List<Problem> order = new ArrayList<>(problems);
        Collections.shuffle(order, new Random(seed));
        return new Splits(order.subList(testSize + devSize, order.size()), order.subList(testSize, testSize + devSize),
                order.subList(0, testSize));
    }
}
