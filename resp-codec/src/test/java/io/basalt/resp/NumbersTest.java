package io.basalt.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Numbers.parseLong must accept exactly what Redis's string2ll accepts. */
class NumbersTest {
    private static long parseBuf(String s) {
        // embedded between other bytes, so the offset arithmetic is exercised too
        ByteBuf b = Unpooled.copiedBuffer("xx" + s + "yy", StandardCharsets.ISO_8859_1);
        return Numbers.parseLong(b, 2, s.length());
    }

    private static long parseArr(String s) {
        byte[] b = ("x" + s + "y").getBytes(StandardCharsets.ISO_8859_1);
        return Numbers.parseLong(b, 1, s.length());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "-1", "9", "10", "123456789", "-123456789",
            "9223372036854775807", "-9223372036854775808", "-9223372036854775807", "1000000000000000000"})
    void acceptsWhatString2llAccepts(String s) {
        long expected = Long.parseLong(s);
        assertEquals(expected, parseBuf(s));
        assertEquals(expected, parseArr(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "+1", " 1", "1 ", "01", "00", "-0", "-01", "-", "--1", "1a", "a", "0x10",
            "9223372036854775808", "-9223372036854775809", "18446744073709551616",
            "99999999999999999999", "-99999999999999999999", "123456789012345678901", "1.0", "1e3",
            "\t1", "1\r"})
    void rejectsWhatString2llRejects(String s) {
        assertThrows(NumberFormatException.class, () -> parseBuf(s));
        assertThrows(NumberFormatException.class, () -> parseArr(s));
    }

    @Test
    void rejectsNegativeLength() {
        assertThrows(NumberFormatException.class, () -> Numbers.parseLong(new byte[] {'1'}, 0, -1));
    }

    @Test
    void canonicalLong() {
        assertTrue(Numbers.isCanonicalLong("-5".getBytes(), 0, 2));
        assertFalse(Numbers.isCanonicalLong("05".getBytes(), 0, 2));
    }

    @Test
    void formatsLikeLl2string() {
        long[] values = {0, 7, -7, 10, 99, 100, -100, 123456789, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1};
        for (long v : values) {
            assertArrayEquals(Long.toString(v).getBytes(StandardCharsets.US_ASCII), Numbers.toBytes(v));
            assertEquals(Long.toString(v).length(), Numbers.digits(v));
        }
    }
}
