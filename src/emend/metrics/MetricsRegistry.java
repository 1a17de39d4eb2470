package emend.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A node's metrics in the Prometheus text format (version 0.0.4): counters, gauges and summaries (count and sum),
 * each with fixed label names. Safe to update from any thread; {@link #render()} reads a consistent-enough
 * snapshot for a scrape (each series on its own).
 */
public final class MetricsRegistry {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private final Map<String, Family> families = new ConcurrentSkipListMap<>();

    /** A value that only goes up (Prometheus resets are restarts), e.g. tokens generated. */
    public Counter counter(String name, String help, String... labelNames) {
        return new Counter(register(name, help, "counter", labelNames));
    }

    /** A value that goes up and down, e.g. the policy version a worker holds. */
    public Gauge gauge(String name, String help, String... labelNames) {
        return new Gauge(register(name, help, "gauge", labelNames));
    }

    /** Observations as {@code _count} and {@code _sum}, e.g. seconds per verification (rate(sum)/rate(count) = mean). */
    public Summary summary(String name, String help, String... labelNames) {
        return new Summary(register(name, help, "summary", labelNames));
    }

    private Family register(String name, String help, String type, String[] labelNames) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name '" + name + "' is not a Prometheus name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
        }
        Family family = new Family(name, help, type, labelNames.clone());
        Family existing = families.putIfAbsent(name, family);
        if (existing != null) {
            throw new IllegalArgumentException("metric " + name + " is registered twice");
        }
        return family;
    }

    /** Every family with at least one series, in name order. */
    public String render() {
        StringBuilder out = new StringBuilder();
        families.values().forEach(family -> family.render(out));
        return out.toString();
    }

    /** One series' numbers: a counter or gauge is its {@code sum}; a summary has {@code sum} and {@code count}. */
    private static final class Series {
        private final AtomicLong sumBits = new AtomicLong(Double.doubleToLongBits(0));
        final AtomicLong count = new AtomicLong();

        void add(double amount) {
            sumBits.getAndUpdate(bits -> Double.doubleToLongBits(Double.longBitsToDouble(bits) + amount));
        }

        void set(double value) {
            sumBits.set(Double.doubleToLongBits(value));
        }

        double sum() {
            return Double.longBitsToDouble(sumBits.get());
        }
    }

    private record Family(String name, String help, String type, String[] labelNames, Map<List<String>, Series> series) {

        Family(String name, String help, String type, String[] labelNames) {
            this(name, help, type, labelNames, new ConcurrentHashMap<>());
        }

        Series series(String[] labelValues) {
            if (labelValues.length != labelNames.length) {
                throw new IllegalArgumentException("metric " + name + " has labels " + Arrays.toString(labelNames) + ", given "
                        + Arrays.toString(labelValues));
            }
            return series.computeIfAbsent(List.of(labelValues), key -> new Series());
        }

        void render(StringBuilder out) {
            if (series.isEmpty()) {
                return;
            }
            out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
            out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
            List<Map.Entry<List<String>, Series>> sorted = new ArrayList<>(series.entrySet());
            sorted.sort(Map.Entry.comparingByKey((a, b) -> String.join("\u0000", a).compareTo(String.join("\u0000", b))));
            for (Map.Entry<List<String>, Series> e : sorted) {
                String labels = labels(e.getKey());
                Series s = e.getValue();
                switch (type) {
                    case "counter", "gauge" -> line(out, name, labels, s.sum());
                    default -> {
                        line(out, name + "_sum", labels, s.sum());
                        line(out, name + "_count", labels, s.count.get());
                    }
                }
            }
        }

        private String labels(List<String> values) {
            if (values.isEmpty()) {
                return "";
            }
            StringBuilder b = new StringBuilder("{");
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                String escaped = values.get(i).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
                b.append(labelNames[i]).append("=\"").append(escaped).append('"');
            }
            return b.append('}').toString();
        }

        private static void line(StringBuilder out, String name, String labels, double value) {
            String text = Double.isNaN(value) ? "NaN" : Double.isInfinite(value) ? (value > 0 ? "+Inf" : "-Inf")
                    : value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : String.format(Locale.ROOT, "%s", value);
            out.append(name).append(labels).append(' ').append(text).append('\n');
        }
    }

    public static final class Counter {
        private final Family family;

        private Counter(Family family) {
            this.family = family;
        }

        public void inc(double amount, String... labelValues) {
            if (amount < 0) {
                throw new IllegalArgumentException("counter " + family.name() + " cannot go down (" + amount + ")");
            }
            family.series(labelValues).add(amount);
        }

        /** Sets the total kept elsewhere (e.g. the learner's prompt accounting), which only grows. */
        public void setTotal(double total, String... labelValues) {
            family.series(labelValues).set(total);
        }
    }

    public static final class Gauge {
        private final Family family;

        private Gauge(Family family) {
            this.family = family;
        }

        public void set(double value, String... labelValues) {
            family.series(labelValues).set(value);
        }

        /** Drops the series (a worker that stopped), so a scrape does not report it forever. */
        public void remove(String... labelValues) {
            family.series().remove(List.of(labelValues));
        }
    }

    public static final class Summary {
        private final Family family;

        private Summary(Family family) {
            this.family = family;
        }

        public void observe(double value, String... labelValues) {
            Series s = family.series(labelValues);
            s.add(value);
            s.count.incrementAndGet();
        }
    }
}
