package emend.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

final class MedianTest {

    @Test
    void theMiddleOfAnOddCount_andTheMeanOfTheTwoMiddlesOfAnEvenOne() {
        assertEquals(3.0, Median.of(9, 1, 3));
        assertEquals(2.5, Median.of(4, 1, 2, 3));
        assertEquals(7.0, Median.of(7));
        assertThrows(IllegalArgumentException.class, Median::of);
    }
}
