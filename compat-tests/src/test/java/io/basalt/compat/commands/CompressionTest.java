package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.DifferentialTest;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.data.StringRecord;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LZ4 compression of string values (basalt-compression lz4) is invisible: every string command
 * on a compressed value replies exactly what redis-server (which has no such thing) replies for
 * the same value, and DUMP, RDB and AOF carry the real value. Whether a value is stored
 * compressed is checked through INFO memory's basalt_compressed_values.
 *
 * <p>Runs against a private Basalt with compression on (min-size 1024, min-saving 10%), so the
 * other tests' shared instance keeps Redis's behaviour in every other respect.
 */
class CompressionTest extends DifferentialTest {
    private static BasaltInstance instance;

    @BeforeAll
    static void start() {
        instance = BasaltInstance.start("--basalt-compression", "lz4", "--basalt-compression-min-size", "1024",
                "--basalt-compression-min-saving", "10");
    }

    @AfterAll
    static void stop() {
        instance.stop();
    }

    @BeforeEach
    void useCompressingInstance() {
        basalt.close();
        basalt = new RawClient(instance.port());
        basalt.call("CONFIG", "SET", "basalt-compression", "lz4", "basalt-compression-min-size", "1024",
                "basalt-compression-min-saving", "10");
        basalt.call("FLUSHALL");
    }

    // ---------------------------------------------------------------- values

    /** A JSON-like document of exactly {@code len} bytes: repeated field names, varying numbers. */
    static String json(int len, int seed) {
        Random rnd = new Random(seed);
        StringBuilder sb = new StringBuilder("{\"data\":[");
        for (int i = 0; sb.length() < len; i++) {
            sb.append("{\"id\":").append(100000 + rnd.nextInt(900000)).append(",\"name\":\"user").append(i)
                    .append("\",\"score\":").append(rnd.nextInt(1000)).append(",\"active\":").append(rnd.nextBoolean())
                    .append(",\"tags\":[\"alpha\",\"beta\"]},");
        }
        return sb.substring(0, len);
    }

    /** Printable noise: LZ4 (no entropy coding) cannot shrink it. */
    static String noise(int len, int seed) {
        Random rnd = new Random(seed);
        StringBuilder sb = new StringBuilder(len);
        for (int i = 0; i < len; i++) sb.append((char) (33 + rnd.nextInt(94)));
        return sb.toString();
    }

    private long info(String field) {
        String mem = basalt.call("INFO", "memory").string();
        for (String line : mem.split("\r\n")) {
            if (line.startsWith(field + ":")) return Long.parseLong(line.substring(field.length() + 1));
        }
        throw new AssertionError(field + " not in INFO memory");
    }

    private long compressed() { return info("basalt_compressed_values"); }

    /**
     * DUMP of a compressed value: byte-identical to Redis's with rdbcompression no (the value is
     * written as is), and with rdbcompression yes identical to what Basalt dumps for the same
     * value stored uncompressed (Basalt's LZF finds other matches than Redis's, for any value).
     */
    private void sameDump(String key) {
        redis.call("CONFIG", "SET", "rdbcompression", "no");
        basalt.call("CONFIG", "SET", "rdbcompression", "no");
        try {
            same("DUMP", key);
        } finally {
            redis.call("CONFIG", "SET", "rdbcompression", "yes");
            basalt.call("CONFIG", "SET", "rdbcompression", "yes");
        }
        byte[] value = basalt.call("GET", key).bytes();
        try (RawClient plain = new RawClient(BasaltInstance.shared().port())) {
            plain.call("SET".getBytes(), "dump-check".getBytes(), value);
            assertEquals(plain.call("DUMP", "dump-check").rawString(), basalt.call("DUMP", key).rawString());
            plain.call("DEL", "dump-check");
        }
    }

    private void set(String key, String value) {
        same("SET", key, value);
    }

    // ---------------------------------------------------------------- thresholds

