package io.basalt.compat.commands;

import io.basalt.compat.harness.DifferentialTest;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PFADD, PFCOUNT, PFMERGE, PFDEBUG and PFSELFTEST against redis-server 7.0.15. An HLL is a plain
 * string in Redis's own format, so besides the replies every scenario compares the HLL strings
 * themselves (GET, byte for byte): sparse opcodes, the promotion to dense, the cached
 * cardinality in the header. Corrupted HLLs (crafted and random) must get Redis's error reply
 * and leave the same bytes behind.
 */
class HyperLogLogDifferentialTest extends DifferentialTest {

    @AfterEach
    void resetConfig() {
        redis.call("CONFIG", "SET", "hll-sparse-max-bytes", "3000");
        basalt.call("CONFIG", "SET", "hll-sparse-max-bytes", "3000");
    }

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

    /** The HLL string at {@code key} is byte-identical on both servers (and so is OBJECT ENCODING). */
    private void sameHll(String key) {
        same("GET", key);
        same("OBJECT", "ENCODING", key);
    }

    /** An HLL string: header with {@code encoding} and cached cardinality {@code card}, then {@code body}. */
    private static byte[] hll(int encoding, long card, byte... body) {
        byte[] v = new byte[16 + body.length];
        v[0] = 'H';
        v[1] = 'Y';
        v[2] = 'L';
        v[3] = 'L';
        v[4] = (byte) encoding;
        for (int i = 0; i < 8; i++) v[8 + i] = (byte) (card >>> (8 * i));
        System.arraycopy(body, 0, v, 16, body.length);
        return v;
    }

    private static final long STALE = 1L << 63;

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    private void set(String key, byte[] value) {
        same(b("SET"), b(key), value);
    }

    private static String[] elements(String prefix, int from, int to) {
        String[] cmd = new String[to - from + 2];
        cmd[0] = "PFADD";
        cmd[1] = prefix;
        for (int i = from; i < to; i++) cmd[i - from + 2] = "e" + i;
        return cmd;
    }

    // ---------------------------------------------------------------- PFADD PFCOUNT

    @Test
    void pfaddCreatesSparseAndPfcountCachesTheCardinality() {
        same("PFADD", "k", "a", "b", "c");
        sameHll("k"); // stale cache bit set by PFADD
        same("PFCOUNT", "k");
        sameHll("k"); // cardinality cached, bit clear
        same("PFADD", "k", "a", "b");
        sameHll("k"); // nothing raised: the cache stays valid
        same("PFADD", "k");
        same("PFADD", "new");
        sameHll("new");
        same("PFCOUNT", "new");
        same("PFCOUNT", "missing");
        same("PFADD", "k", "");
        same("PFADD", "k", "x".repeat(1000), "y".repeat(7), "z".repeat(8), "w".repeat(9), "\u00ff\u0000\u0080");
        same("PFCOUNT", "k");
        sameHll("k");
        same("PFDEBUG", "DECODE", "k");
        same("PFDEBUG", "ENCODING", "k");
        same("PFADD");
        same("PFADD", "k", "a");
        same("PFCOUNT");
        // a TTL survives the change of the value
        same("PFADD", "t", "a");
        same("EXPIRE", "t", "100");
        same("PFADD", "t", "b", "c", "d");
        same("TTL", "t");
    }

    @Test
    void sparseTurnsDenseAtHllSparseMaxBytes() {
        for (int i = 0; i < 4000; i += 50) {
            same(elements("k", i, i + 50));
            same("PFDEBUG", "ENCODING", "k");
            same("STRLEN", "k");
            if (i % 500 == 0) {
                sameHll("k");
                same("PFCOUNT", "k");
            }
        }
        sameHll("k");
        same("PFCOUNT", "k");
        same("PFCOUNT", "k");
        for (int i = 4000; i < 30000; i += 1000) same(elements("k", i, i + 1000));
        same("PFCOUNT", "k");
        sameHll("k");
    }

