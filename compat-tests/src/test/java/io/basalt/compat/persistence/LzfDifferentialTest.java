package io.basalt.compat.persistence;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.DifferentialTest;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.persistence.Lzf;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DUMP payloads of LZF-compressed values byte-identical to redis-server 7.0's: Basalt's LZF must
 * find exactly the matches liblzf finds (its hash, VERY_FAST re-hashing, length limits and
 * out-of-space checks), or every compressible value > 20 bytes dumps and saves differently.
 */
class LzfDifferentialTest extends DifferentialTest {
    static byte[] b(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

    /** SETs the value on both servers and requires byte-identical DUMP payloads. */
    void sameDump(byte[] value) {
        byte[] key = b("k");
        redis.call(b("SET"), key, value);
        basalt.call(b("SET"), key, value);
        RespValue want = redis.call(b("DUMP"), key);
        RespValue got = basalt.call(b("DUMP"), key);
        assertArrayEquals(want.raw(), got.raw(), () -> "DUMP of a " + value.length + "-byte value "
                + HexFormat.of().formatHex(value, 0, Math.min(value.length, 400)));
    }

    void sameDump(String value) { sameDump(b(value)); }

    /** The payload is LZF (0xC3 after the type byte) when compression is worth it, as Redis decides. */
    static boolean lzfEncoded(RespValue dump) { return (dump.bytes()[1] & 0xff) == 0xC3; }

    @Test
    void repetitiveValuesOfEveryLength() {
        String[] units = {"x", "ab", "abc", "abcd", "hello ", "0123456789", "aab", "abcabd", "\u0000\u0001"};
        for (String u : units) {
            for (int n = 21; n <= 300; n++) {
                StringBuilder sb = new StringBuilder();
                while (sb.length() < n) sb.append(u);
                sameDump(sb.substring(0, n));
            }
        }
        // a literal head then a run, a run then a literal tail, runs of two bytes alternating
        for (int n = 21; n <= 300; n += 7) {
            sameDump("the head " + "z".repeat(n));
            sameDump("z".repeat(n) + " the tail!");
            sameDump("q".repeat(n / 2) + "r".repeat(n / 2) + "s".repeat(n / 3));
        }
    }

    @Test
    void jsonAndText() {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < 40; i++) {
            json.append("{\"id\":").append(i * 37).append(",\"name\":\"user").append(i)
                    .append("\",\"active\":").append(i % 3 == 0).append(",\"tags\":[\"a\",\"b\"]},");
            sameDump(json + "]");
        }
        String text = "Redis is an open source (BSD licensed), in-memory data structure store, used as a "
                + "database, cache, and message broker. Redis provides data structures such as strings, "
                + "hashes, lists, sets, sorted sets with range queries, bitmaps, hyperloglogs, geospatial "
                + "indexes, and streams. Redis has built-in replication, Lua scripting, LRU eviction, "
                + "transactions, and different levels of on-disk persistence.";
        for (int n = 21; n <= text.length(); n++) sameDump(text.substring(0, n));
        sameDump(text.repeat(30));
    }

    @Test
    void runsLongerThanMaxRef() {
        for (int n : new int[]{262, 263, 264, 265, 266, 267, 268, 270, 300, 527, 528, 529, 530, 1000, 5000, 70000}) {
            sameDump("x".repeat(n));
            sameDump("y" + "x".repeat(n));
            sameDump("ab".repeat(n / 2) + "cd");
            sameDump("a".repeat(n) + "b".repeat(n) + "a".repeat(n));
        }
    }

