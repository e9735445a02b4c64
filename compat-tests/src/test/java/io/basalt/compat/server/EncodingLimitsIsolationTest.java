package io.basalt.compat.server;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Configuration is per instance (DESIGN.md §5): two servers in one JVM, as a master and its
 * replica will be in tests, each convert collections by their own thresholds. The thresholds
 * once were JVM-wide statics, so the server started last decided for both.
 */
class EncodingLimitsIsolationTest {

    private static String encoding(RawClient c, String key) { return c.call("OBJECT", "ENCODING", key).string(); }

    private static void hash(RawClient c, String key, int fields) {
        for (int i = 0; i < fields; i++) c.call("HSET", key, "f" + i, "v" + i);
    }

    /** Each server saves (DEBUG RELOAD) into a directory of its own. */
    @TempDir
    Path dirA;
    @TempDir
    Path dirB;

    @Test
    void twoServersKeepTheirOwnThresholds() {
        BasaltInstance small = BasaltInstance.start("--dir", dirA.toString(), "--hash-max-listpack-entries", "2",
                "--set-max-intset-entries", "2", "--zset-max-listpack-entries", "2");
        // Redis's defaults, started (and so bound) last
        BasaltInstance large = BasaltInstance.start("--dir", dirB.toString());
        try (RawClient a = new RawClient(small.port()); RawClient b = new RawClient(large.port())) {
            hash(a, "h", 3);
            hash(b, "h", 3);
            assertEquals("hashtable", encoding(a, "h"));
            assertEquals("listpack", encoding(b, "h"));
            a.call("SADD", "s", "1", "2", "3");
            b.call("SADD", "s", "1", "2", "3");
            assertEquals("hashtable", encoding(a, "s"));
            assertEquals("intset", encoding(b, "s"));
            a.call("ZADD", "z", "1", "a", "2", "b", "3", "c");
            b.call("ZADD", "z", "1", "a", "2", "b", "3", "c");
            assertEquals("skiplist", encoding(a, "z"));
            assertEquals("listpack", encoding(b, "z"));

            // CONFIG SET at runtime changes one server only; values convert on their next write
            assertEquals("OK", b.call("CONFIG", "SET", "hash-max-listpack-entries", "1").string());
            assertEquals("1", b.call("CONFIG", "GET", "hash-max-listpack-entries").get(1).string());
            assertEquals("2", a.call("CONFIG", "GET", "hash-max-listpack-entries").get(1).string());
            a.call("HSET", "h2", "f0", "v0", "f1", "v1");
            b.call("HSET", "h2", "f0", "v0", "f1", "v1");
            assertEquals("listpack", encoding(a, "h2"));
            assertEquals("hashtable", encoding(b, "h2"));
            assertEquals("listpack", encoding(b, "h"), "converts on its next write only");
            b.call("HSET", "h", "f0", "again");
            assertEquals("hashtable", encoding(b, "h"));
            assertEquals("OK", a.call("CONFIG", "SET", "hash-max-listpack-entries", "512").string());
            hash(a, "h3", 10);
            assertEquals("listpack", encoding(a, "h3"));
            b.call("CONFIG", "SET", "hash-max-listpack-entries", "512");

            // RESTORE and DEBUG RELOAD build values with the receiving server's thresholds
            byte[] dump = a.call("DUMP", "s").bytes(); // a hashtable set of three integers
            b.call("RESTORE".getBytes(), "s2".getBytes(), "0".getBytes(), dump);
            assertEquals("intset", encoding(b, "s2"));
            dump = b.call("DUMP", "z").bytes(); // a listpack of three members
            a.call("RESTORE".getBytes(), "z2".getBytes(), "0".getBytes(), dump);
            assertEquals("skiplist", encoding(a, "z2"));
            a.call("SADD", "s3", "1", "2");
            b.call("SADD", "s3", "1", "2", "3", "4");
            assertEquals("OK", b.call("DEBUG", "RELOAD").string());
            assertEquals("OK", a.call("DEBUG", "RELOAD").string());
            assertEquals("intset", encoding(a, "s3"));
            assertEquals("intset", encoding(b, "s3"));
            assertEquals("listpack", encoding(b, "z"));
            assertEquals("skiplist", encoding(a, "z"));
        } finally {
            small.stop();
            large.stop();
        }
    }

    /** list-max-listpack-size and list-compress-depth, per server: RDB encoding follows them too. */
    @Test
    void listNodeSizesArePerServer() {
        BasaltInstance one = BasaltInstance.start("--dir", dirA.toString(), "--list-max-listpack-size", "1",
                "--list-compress-depth", "1");
        BasaltInstance other = BasaltInstance.start("--dir", dirB.toString());
        try (RawClient a = new RawClient(one.port()); RawClient b = new RawClient(other.port())) {
            for (int i = 0; i < 50; i++) {
                a.call("RPUSH", "l", "element-" + i + "-" + "x".repeat(60));
                b.call("RPUSH", "l", "element-" + i + "-" + "x".repeat(60));
            }
            assertEquals(b.call("LRANGE", "l", "0", "-1").rawString(), a.call("LRANGE", "l", "0", "-1").rawString());
            // the DUMP payloads cut the list into nodes as each server's quicklist would: fifty
            // listpacks of one element against one of fifty
            byte[] many = a.call("DUMP", "l").bytes();
            byte[] single = b.call("DUMP", "l").bytes();
            assertTrue(many.length > single.length, many.length + " vs " + single.length);
            b.call("RESTORE".getBytes(), "copy".getBytes(), "0".getBytes(), many);
            assertEquals(b.call("LRANGE", "l", "0", "-1").rawString(), b.call("LRANGE", "copy", "0", "-1").rawString());
            assertArrayEquals(single, b.call("DUMP", "copy").bytes(), "restored into the other server's nodes");
        } finally {
            one.stop();
            other.stop();
        }
    }
}