    @Test
    void hllSparseMaxBytesIsAConfigParameter() {
        same("CONFIG", "GET", "hll-sparse-max-bytes");
        same("CONFIG", "SET", "hll-sparse-max-bytes", "100");
        same("CONFIG", "GET", "hll-sparse-max-bytes");
        for (int i = 0; i < 60; i += 3) {
            same(elements("k", i, i + 3));
            same("PFDEBUG", "ENCODING", "k");
            sameHll("k");
        }
        same("CONFIG", "SET", "hll-sparse-max-bytes", "1kb");
        same("CONFIG", "GET", "hll-sparse-max-bytes");
        same("CONFIG", "SET", "hll-sparse-max-bytes", "0");
        same("PFADD", "z", "a");
        same("PFDEBUG", "ENCODING", "z");
        sameHll("z");
        same("CONFIG", "SET", "hll-sparse-max-bytes", "-1");
        same("CONFIG", "SET", "hll-sparse-max-bytes", "abc");
        same("CONFIG", "GET", "hll-sparse-max-bytes");
    }

    @Test
    void pfcountOfSeveralKeysIsTheUnion() {
        same(elements("s1", 0, 100));
        same(elements("s2", 50, 200));
        same(elements("d1", 0, 5000));
        same("PFCOUNT", "s1", "s2");
        same("PFCOUNT", "s1", "s2", "missing");
        same("PFCOUNT", "s1", "d1");
        same("PFCOUNT", "d1", "s2", "d1");
        same("PFCOUNT", "missing", "other");
        // the union is not cached anywhere and leaves the inputs as they were
        sameHll("s1");
        sameHll("d1");
        same("SET", "str", "not an hll");
        same("PFCOUNT", "s1", "str");
        same("HSET", "h", "f", "v");
        same("PFCOUNT", "s1", "h");
        same("PFCOUNT", "h", "s1");
    }

    /**
     * Elements whose hash has 32, 39 and 50 zeros after register 5's index (MurmurHash64A run
     * backwards from the hash wanted): register values 33, 40 and 51, too large for a sparse VAL
     * opcode, so the HLL turns dense at once.
     */
    private static final byte[] COUNT_33 = bytes(0x49, 0x9b, 0xde, 0x5f, 0x61, 0xa0, 0x9c, 0x55);
    private static final byte[] COUNT_40 = bytes(0x61, 0xeb, 0xa9, 0xe2, 0x2c, 0xb2, 0x71, 0x22);
    private static final byte[] COUNT_51 = bytes(0xf4, 0x2f, 0xd7, 0x00, 0x8e, 0x52, 0x87, 0x12);

    @Test
    void aRegisterAbove32TurnsTheHllDense() {
        same(elements("k", 0, 20));
        same("PFDEBUG", "ENCODING", "k");
        same(b("PFADD"), b("k"), COUNT_33);
        same("PFDEBUG", "ENCODING", "k");
        sameHll("k");
        same(b("PFADD"), b("k"), COUNT_40, COUNT_51);
        sameHll("k");
        same("PFCOUNT", "k");
        same(b("PFADD"), b("k"), COUNT_33);
        same(b("PFADD"), b("new"), COUNT_51);
        sameHll("new");
        // merged into a sparse destination: dense because an input is
        same(elements("s", 0, 20));
        same("PFMERGE", "s", "new");
        sameHll("s");
        same("PFCOUNT", "s", "k");
    }

    // ---------------------------------------------------------------- PFMERGE

    @Test
    void pfmergeOfSparseAndDense() {
        same(elements("s1", 0, 30));
        same(elements("s2", 20, 60));
        same(elements("d1", 0, 3000));
        same("PFMERGE", "m1", "s1", "s2");
        sameHll("m1");
        same("PFCOUNT", "m1");
        same("PFMERGE", "m2", "s1", "d1");
        sameHll("m2");
        same("PFDEBUG", "ENCODING", "m2");
        same("PFCOUNT", "m2");
        // the destination is an input too; a sparse one grows by the others' registers
        same("PFMERGE", "s1", "s2", "missing");
        sameHll("s1");
        same("PFMERGE", "s2", "d1");
        sameHll("s2");
        same("PFMERGE", "empty");
        sameHll("empty");
        same("PFMERGE", "empty2", "missing1", "missing2");
        sameHll("empty2");
        same("PFCOUNT", "empty2");
        // many sparse inputs: the sparse destination turns dense past hll-sparse-max-bytes
        for (int i = 0; i < 10; i++) same(elements("p" + i, i * 200, i * 200 + 200));
        same("PFMERGE", "all", "p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9");
        sameHll("all");
        same("PFCOUNT", "all");
        // a TTL of the destination stays
        same("PFADD", "t", "x");
        same("EXPIRE", "t", "100");
        same("PFMERGE", "t", "s1");
        same("TTL", "t");
        same("PFMERGE");
        same("HSET", "h", "f", "v");
        same("PFMERGE", "h", "s1");
        same("PFMERGE", "m1", "h");
        same("SET", "str", "abc");
        same("PFMERGE", "str", "s1");
        same("PFMERGE", "m1", "str");
        sameHll("m1");
    }

