package emend.eval;

/**
 * The paper's five self-correction metrics over a set of (attempt 1, attempt 2) outcomes, as fractions of ALL
 * problems: Acc@t1, Acc@t2, Δ = Acc@t2 − Acc@t1, Δ i→c (wrong then right), Δ c→i (right then wrong). By
 * construction Acc@t2 = Acc@t1 + Δi→c − Δc→i.
 */
public record FiveMetrics(double accT1, double accT2, double delta, double incorrectToCorrect, double correctToIncorrect,
                          int count) {

    /** Metrics of paired outcomes: {@code first[i]} and {@code second[i]} are the two attempts at problem i. */
    public static FiveMetrics of(boolean[] first, boolean[] second) {
        if (first.length != second.length || first.length == 0) {
            throw new IllegalArgumentException("need the same non-zero number of first and second outcomes, got "
                    + first.length + " and " + second.length);
        }
        int right1 = 0;
        int right2 = 0;
        int fixed = 0;
        int broken = 0;
        for (int i = 0; i < first.length; i++) {
            right1 += first[i] ? 1 : 0;
            right2 += second[i] ? 1 : 0;
            fixed += !first[i] && second[i] ? 1 : 0;
            broken += first[i] && !second[i] ? 1 : 0;
        }
        double n = first.length;
        return new FiveMetrics(right1 / n, right2 / n, (right2 - right1) / n, fixed / n, broken / n, first.length);
    }
}