    @Test
    void matchesAroundTheMaximumOffset() {
        // a 12-byte marker, compressible filler free of the marker's bytes, the marker again at a
        // distance (ip - ref - 1) around MAX_OFF 8192
        String marker = "#MARKER=42#!";
        String unit = "lorem ipsum dolor sit amet ";
        for (int off = 8180; off <= 8200; off++) {
            StringBuilder sb = new StringBuilder("<").append(marker);
            while (sb.length() < 1 + off + 1) sb.append(unit.charAt(sb.length() % unit.length()));
            sb.setLength(1 + off + 1);
            sb.append(marker).append(" end");
            sameDump(sb.toString());
            // and an incompressible filler (distinct 3-byte windows), so only the marker can match
            Random r = new Random(off);
            // (then a long run, so that the whole still compresses and Redis does not store it raw)
            byte[] v = new byte[1 + off + 1 + 12 + 2000];
            for (int i = 0; i < v.length; i++) v[i] = (byte) r.nextInt(256);
            byte[] m = b(marker);
            System.arraycopy(m, 0, v, 1, 12);
            System.arraycopy(m, 0, v, 1 + off + 1, 12);
            Arrays.fill(v, 1 + off + 1 + 12, v.length, (byte) 'w');
            sameDump(v);
        }
    }

    /**
     * Values whose compressed size lands at len - 4 and around it: Redis gives LZF an output buffer
     * of len - 4 and stores the value raw when it does not fit, so every out-of-space check shows.
     */
    @Test
    void compressionThatJustFitsOrJustFails() {
        Random r = new Random(7);
        byte[] big = new byte[1 << 17];
        int[] seen = new int[9]; // by compressed size - (len - 4), -4..4
        int tested = 0;
        for (int attempt = 0; attempt < 200_000 && tested < 1500; attempt++) {
            int n = 21 + r.nextInt(r.nextBoolean() ? 60 : 400);
            byte[] v = new byte[n];
            // random bytes with a few short repeats: compresses to about its own size
            int i = 0;
            while (i < n) {
                if (i > 4 && r.nextInt(8) == 0) {
                    int l = Math.min(n - i, 3 + r.nextInt(r.nextInt(4) == 0 ? 40 : 5));
                    int from = r.nextInt(i);
                    for (int k = 0; k < l; k++) v[i + k] = v[from + k];
                    i += l;
                } else {
                    v[i++] = (byte) r.nextInt(r.nextInt(3) == 0 ? 4 : 256);
                }
            }
            int c = Lzf.compress(v, 0, n, big, big.length);
            int d = c - (n - 4);
            if (d < -4 || d > 4) continue;
            if (seen[d + 4] > 200) continue;
            seen[d + 4]++;
            tested++;
            sameDump(v);
        }
        for (int d = -4; d <= 4; d++) assertTrue(seen[d + 4] > 20, "few values at compressed size len-4" + (d >= 0 ? "+" : "") + d);
    }

    @Test
    void binaryData() {
        Random r = new Random(11);
        for (int t = 0; t < 500; t++) {
            int n = 21 + r.nextInt(2000);
            byte[] v = new byte[n];
            byte[] chunk = new byte[1 + r.nextInt(64)];
            r.nextBytes(chunk);
            for (int i = 0; i < n; i++) v[i] = r.nextInt(5) == 0 ? (byte) r.nextInt(256) : chunk[i % chunk.length];
            sameDump(v);
        }
    }

    /** A seeded generator of compressible values of many shapes, a few thousand compared. */
    @Test
    void randomCompressibleValues() {
        Random r = new Random(20240701);
        int lzf = 0;
        for (int t = 0; t < 4000; t++) {
            byte[] v = randomValue(r);
            byte[] key = b("k");
            redis.call(b("SET"), key, v);
            basalt.call(b("SET"), key, v);
            RespValue want = redis.call(b("DUMP"), key);
            RespValue got = basalt.call(b("DUMP"), key);
            int tt = t;
            assertArrayEquals(want.raw(), got.raw(), () -> "value #" + tt + ": " + HexFormat.of().formatHex(v));
            if (lzfEncoded(want)) lzf++;
        }
        assertTrue(lzf > 2000, "most generated values compress: " + lzf);
    }