    // ---------------------------------------------------------------- PFDEBUG PFSELFTEST

    @Test
    void pfdebug() {
        same(elements("k", 0, 40));
        same("PFDEBUG", "ENCODING", "k");
        same("PFDEBUG", "DECODE", "k");
        same("PFDEBUG", "GETREG", "k"); // converts to dense
        same("PFDEBUG", "ENCODING", "k");
        sameHll("k");
        same("PFDEBUG", "DECODE", "k");
        same("PFDEBUG", "TODENSE", "k");
        same(elements("j", 0, 10));
        same("PFDEBUG", "TODENSE", "j");
        same("PFDEBUG", "todense", "j");
        sameHll("j");
        same("PFDEBUG", "GETREG", "j");
        same("PFDEBUG", "getreg", "missing");
        same("PFDEBUG", "nosuch", "missing");
        same("PFDEBUG", "nosuch", "j");
        same("PFDEBUG", "GETREG");
        same("PFDEBUG", "GETREG", "j", "extra");
        same("SET", "str", "abc");
        same("PFDEBUG", "ENCODING", "str");
        same("LPUSH", "l", "x");
        same("PFDEBUG", "ENCODING", "l");
        resp3();
        same("PFDEBUG", "ENCODING", "j");
        same("PFDEBUG", "DECODE", "k");
        same("PFADD", "j", "new1", "new2");
        same("PFCOUNT", "j");
    }

    @Test
    void pfselftest() {
        same("PFSELFTEST");
        same("PFSELFTEST", "x");
    }

    // ---------------------------------------------------------------- encodings and types

    @Test
    void anHllSetAsAShortStringBecomesRawWhenOpened() {
        byte[] empty = hll(1, 0, bytes(0x7f, 0xff));
        set("k", empty);
        same("OBJECT", "ENCODING", "k"); // embstr
        same("PFCOUNT", "k");
        same("OBJECT", "ENCODING", "k"); // raw: PFCOUNT unshares the string
        set("a", empty);
        set("b", empty);
        same("PFCOUNT", "a", "b");
        same("OBJECT", "ENCODING", "a"); // inputs of a union are not unshared
        same("PFMERGE", "c", "a", "b");
        same("OBJECT", "ENCODING", "b");
        same("OBJECT", "ENCODING", "a"); // nor the sources of PFMERGE
        same("PFMERGE", "a", "b");
        same("OBJECT", "ENCODING", "a"); // but its destination is
        set("d", empty);
        same("PFADD", "d", "a");
        sameHll("d");
        set("e", empty);
        same("PFDEBUG", "ENCODING", "e");
        same("OBJECT", "ENCODING", "e");
    }

    @Test
    void notAnHllIsWrongtype() {
        same("SET", "int", "12345678901234567890");
        same("SET", "short", "HYLL");
        same("SET", "plain", "a string that is long enough to hold a header");
        set("enc2", hll(2, 0, bytes(0x7f, 0xff)));
        set("densebad", hll(0, 0, new byte[100]));
        set("magic", b("HYLX\u0001\0\0\0\0\0\0\0\0\0\0\0\u007f\u00ff"));
        same("HSET", "hash", "f", "v");
        for (String k : new String[] {"int", "short", "plain", "enc2", "densebad", "magic", "hash"}) {
            same("PFADD", k, "a");
            same("PFCOUNT", k);
            same("PFCOUNT", k, "missing");
            same("PFMERGE", "dst", k);
            same("PFMERGE", k, "missing");
            same("PFDEBUG", "ENCODING", k);
            same("PFDEBUG", "DECODE", k);
            same("GET", k);
        }
        same("EXISTS", "dst");
    }

