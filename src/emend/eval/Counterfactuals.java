package emend.eval;

/**
 * Whether attempt 2 really reads attempt 1 (paper.md's last section: a large Δ can come from holding attempt 1
 * back while attempt 2 becomes a better solver).
 *
 * @param accT2GivenRight Acc@t2 when attempt 1 is replaced by a correct worked answer (real correction keeps it)
 * @param accT2GivenWrong Acc@t2 when attempt 1 is replaced by a plausible wrong one (real correction beats a
 *                        fresh attempt 1, i.e. the greedy Acc@t1)
 * @param changeRateWhenWrong share of the model's own wrong attempts 1 whose answer attempt 2 changes
 * @param changeRateWhenRight share of the model's own right attempts 1 whose answer attempt 2 changes
 * @param ownWrongFlagged share of the model's own wrong attempts 1 whose own check says they are wrong (NaN when the
 *                        task's attempts carry no check): the evidence attempt 2 can read
 * @param ownRightPassed share of the model's own right attempts 1 whose own check passes them
 */
public record Counterfactuals(double accT2GivenRight, double accT2GivenWrong, double changeRateWhenWrong,
                              double changeRateWhenRight, double ownWrongFlagged, double ownRightPassed) {}
