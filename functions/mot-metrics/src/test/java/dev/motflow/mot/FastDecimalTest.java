package dev.motflow.mot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FastDecimalTest {
    private static void same(String s) {
        double fast = FastDecimal.parse(s, 0, s.length());
        if (!Double.isNaN(fast)) {
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(s)), Double.doubleToRawLongBits(fast), s);
        }
    }

    @Test
    void agreesBitForBitWithTheJdkOnRandomDecimals() {
        Random rnd = new Random(11);
        int fastHits = 0;
        for (int k = 0; k < 200_000; k++) {
            StringBuilder sb = new StringBuilder();
            if (rnd.nextInt(4) == 0) {
                sb.append('-');
            }
            int intDigits = rnd.nextInt(8);
            for (int i = 0; i < intDigits; i++) {
                sb.append((char) ('0' + rnd.nextInt(10)));
            }
            if (intDigits == 0 || rnd.nextBoolean()) {
                sb.append('.');
                int frac = 1 + rnd.nextInt(19);
                for (int i = 0; i < frac; i++) {
                    sb.append((char) ('0' + rnd.nextInt(10)));
                }
            }
            if (rnd.nextInt(10) == 0) {
                sb.append(rnd.nextBoolean() ? 'e' : 'E').append(rnd.nextInt(50) - 25);
            }
            String s = sb.toString();
            same(s);
            if (!Double.isNaN(FastDecimal.parse(s, 0, s.length()))) {
                fastHits++;
            }
        }
        assertTrue(fastHits > 100_000, "the fast path covers the common cases: " + fastHits);
    }

    @Test
    void typicalMotValuesAndEdgeCases() {
        for (String s : new String[] {"912.8", "-1", "0.63449943", "447.4200134277344", "1e-3", "-0", "0.0", "1.",
            ".5", "+3", "123456789012345", "1E22", "1e-22", "5e-324"}) {
            same(s);
        }
        assertTrue(Double.isNaN(FastDecimal.parse("1234567890123456", 0, 16)), "16 digits: slow path");
        assertTrue(Double.isNaN(FastDecimal.parse("1e23", 0, 4)));
        for (String bad : new String[] {"", "-", ".", "1e", "1x", "NaN", "1.2.3", "e5"}) {
            assertTrue(Double.isNaN(FastDecimal.parse(bad, 0, bad.length())), bad);
        }
        assertEquals(2.5, FastDecimal.parse("x2.5y", 1, 4));
    }
}
