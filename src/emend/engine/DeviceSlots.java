package emend.engine;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The devices of a node, from {@code emend.device}: {@code cpu}, {@code gpu}, {@code gpu:N} or a comma-separated list
 * ({@code gpu:0,gpu:1}; {@code cpu,cpu} gives two CPU slots). Each slot has its own model thread: slot 0 is the JVM's
 * main {@link ModelThread} (warm-up, evaluation and the learner run there, on the first device), and a node's
 * rollout workers are spread over the slots in turn, so workers on different slots generate at the same time.
 */
public record DeviceSlots(List<String> devices) {

    private static final Pattern DEVICE = Pattern.compile("cpu|gpu(:\\d+)?");

    /** One CPU slot: the default. */
    public static final DeviceSlots CPU = new DeviceSlots(List.of("cpu"));

    /** A worker's device and the model thread (the slot's index) that runs its tensor work. */
    public record Slot(String device, int thread) {
        /** How status lines show it: the device, and the thread when a device has several slots. */
        public String label() {
            return thread == 0 ? device : device + " (model thread " + thread + ")";
        }
    }

    public DeviceSlots {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("emend.device names no device: use cpu, gpu, gpu:N or a list such as gpu:0,gpu:1");
        }
        for (String device : devices) {
            if (!DEVICE.matcher(device).matches()) {
                throw new IllegalArgumentException("emend.device: '" + device + "' is malformed: use cpu, gpu, gpu:N or a list such as gpu:0,gpu:1");
            }
        }
        devices = List.copyOf(devices);
    }

    public static DeviceSlots parse(String spec) {
        return new DeviceSlots(Arrays.stream(spec.split(",", -1)).map(String::trim).toList());
    }

    /** The device of slot 0: the learner's, the warm-up's and the evaluation's. */
    public String first() {
        return devices.get(0);
    }

    /** The slot of the {@code index}-th worker of a node (from 0): round robin. */
    public Slot forWorker(int index) {
        int slot = index % devices.size();
        return new Slot(devices.get(slot), slot);
    }
}
