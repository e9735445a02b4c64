package io.basalt.compat.persistence;

import io.basalt.compat.harness.DifferentialTest;
import io.basalt.persistence.Crc64;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DUMP and RESTORE against redis-server: error replies, options, and payloads in the older
 * encodings Redis 7.0 still accepts (ziplists, zipmap, quicklist v1, linked list, text scores),
 * built by hand here since 7.0 no longer writes them.
 */
class RestoreDifferentialTest extends DifferentialTest {
    static byte[] b(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

    static byte[] payload(int type, byte[] body) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(type);
        o.writeBytes(body);
        o.write(10);
        o.write(0);
        byte[] p = o.toByteArray();
        long crc = Crc64.update(0, p, 0, p.length);
        for (int i = 0; i < 8; i++) o.write((int) (crc >> (8 * i)));
        return o.toByteArray();
    }

    /** An RDB string: 6-bit or 32-bit length prefix then the bytes. */
    static byte[] str(byte[] s) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        if (s.length < 64) o.write(s.length);
        else {
            o.write(0x80);
            for (int i = 3; i >= 0; i--) o.write(s.length >> (8 * i));
        }
        o.writeBytes(s);
        return o.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    /** A ziplist of the given elements: short strings, or integers with the int16 / immediate encodings. */
    static byte[] ziplist(Object... elems) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int prev = 0;
        int lastOff = 10;
        for (Object e : elems) {
            ByteArrayOutputStream en = new ByteArrayOutputStream();
            en.write(prev);
            if (e instanceof Integer v && v >= 0 && v <= 12) {
                en.write(0xF1 + v);
            } else if (e instanceof Integer v) {
                en.write(0xC0);
                en.write(v & 0xff);
                en.write((v >> 8) & 0xff);
            } else {
                byte[] s = b((String) e);
                en.write(s.length);
                en.writeBytes(s);
            }
            lastOff = 10 + body.size();
            prev = en.size();
            body.writeBytes(en.toByteArray());
        }
        int total = 10 + body.size() + 1;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (int i = 0; i < 4; i++) o.write(total >> (8 * i));
        for (int i = 0; i < 4; i++) o.write(lastOff >> (8 * i));
        o.write(elems.length & 0xff);
        o.write(elems.length >> 8);
        o.writeBytes(body.toByteArray());
        o.write(0xFF);
        return o.toByteArray();
    }

    void restoreBoth(String key, byte[] payload) {
        same(b("RESTORE"), b(key), b("0"), payload);
    }

    void compareKey(String key) {
        same("TYPE", key);
        same("OBJECT", "ENCODING", key);
        String type = redis.call("TYPE", key).string();
        switch (type) {
            case "list" -> same("LRANGE", key, "0", "-1");
            case "hash" -> {
                same("HLEN", key);
                RespValue f = redis.call("HKEYS", key);
                for (int i = 0; i < f.size(); i++) same("HGET", key, f.get(i).string());
            }
            case "zset" -> same("ZRANGE", key, "0", "-1", "WITHSCORES");
            case "set" -> {
                same("SCARD", key);
                same("SINTERCARD", "1", key);
            }
            default -> same("GET", key);
        }
    }

    @Test
    void oldEncodingsLoadLikeRedis() {
        restoreBoth("zl", payload(10, str(ziplist("a", 12, "hello", -300, 0))));
        compareKey("zl");
        restoreBoth("qlv1", payload(14, concat(new byte[]{2}, str(ziplist("x", 7)), str(ziplist("y", "z", 1000)))));
        compareKey("qlv1");
        restoreBoth("hzl", payload(13, str(ziplist("f1", "v1", "f2", 5))));
        compareKey("hzl");
        restoreBoth("zzl", payload(12, str(ziplist("m3", "-inf", "m1", "1.5", "m2", 3))));
        compareKey("zzl");
        byte[] zipmap = concat(new byte[]{2}, new byte[]{1}, b("a"), new byte[]{2, 0}, b("xy"),
                new byte[]{2}, b("bb"), new byte[]{1, 3}, b("z"), new byte[]{0, 0, 0}, new byte[]{(byte) 255});
        restoreBoth("zm", payload(9, str(zipmap)));
        compareKey("zm");
        restoreBoth("ll", payload(1, concat(new byte[]{3}, str(b("p")), str(b("q")), str(b("12")))));
        compareKey("ll");
        restoreBoth("z1", payload(3, concat(new byte[]{2}, str(b("a")), new byte[]{3}, b("2.5"), str(b("b")), new byte[]{(byte) 254})));
        compareKey("z1");
        restoreBoth("s2", payload(2, concat(new byte[]{3}, str(b("1")), str(b("2")), str(b("3")))));
        compareKey("s2");
        restoreBoth("s2h", payload(2, concat(new byte[]{2}, str(b("1")), str(b("x")))));
        compareKey("s2h");
        restoreBoth("h4", payload(4, concat(new byte[]{1}, str(b("f")), str(b("v")))));
        compareKey("h4");
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 70; i++) big.append("abc");
        restoreBoth("hbig", payload(13, str(ziplist("f", big.toString()))));
        compareKey("hbig");
    }

    @Test
    void errorsAndOptions() {
        same("SET", "k", "v");
        byte[] dump = redis.call("DUMP", "k").bytes();
        same(b("DUMP"), b("nokey"));
        same(b("RESTORE"), b("k"), b("0"), dump);
        same(b("RESTORE"), b("n"), b("0"), b("garbage"));
        same(b("RESTORE"), b("n"), b("abc"), dump);
        same(b("RESTORE"), b("n"), b("-1"), dump);
        same(b("RESTORE"), b("n"), b("0"), dump, b("BOGUS"));
        same(b("RESTORE"), b("n"), b("0"), dump, b("IDLETIME"), b("-1"));
        same(b("RESTORE"), b("n"), b("0"), dump, b("IDLETIME"), b("x"));
        same(b("RESTORE"), b("n"), b("0"), dump, b("FREQ"), b("256"));
        same(b("RESTORE"), b("n"), b("0"), dump, b("FREQ"), b("1"), b("IDLETIME"), b("2"));
        same(b("RESTORE"), b("n"), b("0"), dump, b("IDLETIME"));
        same(b("RESTORE"), b("k"), b("0"), dump, b("REPLACE"), b("IDLETIME"), b("100"));
        same("OBJECT", "IDLETIME", "k");
        same(b("RESTORE"), b("past"), b("1000"), dump, b("ABSTTL"));
        same("EXISTS", "past");
        same(b("RESTORE"), b("k"), b("1000"), dump, b("ABSTTL"), b("REPLACE"));
        same("EXISTS", "k");
        same(b("RESTORE"), b("t"), b("100000"), dump);
        same("TTL", "t");
        same(b("RESTORE"), b("t2"), b("4102444800000"), dump, b("ABSTTL"));
        same("PEXPIRETIME", "t2");
        // a right version and checksum over bodies that are not valid objects
        Random r = new Random(5);
        for (int i = 0; i < 300; i++) {
            byte[] body = new byte[1 + r.nextInt(30)];
            r.nextBytes(body);
            int type = r.nextInt(20);
            if (type == 6 || type == 7 || type == 15 || type == 19) continue; // modules, streams
            byte[] p = payload(type, body);
            RespValue want = redis.call(b("RESTORE"), b("rnd"), b("0"), p, b("REPLACE"));
            RespValue got = basalt.call(b("RESTORE"), b("rnd"), b("0"), p, b("REPLACE"));
            assertEquals(want.rawString(), got.rawString(), () -> "payload " + java.util.HexFormat.of().formatHex(p));
            if (!want.isError()) compareKey("rnd");
        }
        // a newer RDB version is refused
        byte[] v11 = dump.clone();
        v11[v11.length - 10] = 11;
        same(b("RESTORE"), b("n"), b("0"), v11);
    }
}