    @Test
    void valuesFromMinSizeUpAreCompressed() {
        set("below", json(1023, 1));
        assertEquals(0, compressed());
        set("at", json(1024, 2));
        assertEquals(1, compressed());
        set("above", json(1025, 3));
        assertEquals(2, compressed());
        assertTrue(info("basalt_compression_saved_bytes") > 1024, "saved " + info("basalt_compression_saved_bytes"));
        for (String k : new String[]{"below", "at", "above"}) {
            same("GET", k);
            same("STRLEN", k);
            same("OBJECT", "ENCODING", k);
            same("TYPE", k);
        }
        // MEMORY USAGE reports the footprint actually stored
        long raw = basalt.call("MEMORY", "USAGE", "below").number();
        long packed = basalt.call("MEMORY", "USAGE", "at").number();
        assertTrue(packed < raw / 2, packed + " vs " + raw);
    }

    /**
     * A dense HLL of few elements is mostly zeros, so it is stored compressed: the HLL commands
     * work on its plain copy and store it back (a compressed record is never written in place).
     */
    @Test
    void hyperLogLogsStoredCompressed() {
        same("PFADD", "h", "a", "b", "c", "d", "e", "f", "g");
        same("PFDEBUG", "TODENSE", "h");
        assertEquals(1, compressed());
        same("PFCOUNT", "h"); // caches the cardinality in the compressed value's header
        same("GET", "h");
        same("PFCOUNT", "h");
        same("PFADD", "h", "x", "y", "z");
        same("GET", "h");
        same("PFADD", "h", "x");
        same("PFMERGE", "m", "h");
        same("GET", "m");
        same("PFCOUNT", "h", "m", "nokey");
        same("PFDEBUG", "GETREG", "h");
        same("OBJECT", "ENCODING", "h");
        assertEquals(2, compressed());
        same("PFCOUNT", "m");
        same("GET", "m");
    }

    @Test
    void incompressibleValuesStayRaw() {
        set("noise", noise(8192, 4));
        assertEquals(0, compressed());
        assertEquals(0, info("basalt_compression_saved_bytes"));
        same("GET", "noise");
        same("GETRANGE", "noise", "100", "200");
    }

    @Test
    void theMinimumSavingDecides() {
        // half noise, half repetition: saves a little under half
        String v = noise(2000, 5) + "x".repeat(2000);
        byte[] rec = StringRecord.create("k".getBytes(), v.getBytes(StandardCharsets.US_ASCII), -1, StringRecord.ENC_RAW);
        long saved = StringRecord.savedBytes(StringRecord.compress(rec, 1, 0));
        int pct = (int) (saved * 100 / v.length()); // the largest saving percentage it meets
        basalt.call("CONFIG", "SET", "basalt-compression-min-saving", Integer.toString(pct + 1));
        set("misses", v);
        assertEquals(0, compressed());
        basalt.call("CONFIG", "SET", "basalt-compression-min-saving", Integer.toString(pct));
        set("meets", v);
        assertEquals(1, compressed());
        assertEquals(saved, info("basalt_compression_saved_bytes"));
        same("GET", "misses");
        same("GET", "meets");
        same("LCS", "misses", "meets", "LEN");
    }

