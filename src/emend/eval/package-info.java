/**
 * Evaluation of a policy on held-out problems: Acc@t1, Acc@t2, Δ and its two halves, the counterfactual
 * diagnostics, majority vote and inference-time scaling, and the printed table of results.
 */
package emend.eval;
