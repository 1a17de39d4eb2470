package emend.eval;

import java.util.Locale;
import java.util.Map;

/** The paper-style table of the five metrics, with the counterfactual diagnostics beside them (in percent). */
public final class ResultsTable {

    private ResultsTable() {}

    public static String render(Map<String, Evaluation> rows) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-22s %7s %7s %8s %7s %7s | %9s %9s %9s %9s %10s %10s%n", "model (decoding)",
                "Acc@t1", "Acc@t2", "Δ(t1,t2)", "Δi→c", "Δc→i", "t2|right", "t2|wrong", "chg|wrong", "chg|right", "flag|wrong",
                "pass|right"));
        rows.forEach((name, e) -> {
            Counterfactuals c = e.counterfactuals();
            out.append(line(name + " (greedy)", e.greedy(), String.format(Locale.ROOT, " | %9s %9s %9s %9s %10s %10s",
                    pct(c.accT2GivenRight()), pct(c.accT2GivenWrong()), pct(c.changeRateWhenWrong()), pct(c.changeRateWhenRight()),
                    pct(c.ownWrongFlagged()), pct(c.ownRightPassed()))));
            if (e.sampled() != null) {
                out.append(line(name + " (T=1)", e.sampled(), ""));
            }
        });
        out.append("t2|right / t2|wrong: Acc@t2 with attempt 1 replaced by a right / a plausible wrong answer; "
                + "chg|wrong / chg|right: how often attempt 2 changes a wrong / a right attempt 1; flag|wrong / pass|right: how often "
                + "attempt 1's own check flags it when it is wrong / passes it when it is right.\n");
        return out.toString();
    }

    private static String line(String name, FiveMetrics m, String tail) {
        return String.format(Locale.ROOT, "%-22s %7s %7s %8s %7s %7s%s%n", name, pct(m.accT1()), pct(m.accT2()),
                signed(m.delta()), pct(m.incorrectToCorrect()), pct(m.correctToIncorrect()), tail);
    }

    private static String pct(double fraction) {
        return Double.isNaN(fraction) ? "-" : String.format(Locale.ROOT, "%.1f", 100 * fraction);
    }

    private static String signed(double fraction) {
        return String.format(Locale.ROOT, "%+.1f", 100 * fraction);
    }
}