    @Test
    void configIsListedAndValidated() {
        RespValue all = basalt.call("CONFIG", "GET", "*");
        java.util.Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i + 1 < all.size(); i += 2) m.put(all.get(i).string(), all.get(i + 1).string());
        assertEquals("lz4", m.get("basalt-compression"));
        assertEquals("1024", m.get("basalt-compression-min-size"));
        assertEquals("10", m.get("basalt-compression-min-saving"));
        assertEquals(6, basalt.call("CONFIG", "GET", "basalt-compression*").size());
        assertTrue(basalt.call("CONFIG", "SET", "basalt-compression", "zstd").rawString().startsWith("-ERR"));
        assertTrue(basalt.call("CONFIG", "SET", "basalt-compression-min-saving", "100").rawString().startsWith("-ERR"));
        assertTrue(basalt.call("CONFIG", "SET", "basalt-compression-min-size", "0").rawString().startsWith("-ERR"));
        assertEquals("OK", basalt.call("CONFIG", "SET", "basalt-compression-min-size", "4kb").string());
        assertEquals("4096", basalt.call("CONFIG", "GET", "basalt-compression-min-size").get(1).string());
        set("k", json(4000, 50));
        assertEquals(0, compressed());
        // a Redis that does not know the directive says so; Basalt's defaults are "no"
        assertTrue(redis.call("CONFIG", "GET", "basalt-compression").size() == 0);
        try (RawClient d = new RawClient(BasaltInstance.shared().port())) {
            assertEquals("no", d.call("CONFIG", "GET", "basalt-compression").get(1).string());
        }
    }

    // ---------------------------------------------------------------- every string command

    @Test
    void readCommandsOnCompressedValues() {
        String v = json(4096, 6);
        set("k", v);
        set("k2", json(3000, 7));
        assertEquals(2, compressed());
        same("GET", "k");
        same("STRLEN", "k");
        same("GETRANGE", "k", "0", "-1");
        same("GETRANGE", "k", "100", "150");
        same("GETRANGE", "k", "-20", "-1");
        same("GETRANGE", "k", "4000", "99999");
        same("SUBSTR", "k", "5", "10");
        same("GETBIT", "k", "0");
        same("GETBIT", "k", "1001");
        same("GETBIT", "k", "99999");
        same("BITCOUNT", "k");
        same("BITCOUNT", "k", "10", "-10");
        same("BITCOUNT", "k", "3", "333", "BIT");
        same("BITPOS", "k", "1");
        same("BITPOS", "k", "0", "7");
        same("BITPOS", "k", "1", "10", "-1", "BIT");
        same("BITFIELD_RO", "k", "GET", "u8", "0", "GET", "i16", "#100", "GET", "u32", "32767");
        same("BITFIELD", "k", "GET", "i64", "100");
        same("MGET", "k", "nokey", "k2");
        same("LCS", "k", "k2", "LEN");
        same("OBJECT", "ENCODING", "k");
        same("EXISTS", "k");
        sameDump("k");
        sameDump("k2");
        same("SORT", "nolist");
        same("RPUSH", "ids", "2", "1");
        same("SORT", "ids", "GET", "k*", "GET", "#");
        same("SORT", "ids", "BY", "k*", "ALPHA", "GET", "k*");
        assertEquals(2, compressed());
    }

    @Test
    void lcsOnCompressedValues() {
        basalt.call("CONFIG", "SET", "basalt-compression-min-size", "100");
        set("a", json(600, 8));
        set("b", json(600, 9));
        assertEquals(2, compressed());
        same("LCS", "a", "b");
        same("LCS", "a", "b", "IDX", "MINMATCHLEN", "20", "WITHMATCHLEN");
    }

    @Test
    void writeCommandsOnCompressedValues() {
        String v = json(4096, 10);
        set("k", v);
        same("APPEND", "k", json(500, 11));
        same("GET", "k");
        assertEquals(1, compressed());
        same("SETRANGE", "k", "10", "HELLO");
        same("SETRANGE", "k", "5000", "tail");
        same("GET", "k");
        same("STRLEN", "k");
        same("SETBIT", "k", "7", "1");
        same("SETBIT", "k", "80000", "1");
        same("GET", "k");
        same("BITFIELD", "k", "SET", "u8", "0", "255", "INCRBY", "i5", "100", "1", "GET", "u4", "0");
        same("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "102", "7", "SET", "i32", "#9000", "-1");
        same("GET", "k");
        same("OBJECT", "ENCODING", "k");
        assertEquals(1, compressed());
        same("INCR", "k");
        same("INCRBYFLOAT", "k", "1");
        same("DECRBY", "k", "3");
        // BITOP over compressed sources, its result compressed in turn
        set("j", json(2048, 12));
        same("BITOP", "AND", "dest", "k", "j");
        same("BITOP", "NOT", "dest2", "j");
        same("GET", "dest");
        same("GET", "dest2");
        // the GET family
        same("GETSET", "j", json(1500, 13));
        same("SET", "j", json(1600, 14), "GET");
        same("GETEX", "j", "EX", "1000");
        same("TTL", "j");
        same("GETEX", "j", "PERSIST");
        same("TTL", "j");
        same("SET", "j", json(1700, 15), "KEEPTTL", "GET");
        same("GETDEL", "j");
        same("GET", "j");
        same("MSET", "m1", json(2000, 16), "m2", json(1100, 17));
        same("MSETNX", "m1", "x", "m3", json(1200, 18));
        same("MGET", "m1", "m2", "m3");
    }

    @Test
    void countersOnCompressedValues() {
        // a low threshold, so numeric-looking strings that are not integers get compressed
        basalt.call("CONFIG", "SET", "basalt-compression-min-size", "16", "basalt-compression-min-saving", "0");
        set("f", "1".repeat(40) + ".5");
        set("big", "9".repeat(60));
        set("lead", "0".repeat(50) + "7");
        assertEquals(3, compressed());
        same("INCRBYFLOAT", "f", "1");
        same("GET", "f");
        same("INCR", "big");
        same("INCR", "lead");
        same("DECR", "lead");
        same("INCRBYFLOAT", "big", "1.25");
        same("GET", "big");
        same("INCRBYFLOAT", "lead", "1");
        same("OBJECT", "ENCODING", "lead");
        // an integer value is never compressed (INCR and OBJECT ENCODING read it as it is)
        same("SET", "int", "12345678901234567");
        same("OBJECT", "ENCODING", "int");
        same("INCRBY", "int", "10");
    }

    @Test
    void keyCommandsCarryCompressedValues() {
        String v = json(4096, 19);
        set("k", v);
        same("EXPIRE", "k", "1000");
        same("COPY", "k", "c");
        same("RENAME", "k", "r");
        same("TTL", "r");
        same("MOVE", "r", "3");
        assertEquals(2, compressed());
        same("SELECT", "3");
        same("GET", "r");
        same("TTL", "r");
        same("COPY", "r", "c", "DB", "0");
        same("SELECT", "0");
        same("GET", "c");
        same("PERSIST", "c");
        same("GET", "c");
        same("DEL", "c");
        same("SELECT", "3");
        same("UNLINK", "r");
        assertEquals(0, compressed());
        assertEquals(0, info("basalt_compression_saved_bytes"));
    }

    @Test
    void restoreOfARedisPayloadIsCompressedAndDumpsTheSame() {
        String v = json(4096, 20);
        same("SET", "src", v);
        byte[] payload = redis.call("DUMP", "src").bytes();
        same("RESTORE".getBytes(), "dst".getBytes(), "0".getBytes(), payload);
        same("RESTORE".getBytes(), "ttl".getBytes(), "100000".getBytes(), payload);
        assertEquals(3, compressed());
        same("GET", "dst");
        same("GET", "ttl");
        sameDump("dst");
        sameDump("ttl");
        same("OBJECT", "ENCODING", "ttl");
    }

    // ---------------------------------------------------------------- growing, shrinking, toggling

    @Test
    void valuesGrowPastAndFallBelowTheThreshold() {
        set("a", json(1000, 21));
        assertEquals(0, compressed());
        same("APPEND", "a", json(100, 22));
        assertEquals(1, compressed());
        set("s", json(900, 23));
        same("SETRANGE", "s", "1100", "{\"more\":1}");
        assertEquals(2, compressed());
        same("GET", "s");
        set("b", "");
        same("SETBIT", "b", "20000", "1");
        assertEquals(3, compressed(), "a zero-padded bitmap compresses");
        same("GET", "b");
        // shrinking: a short value replaces each
        set("a", "short");
        same("SET", "s", "1", "XX");
        same("GETSET", "b", "x");
        assertEquals(0, compressed());
        assertEquals(0, info("basalt_compression_saved_bytes"));
        same("GET", "a");
        same("OBJECT", "ENCODING", "s");
    }

    @Test
    void turningCompressionOffKeepsCompressedValuesReadable() {
        String v = json(4096, 24);
        set("k", v);
        set("k2", v);
        assertEquals(2, compressed());
        assertEquals("OK", basalt.call("CONFIG", "SET", "basalt-compression", "no").string());
        same("GET", "k");
        set("new", v);
        assertEquals(2, compressed(), "new values are stored raw");
        same("APPEND", "k", "!");
        assertEquals(1, compressed(), "a rewritten value is stored raw");
        same("GET", "k");
        same("GETRANGE", "k2", "0", "99");
        same("SETBIT", "k2", "1", "0");
        same("GET", "k2");
        assertEquals(0, compressed());
        same("SET", "new", v); // the in-place overwrite of a raw value
        same("GET", "new");
    }

    @Test
    void usedMemoryCountsTheCompressedSize() {
        long before = info("used_memory");
        for (int i = 0; i < 200; i++) basalt.call("SET", "doc:" + i, json(4096, 100 + i));
        long grew = info("used_memory") - before;
        assertEquals(200, compressed());
        assertTrue(grew < 200L * 4096 / 2, "used_memory grew by " + grew);
    }

    // ---------------------------------------------------------------- generated sequences

    /**
     * Random string commands over four keys with a low threshold (32 bytes, any saving), so
     * values keep crossing between compressed and raw; every reply must equal Redis's.
     * Replay with {@code -Dbasalt.seed=N}.
     */
    @Test
    void generatedStringCommandsMatchRedis() {
        basalt.call("CONFIG", "SET", "basalt-compression-min-size", "32", "basalt-compression-min-saving", "0");
        long seed = Long.getLong("basalt.seed", System.nanoTime());
        Random rnd = new Random(seed);
        String[] keys = {"a", "b", "{a}c", "{a}d"};
        java.util.List<String> history = new java.util.ArrayList<>();
        int compressedSeen = 0;
        for (int i = 0; i < 3000; i++) {
            String k = keys[rnd.nextInt(keys.length)];
            String k2 = keys[rnd.nextInt(keys.length)];
            String n = Integer.toString(rnd.nextInt(300) - 50);
            String m = Integer.toString(rnd.nextInt(300) - 50);
            String[] cmd = switch (rnd.nextInt(22)) {
                case 0, 1 -> new String[]{"SET", k, value(rnd)};
                case 2 -> new String[]{"APPEND", k, value(rnd)};
                case 3 -> new String[]{"SETRANGE", k, Integer.toString(rnd.nextInt(120)), value(rnd)};
                case 4 -> new String[]{"GET", k};
                case 5 -> new String[]{"GETRANGE", k, n, m};
                case 6 -> new String[]{"STRLEN", k};
                case 7 -> new String[]{"SETBIT", k, Integer.toString(rnd.nextInt(1200)), Integer.toString(rnd.nextInt(2))};
                case 8 -> new String[]{"GETBIT", k, Integer.toString(rnd.nextInt(1200))};
                case 9 -> new String[]{"BITCOUNT", k, n, m, rnd.nextBoolean() ? "BIT" : "BYTE"};
                case 10 -> new String[]{"BITPOS", k, Integer.toString(rnd.nextInt(2)), n};
                case 11 -> new String[]{"BITFIELD", k, "INCRBY", "u7", n.replace("-", ""), m, "GET", "i13", "#3"};
                case 12 -> new String[]{"INCRBY", k, n};
                case 13 -> new String[]{"INCRBYFLOAT", k, "0.5"};
                case 14 -> new String[]{"GETDEL", k};
                case 15 -> new String[]{"GETEX", k, "PX", "100000"};
                case 16 -> new String[]{"COPY", k, k2, "REPLACE"};
                case 17 -> new String[]{"RENAME", k, k2};
                case 18 -> new String[]{"LCS", k, k2, "IDX", "MINMATCHLEN", "4"};
                case 19 -> new String[]{"MGET", k, k2};
                case 20 -> new String[]{"BITOP", rnd.nextBoolean() ? "XOR" : "OR", k, k2, keys[rnd.nextInt(keys.length)]};
                default -> new String[]{"SET", k, value(rnd), "GET"};
            };
            history.add(String.join(" ", cmd));
            String want = redis.call(cmd).rawString();
            String got = basalt.call(cmd).rawString();
            if (!want.equals(got)) {
                int from = Math.max(0, history.size() - 15);
                throw new AssertionError("seed " + seed + ", op " + i + ": " + history.get(history.size() - 1)
                        + "\n redis : " + want + "\n basalt: " + got + "\n last ops:\n  "
                        + String.join("\n  ", history.subList(from, history.size())));
            }
            if (i % 100 == 0) compressedSeen += (int) compressed();
        }
        assertTrue(compressedSeen > 0, "the sequence never stored a compressed value");
    }

    /** 0 to 150 bytes, mostly repetitive (compressible), sometimes noise or digits. */
    private static String value(Random rnd) {
        int len = rnd.nextInt(150);
        return switch (rnd.nextInt(4)) {
            case 0 -> noise(len, rnd.nextInt());
            case 1 -> "9".repeat(Math.min(len, 40));
            default -> json(len, rnd.nextInt());
        };
    }

    // ---------------------------------------------------------------- persistence

    @TempDir
    Path tmp;

    @Test
    void rdbKeepsCompressedValuesAndRedisLoadsIt() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "rdb");
        BasaltInstance b = BasaltInstance.start("--dir", dir.toString(), "--basalt-compression", "lz4");
        String v1 = json(4096, 30);
        String v2 = json(20000, 31);
        try (RawClient c = new RawClient(b.port())) {
            c.call("SET", "v1", v1);
            c.call("SET", "v2", v2, "PXAT", Long.toString(System.currentTimeMillis() + 3_600_000));
            c.call("SET", "n", noise(2000, 32));
            c.call("SET", "small", "abc");
            assertEquals("OK", c.call("DEBUG", "RELOAD").string());
            assertEquals(v1, c.call("GET", "v1").string());
            assertEquals(v2, c.call("GET", "v2").string());
            assertTrue(c.call("INFO", "memory").string().contains("basalt_compressed_values:2\r\n"));
            assertEquals("OK", c.call("SAVE").string());
        } finally {
            b.stop();
        }
        Process check = new ProcessBuilder("redis-check-rdb", dir.resolve("dump.rdb").toString())
                .redirectErrorStream(true).start();
        String out = new String(check.getInputStream().readAllBytes());
        assertEquals(0, check.waitFor(), out);
        // restarted Basalt, compression on: the values load and are compressed again
        BasaltInstance b2 = BasaltInstance.start("--dir", dir.toString(), "--basalt-compression", "lz4");
        try (RawClient c = new RawClient(b2.port())) {
            assertEquals(v1, c.call("GET", "v1").string());
            assertEquals(v2, c.call("GET", "v2").string());
            assertTrue(c.call("TTL", "v2").number() > 3000);
            assertTrue(c.call("INFO", "memory").string().contains("basalt_compressed_values:2\r\n"));
        } finally {
            b2.stop();
        }
        RedisServerProcess r = RedisServerProcess.start("--dir", dir.toString());
        try (RawClient c = new RawClient(r.port())) {
            assertEquals(v1, c.call("GET", "v1").string());
            assertEquals(v2, c.call("GET", "v2").string());
            assertEquals("abc", c.call("GET", "small").string());
            assertEquals(4, c.call("DBSIZE").number());
        } finally {
            r.stop();
        }
    }

    @Test
    void aofLogsTheRealValues() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "aof");
        String[] args = {"--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always",
                "--basalt-compression", "lz4"};
        String v = json(4096, 40);
        String tail = json(300, 41);
        String expected = v + tail;
        expected = expected.substring(0, 7) + "PATCH" + expected.substring(12);
        BasaltInstance b = BasaltInstance.start(args);
        try (RawClient c = new RawClient(b.port())) {
            c.call("SET", "k", v);
            c.call("APPEND", "k", tail);
            c.call("SETRANGE", "k", "7", "PATCH");
            c.call("SET", "k2", v);
            c.call("INCRBYFLOAT", "f", "1.5");
            assertEquals(expected, c.call("GET", "k").string());
        } finally {
            b.stop();
        }
        // the log holds the values as written, never a compressed block
        StringBuilder log = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                log.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
            }
        }
        assertTrue(log.indexOf(v) >= 0 && log.indexOf(tail) >= 0);
        BasaltInstance b2 = BasaltInstance.start(args);
        try (RawClient c = new RawClient(b2.port())) {
            assertEquals(expected, c.call("GET", "k").string());
            assertEquals(v, c.call("GET", "k2").string());
            assertTrue(c.call("INFO", "memory").string().contains("basalt_compressed_values:2\r\n"));
            // a rewrite writes the values out decompressed too
            assertEquals("Background append only file rewriting started", c.call("BGREWRITEAOF").string());
            long deadline = System.currentTimeMillis() + 10_000;
            while (c.call("INFO", "persistence").string().contains("aof_rewrite_in_progress:1")
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            b2.stop();
        }
        BasaltInstance b3 = BasaltInstance.start(args);
        try (RawClient c = new RawClient(b3.port())) {
            assertEquals(expected, c.call("GET", "k").string());
            assertEquals(v, c.call("GET", "k2").string());
            assertEquals("1.5", c.call("GET", "f").string());
        } finally {
            b3.stop();
        }
    }
}
