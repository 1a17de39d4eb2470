package emend.run;

import emend.proto.Evaluation;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One dev evaluation in its two forms: the metrics record of metrics.jsonl and results.json, and the protobuf
 * message of the resume state and the control API.
 */
final class DevPoints {

    static final String STEP = "step";
    static final String STAGE = "stage";
    static final String ACC_T1 = "eval/dev/acc_t1";
    static final String ACC_T2 = "eval/dev/acc_t2";
    static final String DELTA = "eval/dev/delta";
    static final String I_TO_C = "eval/dev/i_to_c";
    static final String C_TO_I = "eval/dev/c_to_i";

    private DevPoints() {}

    static Map<String, Object> record(int step, String stage, double accT1, double accT2, double delta, double iToC, double cToI) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put(STEP, step);
        record.put(STAGE, stage);
        record.put(ACC_T1, accT1);
        record.put(ACC_T2, accT2);
        record.put(DELTA, delta);
        record.put(I_TO_C, iToC);
        record.put(C_TO_I, cToI);
        return record;
    }

    static Map<String, Object> toRecord(Evaluation point) {
        return record(point.getStep(), point.getStage(), point.getAccT1(), point.getAccT2(), point.getDelta(),
                point.getIncorrectToCorrect(), point.getCorrectToIncorrect());
    }

    static Evaluation fromRecord(Map<String, Object> record) {
        return Evaluation.newBuilder()
                .setStep(((Number) record.get(STEP)).intValue())
                .setStage((String) record.get(STAGE))
                .setAccT1(((Number) record.get(ACC_T1)).doubleValue())
                .setAccT2(((Number) record.get(ACC_T2)).doubleValue())
                .setDelta(((Number) record.get(DELTA)).doubleValue())
                .setIncorrectToCorrect(((Number) record.get(I_TO_C)).doubleValue())
                .setCorrectToIncorrect(((Number) record.get(C_TO_I)).doubleValue())
                .build();
    }
}