    // ---------------------------------------------------------------- corrupted HLLs

    /** Runs every HLL command on a copy of {@code value}, comparing replies and what is left. */
    private void corrupted(byte[] value) {
        String[][] cmds = {
            {"PFCOUNT", "c"}, {"PFADD", "c", "a", "b", "c", "d", "e"}, {"PFCOUNT", "c"}, {"PFCOUNT", "c", "missing"},
            {"PFMERGE", "dst", "c"}, {"PFMERGE", "c", "missing"}, {"PFDEBUG", "DECODE", "c"}, {"PFDEBUG", "GETREG", "c"},
            {"PFDEBUG", "TODENSE", "c"}, {"PFDEBUG", "ENCODING", "c"},
        };
        for (String[] cmd : cmds) {
            same("DEL", "c", "dst");
            set("c", value);
            same(cmd);
            sameHll("c");
            same("GET", "dst");
        }
        same("DEL", "c");
        set("c", value);
        same(elements("c", 0, 100)); // a cut XZERO split within one command reads the byte written past the end
        same("GET", "c");
        for (int i = 100; i < 300 && !endsWithCutXzero(redis.call("GET", "c").bytes()); i += 20) {
            same(elements("c", i, i + 20));
            same("GET", "c");
            same("PFCOUNT", "c");
        }
    }

    /**
     * Whether a sparse HLL's opcodes end with an XZERO cut after its first byte. Redis then reads
     * the byte after the string, in its memory: a split of that very opcode may have written one
     * byte there, which no GET shows and a stored copy does not keep; what the next command
     * reads there is Redis's memory, not the HLL, so a comparison stops at such a string.
     */
    private static boolean endsWithCutXzero(byte[] v) {
        if (v == null || v.length < 16 || v[4] != 1) return false;
        int p = 16;
        while (p < v.length) p += (v[p] & 0xc0) == 0x40 ? 2 : 1;
        return p > v.length;
    }

    @Test
    void craftedCorruptedHllsGetErrorsAsInRedis() {
        corrupted(hll(1, 5));                                   // no opcodes, valid cache: PFCOUNT answers 5
        corrupted(hll(1, STALE));                               // no opcodes, stale cache
        corrupted(hll(1, STALE, bytes(0x7f, 0xfe)));            // 16383 registers
        corrupted(hll(1, 0, bytes(0x7f, 0xfe)));
        corrupted(hll(1, STALE, bytes(0x7f, 0xff, 0x00)));      // 16385 registers
        corrupted(hll(1, STALE, bytes(0x7f)));                  // XZERO cut after its first byte
        corrupted(hll(1, STALE, bytes(0x00, 0x7f)));
        corrupted(hll(1, STALE, bytes(0x7f, 0xfb, 0x83)));      // VAL past the last register
        corrupted(hll(1, STALE, bytes(0x7f, 0xfa, 0xff, 0xff, 0xff)));
        corrupted(hll(1, STALE, bytes(0x80, 0x80, 0x7f, 0xfd))); // unmerged VALs, valid count
        corrupted(hll(1, STALE, bytes(0x3f, 0x3f, 0x7f, 0x7f))); // ZERO runs, valid count
        corrupted(hll(1, STALE, bytes(0xfc, 0x7f, 0xfe)));      // VAL 32 (the largest sparse value)
        byte[] many = new byte[4000];
        for (int i = 0; i < many.length; i += 2) {
            many[i] = 0x7f;
            many[i + 1] = (byte) 0xff;
        }
        corrupted(hll(1, STALE, many));                          // 2000 x 16384 registers
        byte[] dense = hll(0, STALE, new byte[12288]);
        java.util.Arrays.fill(dense, 16, dense.length, (byte) 0xff); // every register 63
        corrupted(dense);
    }

