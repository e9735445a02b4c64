package io.basalt.persistence;

import io.basalt.data.Entries;
import io.basalt.data.HashValue;
import io.basalt.data.Keyspace;
import io.basalt.data.ListValue;
import io.basalt.data.SetValue;
import io.basalt.data.Shard;
import io.basalt.data.StringRecord;
import io.basalt.data.ZSetValue;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class RdbRoundTripTest {
    static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    @Test
    void crc64MatchesRedisTestVector() {
        // crc64.c's self test: crc64(0, "123456789") == 0xe9c6d914c4b8d9ca
        assertEquals(0xe9c6d914c4b8d9caL, Crc64.update(0, b("123456789"), 0, 9));
    }

    @Test
    void lzfRoundTrips() {
        Random r = new Random(1);
        for (int n : new int[]{100, 1000, 70000}) {
            byte[] in = new byte[n];
            for (int i = 0; i < n; i++) in[i] = (byte) ('a' + r.nextInt(3));
            byte[] out = new byte[n - 4];
            int c = Lzf.compress(in, 0, n, out);
            assertTrue(c > 0 && c < n - 4);
            assertArrayEquals(in, Lzf.decompress(out, 0, c, n));
        }
        byte[] random = new byte[200];
        r.nextBytes(random);
        assertEquals(0, Lzf.compress(random, 0, 200, new byte[196]), "incompressible data is stored raw");
    }

    static void put(Keyspace ks, int db, Object e, long expireAt) {
        byte[] key = Entries.key(e);
        Shard s = ks.shardOf(key);
        s.lock();
        try {
            s.put(db, key, e);
            if (expireAt >= 0) s.setExpire(db, e, expireAt);
        } finally {
            s.unlock();
        }
    }

    static Keyspace sample() {
        Keyspace ks = new Keyspace(16, 4);
        io.basalt.data.EncodingLimits limits = ks.limits();
        long ttl = System.currentTimeMillis() + 3_600_000;
        put(ks, 0, StringRecord.create(b("int"), b("12345"), -1, StringRecord.ENC_INT), -1);
        put(ks, 0, StringRecord.create(b("big"), b("x".repeat(1000)), ttl, StringRecord.ENC_RAW), -1);
        put(ks, 3, StringRecord.create(b("neg"), b("-9223372036854775808"), -1, StringRecord.ENC_INT), -1);
        ListValue l = new ListValue(b("list"));
        for (int i = 0; i < 3000; i++) l.pushTail(b(i % 3 == 0 ? "v" + i : Integer.toString(i * 1000)), limits);
        put(ks, 0, l, ttl);
        SetValue is = SetValue.createIntset(b("iset"));
        for (int i = -5; i < 100; i++) is.add(b(Integer.toString(i * 70000)), limits);
        put(ks, 0, is, -1);
        SetValue hs = SetValue.createFor(b("hset"), b("a"));
        for (int i = 0; i < 50; i++) hs.add(b("m" + i), limits);
        put(ks, 1, hs, ttl);
        HashValue sh = new HashValue(b("shash"));
        sh.set(b("f"), b("v"), limits);
        sh.set(b("n"), b("42"), limits);
        put(ks, 0, sh, -1);
        HashValue bh = new HashValue(b("bhash"));
        for (int i = 0; i < 1000; i++) bh.set(b("f" + i), b("v" + i), limits);
        put(ks, 0, bh, ttl);
        ZSetValue sz = ZSetValue.create(b("szset"), 3, 5, limits);
        sz.put(b("a"), 1.5, limits);
        sz.put(b("b"), 2, limits);
        sz.put(b("c"), Double.NEGATIVE_INFINITY, limits);
        put(ks, 0, sz, -1);
        ZSetValue bz = ZSetValue.create(b("bzset"), 500, 10, limits);
        for (int i = 0; i < 500; i++) bz.put(b("m" + i), i / 3.0, limits);
        put(ks, 2, bz, -1);
        return ks;
    }

    static byte[] save(Keyspace ks, boolean compress, boolean checksum) throws Exception {
        RdbWriter.Options o = new RdbWriter.Options();
        o.compress = compress;
        o.checksum = checksum;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RdbWriter.write(out, ks, o);
        return out.toByteArray();
    }

    /** A canonical text of one database: every key with type, encoding-independent content and TTL. */
    static String describe(Keyspace ks) {
        java.util.TreeMap<String, String> all = new java.util.TreeMap<>();
        for (int i = 0; i < ks.shardCount(); i++) {
            Shard s = ks.shard(i);
            for (int db = 0; db < ks.databases(); db++) {
                int d = db;
                s.forEach(db, e -> all.put(d + ":" + new String(Entries.key(e), StandardCharsets.UTF_8), content(e)));
            }
        }
        return all.toString();
    }

    static String content(Object e) {
        StringBuilder sb = new StringBuilder(Entries.typeName(e)).append(" ttl=").append(Entries.expireAt(e)).append(' ');
        if (e instanceof byte[] r) sb.append(new String(StringRecord.value(r), StandardCharsets.UTF_8));
        else if (e instanceof ListValue l) l.forEach(0, l.size() - 1, false, (buf, off, len) -> {
            sb.append(new String(buf, off, len, StandardCharsets.UTF_8)).append(',');
            return true;
        });
        else if (e instanceof SetValue s) {
            java.util.TreeSet<String> m = new java.util.TreeSet<>();
            s.forEachMember(x -> m.add(new String(x, StandardCharsets.UTF_8)));
            sb.append(m);
        } else if (e instanceof HashValue h) {
            java.util.TreeMap<String, String> m = new java.util.TreeMap<>();
            h.forEach((f, v) -> m.put(new String(f, StandardCharsets.UTF_8), new String(v, StandardCharsets.UTF_8)));
            sb.append(m);
        } else if (e instanceof ZSetValue z) {
            z.walk(0, z.size() - 1, false, (m, sc) -> sb.append(new String(m, StandardCharsets.UTF_8)).append('=').append(sc).append(','));
        }
        return sb.toString();
    }

    @Test
    void everyTypeRoundTrips() throws Exception {
        Keyspace ks = sample();
        for (boolean compress : new boolean[]{true, false}) {
            byte[] file = save(ks, compress, true);
            Keyspace back = new Keyspace(16, 2);
            KeyspaceLoader sink = new KeyspaceLoader(back, false);
            RdbLoader.Stats st = RdbLoader.load(new ByteArrayInputStream(file), sink);
            assertTrue(st.checksumVerified());
            assertEquals(describe(ks), describe(back));
            assertEquals(10, sink.loaded);
        }
    }

    @Test
    void corruptTruncatedAndWrongVersionFilesAreRejected() throws Exception {
        byte[] file = save(sample(), true, true);
        byte[] bad = file.clone();
        bad[bad.length / 2] ^= 0x55;
        assertThrows(Exception.class, () -> RdbLoader.load(new ByteArrayInputStream(bad), new KeyspaceLoader(new Keyspace(16, 1), false)));
        for (int cut : new int[]{0, 5, 9, 20, file.length / 3, file.length - 1}) {
            byte[] t = Arrays.copyOf(file, cut);
            assertThrows(EOFException.class, () -> RdbLoader.load(new ByteArrayInputStream(t), new KeyspaceLoader(new Keyspace(16, 1), false)));
        }
        byte[] v = file.clone();
        v[8] = '9'; // REDIS0019
        RdbException ex = assertThrows(RdbException.class, () -> RdbLoader.load(new ByteArrayInputStream(v), new KeyspaceLoader(new Keyspace(16, 1), false)));
        assertEquals("Can't handle RDB format version 19", ex.getMessage());
        // without a checksum the file still loads
        byte[] nock = save(sample(), true, false);
        assertFalse(RdbLoader.load(new ByteArrayInputStream(nock), new KeyspaceLoader(new Keyspace(16, 1), false)).checksumVerified());
    }

    @Test
    void dumpPayloadsRoundTripAndRejectGarbage() {
        Keyspace ks = sample();
        for (int i = 0; i < ks.shardCount(); i++) {
            ks.shard(i).forEach(0, e -> {
                byte[] p = RdbEncoder.dump(e, true, ks.limits());
                assertTrue(RdbLoader.verifyDump(p));
                Object back = RdbLoader.restore(p, Entries.key(e), ks.limits());
                String want = content(e).replaceFirst("ttl=\\S+", "");
                String got = content(back).replaceFirst("ttl=\\S+", "");
                assertEquals(want, got);
            });
        }
        Random r = new Random(7);
        byte[] p = RdbEncoder.dump(StringRecord.create(b("k"), b("hello"), -1, StringRecord.ENC_EMBSTR), true, ks.limits());
        byte[] q = p.clone();
        q[1] ^= 1;
        assertThrows(RdbException.class, () -> RdbLoader.restore(q, b("k"), ks.limits()));
        for (int k = 0; k < 2000; k++) {
            // well-checksummed garbage must fail cleanly too
            byte[] g = new byte[r.nextInt(40) + 1];
            r.nextBytes(g);
            g[0] = (byte) r.nextInt(20);
            byte[] payload = Arrays.copyOf(g, g.length + 10);
            payload[g.length] = 10;
            long crc = Crc64.update(0, payload, 0, g.length + 2);
            for (int i = 0; i < 8; i++) payload[g.length + 2 + i] = (byte) (crc >> (8 * i));
            try {
                RdbLoader.restore(payload, b("k"), ks.limits());
            } catch (RdbException expected) {
                // fine
            }
        }
    }

    static byte[] payload(byte[] body) {
        byte[] p = Arrays.copyOf(body, body.length + 10);
        p[body.length] = 10;
        long crc = Crc64.update(0, p, 0, body.length + 2);
        for (int i = 0; i < 8; i++) p[body.length + 2 + i] = (byte) (crc >> (8 * i));
        return p;
    }

    @Test
    void hugeClaimedLengthsFailWithoutAllocating() {
        // a 400 MB string, a 600 MB one, and an LZF blob of 3 bytes claiming 400 MB
        byte[][] bodies = {
            {0, (byte) 0x80, 0x18, 0, 0, 0, 'x'},
            {0, (byte) 0x80, 0x24, 0, 0, 0, 'x'},
            {0, (byte) 0xC3, 3, (byte) 0x80, 0x18, 0, 0, 0, 0, 'a', 'b'},
            {18, (byte) 0x80, 0x10, 0, 0, 0},
        };
        for (byte[] body : bodies) {
            long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            assertThrows(RdbException.class, () -> RdbLoader.restore(payload(body), b("k"), new io.basalt.data.EncodingLimits()));
            long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            assertTrue(after - before < 64L << 20, "allocated " + (after - before));
        }
    }
}
