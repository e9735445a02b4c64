package io.basalt.compat.commands;

import io.basalt.compat.harness.DifferentialTest;
import org.junit.jupiter.api.Test;

/** SORT and SORT_RO against redis-server 7.0, reply bytes compared in RESP2 and RESP3. */
class SortCommandTest extends DifferentialTest {

    private static byte[] b(String s) { return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1); }

    private void fixtures() {
        same("RPUSH", "l", "3", "1", "10", "2", "-5", "1.5", "2");
        same("RPUSH", "la", "banana", "apple", "Cherry", "apple", "date");
        same("SADD", "si", "5", "3", "-1", "100", "7");
        same("SADD", "sh", "x", "b", "a", "zz", "m");
        same("ZADD", "z", "3", "c", "1", "a", "2", "b", "5", "e", "4", "d");
        same("ZADD", "zn", "1", "30", "2", "10", "3", "20");
        for (String k : new String[] {"3", "1", "10", "2", "-5", "1.5", "5", "-1", "100", "7",
                "a", "b", "c", "d", "e", "x", "m", "zz", "apple", "banana"}) {
            same("SET", "w_" + k, String.valueOf((k.hashCode() * 31) % 17));
            same("SET", "name_" + k, "n-" + k);
            same("HSET", "h_" + k, "f", String.valueOf((k.hashCode() * 7) % 13), "g", k + "!");
        }
    }

    @Test
    void plainSorts() {
        both(() -> {
            fixtures();
            for (String k : new String[] {"l", "si", "z", "zn", "nokey"}) {
                same("SORT", k);
                same("SORT", k, "DESC");
                same("SORT", k, "ASC");
                same("SORT", k, "LIMIT", "1", "3");
                same("SORT", k, "LIMIT", "0", "0");
                same("SORT", k, "LIMIT", "-2", "2");
                same("SORT", k, "LIMIT", "2", "-1");
                same("SORT", k, "LIMIT", "50", "10");
                same("SORT", k, "DESC", "LIMIT", "1", "100");
                same("SORT", k, "ALPHA");
                same("SORT", k, "ALPHA", "DESC", "LIMIT", "1", "2");
                same("SORT_RO", k);
                same("SORT_RO", k, "alpha", "desc");
            }
            for (String k : new String[] {"la", "sh", "z"}) {
                same("SORT", k, "ALPHA");
                same("SORT", k, "ALPHA", "DESC");
                same("SORT", k, "ALPHA", "LIMIT", "1", "2");
                same("SORT", k);
                same("SORT_RO", k);
            }
        });
    }

    @Test
    void byPatterns() {
        both(() -> {
            fixtures();
            for (String k : new String[] {"l", "si", "z", "la", "sh", "zn"}) {
                same("SORT", k, "BY", "w_*");
                same("SORT", k, "BY", "w_*", "DESC");
                same("SORT", k, "BY", "w_*", "LIMIT", "1", "2");
                same("SORT", k, "BY", "h_*->f");
                same("SORT", k, "BY", "h_*->f", "DESC", "LIMIT", "0", "3");
                same("SORT", k, "BY", "missing_*");
                same("SORT", k, "BY", "h_*->nofield");
                same("SORT", k, "BY", "name_*");
                same("SORT", k, "BY", "h_*->g");
                same("SORT", k, "BY", "w_*", "GET", "#", "GET", "name_*", "GET", "h_*->g", "GET", "nope_*");
                same("SORT_RO", k, "BY", "w_*", "GET", "h_*->f");
            }
            // ALPHA BY: equal (or missing) weights compare equal and Redis's qsort order is then
            // unspecified, so only sources whose every element has a distinct weight
            for (String k : new String[] {"l", "si", "z", "sh"}) {
                same("SORT", k, "BY", "name_*", "ALPHA");
                same("SORT", k, "BY", "h_*->g", "ALPHA", "DESC");
                same("SORT", k, "BY", "name_*", "ALPHA", "LIMIT", "1", "2", "GET", "#", "GET", "h_*->f");
            }
            // BY without '*': no sorting; list and zset keep their order, DESC reverses, LIMIT ranges
            for (String k : new String[] {"l", "la", "z", "zn"}) {
                same("SORT", k, "BY", "nosort");
                same("SORT", k, "BY", "nosort", "DESC");
                same("SORT", k, "BY", "nosort", "LIMIT", "1", "2");
                same("SORT", k, "BY", "nosort", "DESC", "LIMIT", "1", "2");
                same("SORT", k, "BY", "nosort", "LIMIT", "-3", "100");
                same("SORT", k, "BY", "nosort", "LIMIT", "100", "1");
                same("SORT", k, "BY", "nosort", "LIMIT", "0", "0");
                same("SORT", k, "BY", "x->f", "GET", "#", "GET", "w_*");
                same("SORT", k, "BY", "nosort", "ALPHA");
            }
            // intset iteration order is deterministic
            same("SORT", "si", "BY", "nosort");
            same("SORT", "si", "BY", "nosort", "DESC", "LIMIT", "1", "2");
            same("SORT", "si", "BY", "nosort", "GET", "name_*");
        });
    }

    @Test
    void getPatterns() {
        both(() -> {
            fixtures();
            for (String k : new String[] {"l", "si", "z", "la", "nokey"}) {
                same("SORT", k, "ALPHA", "GET", "#");
                same("SORT", k, "ALPHA", "GET", "name_*", "GET", "#");
                same("SORT", k, "ALPHA", "GET", "h_*->g", "GET", "h_*->f", "GET", "h_*->none");
                same("SORT", k, "ALPHA", "GET", "nostar", "GET", "h_*->");
                same("SORT", k, "ALPHA", "GET", "w_*", "LIMIT", "1", "2");
                same("SORT", k, "ALPHA", "GET", "name_*->g");
                same("SORT", k, "ALPHA", "GET", "*", "GET", "#", "DESC");
            }
            // GET of a key of the wrong type is a null
            same("SET", "x_1", "v");
            same("RPUSH", "x_2", "v");
            same("HSET", "x_3", "f", "hv");
            same("RPUSH", "src", "1", "2", "3", "4");
            same("SORT", "src", "GET", "x_*", "GET", "x_*->f");
            same("SORT", "src", "BY", "x_*", "GET", "#");
        });
    }

    @Test
    void numericConversion() {
        both(() -> {
            same("RPUSH", "n", "1", "abc", "2");
            same("SORT", "n");
            same("SORT", "n", "ALPHA");
            same("SORT", "n", "STORE", "d");
            same("EXISTS", "d");
            same("RPUSH", "m", "1", " 2", "0x10", "1e3", "-inf", "inf", "", "3.5");
            same("SORT", "m");
            same("SORT", "m", "DESC");
            same("RPUSH", "nan", "1", "nan");
            same("SORT", "nan");
            same("RPUSH", "sp", "1 ", "2");
            same("SORT", "sp");
            same("RPUSH", "ok", "a", "b");
            same("SET", "w_a", "x");
            same("SET", "w_b", "3");
            same("SORT", "ok", "BY", "w_*");
            same("SORT", "ok", "BY", "w_*", "ALPHA");
            same("SET", "w_a", "2");
            same("SORT", "ok", "BY", "w_*");
            same(b("RPUSH"), b("bin"), b("b\u0000z"), b("b\u0000a"), b("\u00ff"), b("a"));
            same("SORT", "bin", "ALPHA");
            same("SORT", "bin", "ALPHA", "STORE", "bd");
            same("LRANGE", "bd", "0", "-1");
            same("RPUSH", "ties", "b", "a", "c");
            same("SORT", "ties", "BY", "nokey_*");
            same("SORT", "ties", "BY", "nokey_*", "DESC");
        });
    }

    /**
     * strtod's ERANGE (overflow, underflow) is a conversion error. It is the last command of a
     * single pass: Redis never clears errno before strtod, so on the same connection a stale
     * ERANGE would fail later numeric sorts of non-integer values too (a Redis quirk not copied).
     */
    @Test
    void rangeError() {
        same("RPUSH", "big", "1e400", "1");
        same("RPUSH", "tiny", "1e-400", "1");
        same("SORT", "big", "ALPHA");
        same("RPUSH", "sub", "0x1p-1070", "0x0.8p-1022", "2.2250738585072014e-308", "0e-400", "1e308", "1");
        same("SORT", "sub");
        same("SORT", "big");
    }

    /** Each ERANGE case on fresh connections (a new connection gets Redis past its stale errno). */
    @Test
    void rangeErrorsEachFresh() {
        for (String v : new String[] {"1e400", "-1e400", "1e-400", "1e-310", "4.9e-324", "0x1p-1080", "1.8e308"}) {
            try (io.basalt.compat.harness.RawClient r = new io.basalt.compat.harness.RawClient(
                         io.basalt.compat.harness.RedisServerProcess.shared().port());
                 io.basalt.compat.harness.RawClient b = new io.basalt.compat.harness.RawClient(
                         io.basalt.compat.harness.BasaltInstance.shared().port())) {
                r.call("DEL", "e");
                b.call("DEL", "e");
                r.call("RPUSH", "e", v, "1");
                b.call("RPUSH", "e", v, "1");
                org.junit.jupiter.api.Assertions.assertEquals(r.call("SORT", "e").rawString(),
                        b.call("SORT", "e").rawString(), v);
            }
        }
    }

    @Test
    void store() {
        both(() -> {
            fixtures();
            same("SORT", "l", "STORE", "dst");
            same("LRANGE", "dst", "0", "-1");
            same("TYPE", "dst");
            same("SET", "dst", "str");
            same("EXPIRE", "dst", "100");
            same("SORT", "z", "ALPHA", "DESC", "STORE", "dst");
            same("LRANGE", "dst", "0", "-1");
            same("TTL", "dst");
            same("HSET", "hd", "a", "b");
            same("SORT", "si", "BY", "w_*", "GET", "#", "GET", "name_*", "GET", "nothere_*", "STORE", "hd");
            same("LRANGE", "hd", "0", "-1");
            same("SORT", "sh", "BY", "nosort", "STORE", "dst");
            same("LRANGE", "dst", "0", "-1");
            same("SORT", "sh", "BY", "nosort", "GET", "name_*", "STORE", "dst");
            same("LRANGE", "dst", "0", "-1");
            same("SORT", "la", "BY", "nosort", "DESC", "LIMIT", "1", "2", "STORE", "dst");
            same("LRANGE", "dst", "0", "-1");
            same("SORT", "z", "BY", "nosort", "LIMIT", "1", "3", "STORE", "dst", "GET", "#", "GET", "w_*");
            same("LRANGE", "dst", "0", "-1");
            same("SORT", "nokey", "STORE", "dst");
            same("EXISTS", "dst");
            same("SORT", "l", "STORE", "dst", "LIMIT", "0", "0");
            same("SORT", "l", "STORE", "l");
            same("LRANGE", "l", "0", "-1");
            same("SORT", "la", "ALPHA", "STORE", "a", "STORE", "b");
            same("EXISTS", "a");
            same("LRANGE", "b", "0", "-1");
            same("SORT", "la", "ALPHA", "STORE", "dst", "LIMIT", "1", "2");
            same("OBJECT", "ENCODING", "dst");
        });
    }

    @Test
    void patternShapes() {
        both(() -> {
            same("RPUSH", "l", "a", "b", "c");
            same("SADD", "s", "c", "a", "b");
            same("SET", "k_a_*", "1");
            same("SET", "k_b_*", "3");
            same("SET", "k_c_*", "2");
            same("HSET", "h_a", "f*", "9", "f", "1", "->", "x");
            same("HSET", "h_b", "f*", "7", "f", "2");
            same("HSET", "h_c", "f*", "8", "f", "3");
            same("SET", "h_a->", "s");
            same("SORT", "l", "BY", "k_*_*");
            same("SORT", "l", "BY", "k_*_*", "GET", "k_*_*", "GET", "h_*->f*", "GET", "h_*->->");
            same("SORT", "l", "BY", "h_*->f*", "DESC");
            same("SORT", "l", "BY", "h_*->f*", "GET", "h_*->", "GET", "*->f", "GET", "h_->*");
            same("SORT", "s", "BY", "h_*->f*", "ALPHA", "STORE", "d");
            same("LRANGE", "d", "0", "-1");
            same("SORT", "s", "BY", "nosort", "DESC", "STORE", "d");
            same("LRANGE", "d", "0", "-1");
            same("SORT", "s", "BY", "nosort", "DESC", "LIMIT", "1", "1", "GET", "h_*->f", "STORE", "d");
            same("LRANGE", "d", "0", "-1");
            same("SORT", "l", "BY", "#", "GET", "#", "ALPHA", "DESC");
            same("SORT", "l", "BY", "k_*_", "ALPHA", "DESC");
            same("SORT", "l", "BY", "k_*_*", "ALPHA", "STORE", "d");
            same("LRANGE", "d", "0", "-1");
            same("SET", "w_a", "10");
            same("SET", "w_b", "9");
            same("SORT", "l", "BY", "w_*", "ALPHA");
            same("SORT", "l", "BY", "w_*", "ALPHA", "DESC", "STORE", "d");
            same("LRANGE", "d", "0", "-1");
            same("SORT", "l", "BY", "w_*", "LIMIT", "0", "1");
            same("SORT", "l", "BY", "w_*", "DESC", "LIMIT", "1", "5");
            same(b("RPUSH"), b("bl"), b("\u00e9"), b("\u0000x"), b("a b"));
            same(b("SET"), b("v_\u00e9"), b("1"));
            same(b("SET"), b("v_\u0000x"), b("3"));
            same(b("SET"), b("v_a b"), b("2"));
            same("SORT", "bl", "BY", "v_*", "GET", "v_*", "GET", "#");
        });
    }

    /** A hashtable set is iterated in no fixed order: BY nosort gives its members, compared sorted. */
    @Test
    void hashtableSetNosort() {
        both(() -> {
            for (int i = 0; i < 50; i++) same("SADD", "hs", "m" + i);
            same("SORT", "hs", "BY", "nosort", "STORE", "d");
            same("LRANGE", "d", "0", "-1");
            java.util.List<String> r = sortedStrings(redis.call("SORT", "hs", "BY", "nosort", "GET", "#"));
            java.util.List<String> b = sortedStrings(basalt.call("SORT", "hs", "BY", "nosort", "GET", "#"));
            org.junit.jupiter.api.Assertions.assertEquals(r, b);
            org.junit.jupiter.api.Assertions.assertEquals(50, b.size());
            same("SORT", "hs", "BY", "nosort", "LIMIT", "0", "0");
        });
    }

    private static java.util.List<String> sortedStrings(io.basalt.resp.RespValue v) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < v.size(); i++) out.add(v.get(i).string());
        java.util.Collections.sort(out);
        return out;
    }

    /** Pattern lookups count keyspace hits and misses like Redis's lookupKeyRead. */
    @Test
    void keyspaceStats() {
        same("RPUSH", "l", "1", "2", "3");
        same("SET", "w_1", "5");
        same("HSET", "h_2", "f", "1");
        redis.call("CONFIG", "RESETSTAT");
        basalt.call("CONFIG", "RESETSTAT");
        same("SORT", "l", "BY", "w_*", "GET", "h_*->f", "GET", "#", "GET", "x");
        same("SORT", "nokey", "GET", "w_*");
        same("SORT", "l", "BY", "nosort", "STORE", "d");
        String expected = statLines(redis);
        org.junit.jupiter.api.Assertions.assertTrue(expected.contains("keyspace_misses"), expected);
        org.junit.jupiter.api.Assertions.assertEquals(expected, statLines(basalt));
    }

    private static String statLines(io.basalt.compat.harness.RawClient c) {
        StringBuilder sb = new StringBuilder();
        for (String line : c.call("INFO", "stats").string().split("\r\n")) {
            if (line.startsWith("keyspace_hits") || line.startsWith("keyspace_misses")) sb.append(line).append('\n');
        }
        return sb.toString();
    }

    @Test
    void errors() {
        both(() -> {
            fixtures();
            same("SET", "s", "v");
            same("HSET", "hh", "a", "1");
            same("SORT", "s");
            same("SORT", "hh");
            same("SORT_RO", "s");
            same("SORT", "s", "BY", "w_*", "GET", "#");
            same("SORT", "l", "LIMIT", "1");
            same("SORT", "l", "LIMIT", "a", "1");
            same("SORT", "l", "LIMIT", "1", "b");
            same("SORT", "s", "LIMIT", "a", "1");
            same("SORT", "l", "BY");
            same("SORT", "l", "GET");
            same("SORT", "l", "STORE");
            same("SORT", "l", "FOO");
            same("SORT", "s", "FOO");
            same("SORT_RO", "l", "STORE", "x");
            same("SORT_RO", "l", "STORE");
            same("SORT");
            same("SORT_RO");
            same("SORT", "la");
            same("SORT", "la", "STORE", "dd");
            same("EXISTS", "dd");
            same("SORT", "la", "LIMIT", "0", "1", "LIMIT", "x", "y");
            same("SORT", "l", "limit", "9223372036854775808", "1");
            for (String k : new String[] {"l", "z", "si"}) {
                same("SORT", k, "LIMIT", "1", "9223372036854775807");
                same("SORT", k, "LIMIT", "2", "9223372036854775807");
                same("SORT", k, "LIMIT", "9223372036854775807", "9223372036854775807");
                same("SORT", k, "LIMIT", "-9223372036854775808", "-9223372036854775808");
                same("SORT", k, "BY", "nosort", "LIMIT", "2", "9223372036854775807");
                same("SORT", k, "BY", "nosort", "DESC", "LIMIT", "3", "9223372036854775807");
            }
        });
    }

    @Test
    void encodings() {
        both(() -> {
            for (int i = 0; i < 200; i++) {
                same("SADD", "big", String.valueOf((i * 7919) % 1000));
                same("SADD", "bigs", "m" + ((i * 7919) % 1000));
                same("ZADD", "bigz", String.valueOf(i % 10), "m" + i);
                same("RPUSH", "bigl", String.valueOf((i * 31) % 97));
            }
            same("SADD", "big", "x");
            same("SREM", "big", "x");
            same("OBJECT", "ENCODING", "big");
            same("SORT", "big");
            same("SORT", "big", "DESC", "LIMIT", "10", "20");
            same("SORT", "bigs", "ALPHA");
            same("SORT", "bigs", "ALPHA", "DESC", "LIMIT", "5", "5");
            same("SORT", "bigs", "BY", "nosort", "STORE", "d");
            same("LRANGE", "d", "0", "-1");
            same("OBJECT", "ENCODING", "bigz");
            same("SORT", "bigz", "ALPHA");
            same("SORT", "bigz", "BY", "nosort");
            same("SORT", "bigz", "BY", "nosort", "DESC", "LIMIT", "7", "13");
            same("SORT", "bigl");
            same("SORT", "bigl", "BY", "nosort", "DESC", "LIMIT", "3", "20");
            same("SORT", "bigl", "STORE", "d");
            same("LRANGE", "d", "0", "-1");
            same("LLEN", "d");
        });
    }
}