    @Test
    void randomCorruptedHllsGetErrorsAsInRedis() {
        Random rnd = new Random(16);
        for (int round = 0; round < 60; round++) {
            int n = 1 + rnd.nextInt(round < 30 ? 8 : 64);
            byte[] body = new byte[n];
            rnd.nextBytes(body);
            long card = rnd.nextBoolean() ? STALE : rnd.nextInt(1000);
            byte[] v = hll(1, card, body);
            same("DEL", "c");
            set("c", v);
            same("PFADD", "c", "a" + round, "b" + round, "c" + round);
            same("GET", "c");
            if (endsWithCutXzero(redis.call("GET", "c").bytes())) continue;
            same("PFCOUNT", "c");
            same("PFDEBUG", "DECODE", "c");
            same("PFMERGE", "c", "c");
            same("GET", "c");
            if (endsWithCutXzero(redis.call("GET", "c").bytes())) continue;
            same("PFDEBUG", "TODENSE", "c");
            same("GET", "c");
        }
    }

    /** A valid sparse HLL, then bytes flipped anywhere in its opcodes. */
    @Test
    void flippedBytesOfAValidSparseHll() {
        same(elements("src", 0, 300));
        byte[] good = redis.call("GET", "src").bytes();
        Random rnd = new Random(7);
        for (int round = 0; round < 40; round++) {
            byte[] v = good.clone();
            int flips = 1 + rnd.nextInt(3);
            for (int i = 0; i < flips; i++) v[16 + rnd.nextInt(v.length - 16)] = (byte) rnd.nextInt(256);
            same("DEL", "c");
            set("c", v);
            same("PFCOUNT", "c");
            same("PFADD", "c", "x" + round, "y" + round);
            same("GET", "c");
            if (endsWithCutXzero(redis.call("GET", "c").bytes())) continue;
            same("PFCOUNT", "c", "src");
            same("PFMERGE", "c", "src");
            same("GET", "c");
        }
    }

    // ---------------------------------------------------------------- interchange

    @Test
    void hllStringsMoveBetweenRedisAndBasalt() {
        same(elements("s", 0, 500));
        same(elements("d", 0, 20000));
        for (String k : new String[] {"s", "d"}) {
            byte[] fromRedis = redis.call("GET", k).bytes();
            byte[] fromBasalt = basalt.call("GET", k).bytes();
            assertArrayEquals(fromRedis, fromBasalt, "HLL string " + k);
            // each server reads the other's HLL and keeps adding to it
            redis.call(b("SET"), b(k + "2"), fromBasalt);
            basalt.call(b("SET"), b(k + "2"), fromRedis);
            same("PFCOUNT", k + "2");
            same("PFADD", k + "2", "more", "elements", "here");
            same("PFCOUNT", k + "2");
            same("GET", k + "2");
        }
        // DUMP on redis-server, RESTORE on Basalt
        byte[] dump = redis.call("DUMP", "d").bytes();
        RespValue restored = basalt.call(b("RESTORE"), b("r"), b("0"), dump);
        assertEquals("OK", restored.string());
        redis.call(b("RESTORE"), b("r"), b("0"), dump);
        same("PFCOUNT", "r");
        same("GET", "r");
        long card = basalt.call("PFCOUNT", "d").number();
        assertTrue(card > 19_000 && card < 21_000, "estimate of 20000: " + card);
    }

    /** Error stats by Redis's codes, and which lookups count as keyspace hits and misses. */
    @Test
    void errorStatsAndKeyspaceHits() {
        same("CONFIG", "RESETSTAT");
        same("SET", "str", "abc");
        set("c", hll(1, STALE));
        same("PFADD", "str", "a");
        same("PFCOUNT", "c");
        same("PFCOUNT", "c");
        same("INFO", "errorstats");
        same("CONFIG", "RESETSTAT");
        same("PFADD", "h", "a");
        same("PFADD", "h2", "b");
        same("PFCOUNT", "h");
        same("PFCOUNT", "h", "h2", "nokey");
        same("PFMERGE", "h3", "h", "nokey");
        same("PFMERGE", "h", "h2");
        same("PFDEBUG", "ENCODING", "h");
        same("PFDEBUG", "ENCODING", "nokey");
        for (String field : new String[] {"keyspace_hits", "keyspace_misses"}) {
            assertEquals(infoField(redis, field), infoField(basalt, field), field);
        }
    }

    private static String infoField(io.basalt.compat.harness.RawClient c, String field) {
        for (String line : c.call("INFO", "stats").string().split("\r\n")) {
            if (line.startsWith(field + ":")) return line;
        }
        throw new AssertionError("no " + field);
    }
}
