package emend.util;

/** Token-id array helpers. */
public final class IntArrays {

    private IntArrays() {}

    /** The parts one after another in a new array. */
    public static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) {
            n += p.length;
        }
        int[] out = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
