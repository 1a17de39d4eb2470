package emend.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

final class DeviceSlotsTest {

    @Test
    void workersGoRoundTheSlotsAndTheFirstDeviceIsTheLearners() {
        DeviceSlots slots = DeviceSlots.parse("gpu:0, gpu:1");
        assertEquals(List.of("gpu:0", "gpu:1"), slots.devices());
        assertEquals("gpu:0", slots.first());
        assertEquals(new DeviceSlots.Slot("gpu:0", 0), slots.forWorker(0));
        assertEquals(new DeviceSlots.Slot("gpu:1", 1), slots.forWorker(1));
        assertEquals(new DeviceSlots.Slot("gpu:0", 0), slots.forWorker(2));
        assertEquals("cpu (model thread 1)", DeviceSlots.parse("cpu,cpu").forWorker(1).label());
        assertEquals("gpu", DeviceSlots.parse("gpu").forWorker(5).label());
    }

    @Test
    void aMalformedListNamesTheEntryAndTheForms() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> DeviceSlots.parse("gpu:0,cuda:1"));
        assertTrue(bad.getMessage().contains("'cuda:1'") && bad.getMessage().contains("gpu:N"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DeviceSlots.parse("cpu,"));
    }
}
