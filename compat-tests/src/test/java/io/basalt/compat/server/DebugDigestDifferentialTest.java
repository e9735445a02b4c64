package io.basalt.compat.server;

import io.basalt.compat.harness.DifferentialTest;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * DEBUG DIGEST and DIGEST-VALUE give redis-server's numbers for the same data: every type in
 * both of its encodings, integers and binary strings, fractional and huge scores, TTLs, several
 * databases, and a randomized dataset.
 */
class DebugDigestDifferentialTest extends DifferentialTest {

    @Test
    void emptyAndMissing() {
        assertEquals("0000000000000000000000000000000000000000", same("DEBUG", "DIGEST").string());
        same("DEBUG", "DIGEST-VALUE", "nokey", "other");
        same("DEBUG", "DIGEST-VALUE");
        same("DEBUG", "DIGEST", "extra");
    }

    @Test
    void everyTypeAndEncoding() {
        sameAll(
                cmd("SET", "s", "hello"), cmd("SET", "n", "12345"), cmd("SET", "neg", "-7"), cmd("SET", "e", ""),
                cmd("RPUSH", "l", "a", "1", "b", "200"), cmd("SADD", "si", "1", "2", "300"), cmd("SADD", "sh", "a", "b", "3"),
                cmd("ZADD", "zc", "1", "a", "2.5", "b", "-3", "c", "1e300", "d"), cmd("HSET", "hc", "f", "v", "1", "2"),
                cmd("SET", "ttl", "v", "EX", "1000"), cmd("HSET", "ttlh", "a", "b"), cmd("EXPIRE", "ttlh", "1000"),
                cmd("XADD", "st", "1-1", "f", "v", "g", "w"), cmd("XADD", "st", "2-5", "f", "x"), cmd("XADD", "st", "3-0", "a", "1"),
                cmd("XDEL", "st", "2-5"));
        // the large encodings
        for (int i = 0; i < 200; i++) {
            String m = "member-" + i;
            sameAll(cmd("ZADD", "zs", Double.toString(i / 7.0), m), cmd("HSET", "hs", m, "value-" + i),
                    cmd("SADD", "ss", m), cmd("RPUSH", "ll", m));
        }
        sameAll(cmd("SELECT", "5"), cmd("SET", "in5", "x"), cmd("SELECT", "0"));
        assertNotEquals("0000000000000000000000000000000000000000", same("DEBUG", "DIGEST").string());
        same("DEBUG", "DIGEST-VALUE", "s", "n", "neg", "e", "l", "si", "sh", "zc", "hc", "ttl", "ttlh", "zs", "hs", "ss", "ll", "st", "nokey");
    }

    @Test
    void randomDataset() {
        Random rnd = new Random(42);
        for (int i = 0; i < 2000; i++) {
            String k = "k" + rnd.nextInt(60);
            String v = rnd.nextBoolean() ? Integer.toString(rnd.nextInt(1000) - 500) : "v" + rnd.nextInt(100);
            switch (rnd.nextInt(8)) {
                case 0 -> other("SET", k, v);
                case 1 -> other("RPUSH", "l" + k, v);
                case 2 -> other("SADD", "s" + k, v);
                case 3 -> other("ZADD", "z" + k, Double.toString(rnd.nextGaussian() * 1000), v);
                case 4 -> other("HSET", "h" + k, "f" + rnd.nextInt(10), v);
                case 5 -> other("EXPIRE", k, "1000");
                case 6 -> other("SELECT", Integer.toString(rnd.nextInt(3)));
                default -> other("DEL", k);
            }
        }
        other("SELECT", "0");
        same("DEBUG", "DIGEST");
    }
}