    static byte[] randomValue(Random r) {
        int n = switch (r.nextInt(4)) {
            case 0 -> 21 + r.nextInt(30);
            case 1 -> 21 + r.nextInt(300);
            case 2 -> 21 + r.nextInt(3000);
            default -> 21 + r.nextInt(20000);
        };
        byte[] v = new byte[n];
        int alphabet = 1 + r.nextInt(r.nextBoolean() ? 6 : 256);
        int base = r.nextInt(256 - Math.min(alphabet, 255));
        int copyOdds = 1 + r.nextInt(10);
        int i = 0;
        while (i < n) {
            if (i > 1 && r.nextInt(copyOdds) == 0) {
                // copy from anywhere earlier, sometimes overlapping itself (runs), sometimes far back
                int l = Math.min(n - i, 1 + r.nextInt(r.nextInt(6) == 0 ? 400 : 12));
                int from = r.nextInt(3) == 0 ? Math.max(0, i - 1 - r.nextInt(4)) : r.nextInt(i);
                for (int k = 0; k < l; k++) v[i + k] = v[from + k];
                i += l;
            } else {
                v[i++] = (byte) (base + r.nextInt(alphabet));
            }
        }
        return v;
    }

    /** Listpacks and members inside collections are written with the same LZF as strings. */
    @Test
    void collections() {
        List<String> elems = new ArrayList<>();
        for (int i = 0; i < 200; i++) elems.add("element-" + (i % 10) + "-" + "pad".repeat(i % 7));
        for (String e : elems) same("RPUSH", "list", e);
        same("DUMP", "list");
        for (int i = 0; i < 200; i++) same("RPUSH", "biglist", "item:" + i + ":" + "v".repeat(i % 50));
        same("DUMP", "biglist");
        // quicklist nodes that are plain (a single large element) next to packed ones
        same("RPUSH", "plainlist", "p".repeat(10000), "a", "b".repeat(100));
        same("DUMP", "plainlist");

        for (int i = 0; i < 100; i++) same("HSET", "lphash", "field:" + i, "value:" + "abc".repeat(i % 10));
        same("OBJECT", "ENCODING", "lphash");
        same("DUMP", "lphash");
        // hashtable encoding: one field, so the dict order does not matter
        same("HSET", "hthash", "field", "long value ".repeat(20));
        same("OBJECT", "ENCODING", "hthash");
        same("DUMP", "hthash");
        same("SADD", "htset", "member member member member member member member member member member");
        same("OBJECT", "ENCODING", "htset");
        same("DUMP", "htset");

        for (int i = 0; i < 100; i++) same("ZADD", "lpzset", Integer.toString(i), "member:" + "xy".repeat(i % 20));
        same("OBJECT", "ENCODING", "lpzset");
        same("DUMP", "lpzset");
        // skiplist encoding (long members): written in score order, so comparable too
        for (int i = 0; i < 150; i++) same("ZADD", "slzset", Integer.toString(i), "m" + i + "-" + "long member ".repeat(8));
        assertEquals("skiplist", same("OBJECT", "ENCODING", "slzset").string());
        same("DUMP", "slzset");
    }

    @TempDir
    Path tmp;

    /** Datasets of a single key (a file's key order is hash-table order), compressible throughout. */
    static final List<Consumer<RawClient>> SAVE_DATASETS = List.of(
            c -> c.call("SET", "str", "x".repeat(100)),
            c -> {
                for (int i = 0; i < 200; i++) c.call("RPUSH", "list", "element-" + (i % 10) + "-" + "pad".repeat(i % 7));
            },
            c -> {
                for (int i = 0; i < 100; i++) c.call("HSET", "lphash", "field:" + i, "value:" + "abc".repeat(i % 10));
            },
            c -> {
                for (int i = 0; i < 150; i++) c.call("ZADD", "slzset", Integer.toString(i), "m" + i + "-" + "long member ".repeat(8));
            },
            c -> c.call("SADD", "htset", "member member member member member member member member member member"),
            c -> c.call("HSET", "hthash", "field", "long value ".repeat(20)),
            c -> {
                c.call("SET", "json", "{\"id\":1,\"name\":\"user1\",\"tags\":[\"a\",\"b\"],\"name2\":\"user1\",\"ids\":[1,1,1]}");
                c.call("PEXPIREAT", "json", "4102444800000"); // the same absolute expiry on both servers
            },
            c -> {
                for (int i = 0; i < 100; i++) c.call("ZADD", "lpzset", Integer.toString(i), "member:" + "xy".repeat(i % 20));
            },
            c -> c.call("SET", "text", "Redis is an open source (BSD licensed), in-memory data structure store, used as a "
                    + "database, cache, and message broker. Redis provides data structures such as strings, hashes, lists, sets."),
            c -> c.call("SET", "long-key-name-".repeat(5), "y".repeat(5000)));

    /** Where the keyspace starts in an RDB file: past the magic and the aux fields (0xFA key value). */
    static int keyspaceStart(byte[] rdb) {
        assertEquals("REDIS0010", new String(rdb, 0, 9, StandardCharsets.US_ASCII));
        int p = 9;
        while ((rdb[p] & 0xff) == 0xFA) {
            p = skipString(rdb, p + 1);
            p = skipString(rdb, p);
        }
        return p;
    }

    /** Skips an RDB string (plain, int-encoded or LZF) at p. */
    static int skipString(byte[] rdb, int p) {
        int b = rdb[p] & 0xff;
        switch (b >> 6) {
            case 0: return p + 1 + (b & 0x3f);
            case 1: return p + 2 + (((b & 0x3f) << 8) | (rdb[p + 1] & 0xff));
            case 2: {
                int n = 0;
                for (int i = 1; i <= 4; i++) n = (n << 8) | (rdb[p + i] & 0xff);
                assertEquals(0x80, b, "64-bit lengths do not occur here");
                return p + 5 + n;
            }
            default:
                switch (b & 0x3f) {
                    case 0: return p + 2;
                    case 1: return p + 3;
                    case 2: return p + 5;
                    default: {
                        int q = p + 1;
                        int clen = rdb[q] & 0xff; // compressed aux values are short
                        assertTrue(clen < 64);
                        q = skipLen(rdb, q);
                        q = skipLen(rdb, q);
                        return q + clen;
                    }
                }
        }
    }

    static int skipLen(byte[] rdb, int p) {
        int t = (rdb[p] & 0xff) >> 6;
        return p + (t == 0 ? 1 : t == 1 ? 2 : 5);
    }

    /**
     * SAVE on both servers writes the same keyspace bytes: everything after the aux fields (which
     * hold times, memory and versions) up to the EOF opcode, before the checksum. One key per file,
     * each in another database.
     */
    @Test
    void savedKeyspaceIsByteIdentical() throws Exception {
        Path rdir = Files.createTempDirectory(tmp, "redis");
        Path bdir = Files.createTempDirectory(tmp, "basalt");
        RedisServerProcess r = RedisServerProcess.start("--dir", rdir.toString(), "--rdbcompression", "yes");
        BasaltInstance bi = BasaltInstance.start("--dir", bdir.toString(), "--rdbcompression", "yes");
        try (RawClient rc = new RawClient(r.port()); RawClient bc = new RawClient(bi.port())) {
            for (int i = 0; i < SAVE_DATASETS.size(); i++) {
                for (RawClient c : new RawClient[]{rc, bc}) {
                    c.call("FLUSHALL");
                    c.call("SELECT", Integer.toString(i));
                    SAVE_DATASETS.get(i).accept(c);
                    assertEquals("OK", c.call("SAVE").string());
                }
                byte[] want = Files.readAllBytes(rdir.resolve("dump.rdb"));
                byte[] got = Files.readAllBytes(bdir.resolve("dump.rdb"));
                byte[] wantKeys = Arrays.copyOfRange(want, keyspaceStart(want), want.length - 8);
                byte[] gotKeys = Arrays.copyOfRange(got, keyspaceStart(got), got.length - 8);
                assertEquals(0xFF, wantKeys[wantKeys.length - 1] & 0xff, "EOF opcode before the checksum");
                assertEquals(HexFormat.of().formatHex(wantKeys), HexFormat.of().formatHex(gotKeys), "dataset " + i);
            }
        } finally {
            r.stop();
            bi.stop();
        }
    }
}
