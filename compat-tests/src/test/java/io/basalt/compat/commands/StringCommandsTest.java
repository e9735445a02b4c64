package io.basalt.compat.commands;

import org.junit.jupiter.api.Test;

import java.util.Random;

class StringCommandsTest extends StringFixturesTest {

    // ---------------------------------------------------------------- GET / SET

    @Test
    void getAndSet() {
        same("GET", "k");
        same("SET", "k", "v");
        same("GET", "k");
        same("SET", "k", "");
        same("GET", "k");
        same("SET", "k", "hello world");
        same("GET", "k");
        same(b("SET"), b("bin"), b("\u0000\u00ff\r\n\u0001"));
        same(b("GET"), b("bin"));
        same("SET", "k");
        same("SET");
        same("GET", "k", "x");
        same("set", "K", "upper");
        same("GET", "K");
        same("GET", "k");
    }

    @Test
    void setConditions() {
        same("SET", "k", "v1", "NX");
        same("SET", "k", "v2", "NX");
        same("GET", "k");
        same("SET", "k", "v3", "XX");
        same("GET", "k");
        same("SET", "nx", "v", "XX");
        same("GET", "nx");
        same("SET", "k", "v4", "nx", "nx");
        same("SET", "k", "v", "NX", "XX");
        same("SET", "k", "v", "XX", "NX");
        same("SET", "k", "v", "FOO");
        same("SET", "k", "v", "PERSIST");
        same("SET", "k", "v", "NXX");
        same("SET", "k", "v5", "GET");
        same("SET", "new", "v", "GET");
        same("SET", "k", "v6", "NX", "GET");
        same("SET", "new2", "v", "GET", "NX");
        same("SET", "k", "v7", "XX", "GET");
        same("SET", "absent", "v", "XX", "GET");
        same("GET", "absent");
        same("GET", "k");
        same("SET", "k", "v", "GET", "GET");
        hash("h");
        same("SET", "h", "v", "GET");
        same("SET", "h", "v", "NX", "GET");
        same("SET", "h", "v", "NX");
        same("SET", "h", "v", "XX", "GET", "EX", "abc");
        same("SET", "h", "v", "KEEPTTL");
        same("GET", "h");
    }

    @Test
    void setExpireOptions() {
        same("SET", "k", "v", "EX", "100");
        sameTtl("k");
        same("SET", "k", "v", "PX", "100000");
        sameTtl("k");
        same("SET", "k", "v", "EXAT", String.valueOf(System.currentTimeMillis() / 1000 + 500));
        sameTtl("k");
        same("SET", "k", "v", "PXAT", String.valueOf(System.currentTimeMillis() + 500000));
        sameTtl("k");
        same("SET", "k", "v2");
        sameTtl("k");
        same("SET", "k", "v", "ex", "10", "EX", "20");
        sameTtl("k");
        same("SET", "k", "v", "KEEPTTL");
        sameTtl("k");
        same("GET", "k");
        same("SET", "kt", "v", "KEEPTTL");
        sameTtl("kt");
        same("SET", "k", "v", "EX", "10", "PX", "100");
        same("SET", "k", "v", "EX", "10", "KEEPTTL");
        same("SET", "k", "v", "KEEPTTL", "EX", "10");
        same("SET", "k", "v", "PX", "10", "EXAT", "100");
        same("SET", "k", "v", "EXAT", "10", "PXAT", "100");
        same("SET", "k", "v", "PXAT", "10", "EX", "100");
        same("SET", "k", "v", "EX");
        same("SET", "k", "v", "PX");
        same("SET", "k", "v", "EX", "0");
        same("SET", "k", "v", "EX", "-1");
        same("SET", "k", "v", "PX", "0");
        same("SET", "k", "v", "PXAT", "-5");
        same("SET", "k", "v", "EXAT", "0");
        same("SET", "k", "v", "EX", "abc");
        same("SET", "k", "v", "EX", "1.5");
        same("SET", "k", "v", "EX", "9223372036854775807");
        same("SET", "k", "v", "EX", "9223372036854775");
        same("SET", "k", "v", "PX", "9223372036854775807");
        same("SET", "k", "v", "EX", "99999999999999999999");
        same("GET", "k");
        sameTtl("k");
        // the expire is validated before GET replies and before NX/XX
        same("SET", "k", "v", "GET", "EX", "0");
        same("SET", "k", "v", "NX", "EX", "-3");
        // absolute times in the past: accepted, the key is gone at the next access
        same("SET", "past", "v", "PXAT", "1");
        same("GET", "past");
        same("SET", "past", "v", "EXAT", "1", "GET");
        same("GET", "past");
        same("SET", "k", "v", "KEEPTTL", "KEEPTTL");
        same("SET", "k", "v", "EXAT", "99999999999", "EXAT", "99999999998");
        same("SET", "k", "v", "PXAT", "99999999999000", "pxat", "99999999998000", "XX");
        sameTtl("k");
        same("GETEX", "k", "PERSIST", "PERSIST");
        sameTtl("k");
        same("SET", "k", "v", "PX", "100000", "GET");
        same("SET", "k", "v2", "XX", "KEEPTTL", "GET");
        sameTtl("k");
    }

    @Test
    void setnxSetexPsetex() {
        same("SETNX", "k", "a");
        same("SETNX", "k", "b");
        same("GET", "k");
        same("SETNX", "k");
        same("SETEX", "k", "100", "v");
        sameTtl("k");
        same("GET", "k");
        same("SETEX", "k", "0", "v");
        same("SETEX", "k", "-10", "v");
        same("SETEX", "k", "x", "v");
        same("SETEX", "k", "9223372036854775807", "v");
        same("SETEX", "k", "10");
        same("PSETEX", "p", "100000", "v");
        sameTtl("p");
        same("GET", "p");
        same("PSETEX", "p", "0", "v");
        same("PSETEX", "p", "-1", "v");
        same("PSETEX", "p", "1e3", "v");
        same("SETEX", "k2", "100", "12345");
        sameEncoding("k2");
        hash("h");
        same("SETNX", "h", "v");
        same("SETEX", "h", "100", "v");
        same("GET", "h");
        sameTtl("h");
    }

    @Test
    void getsetGetdel() {
        same("GETSET", "k", "a");
        same("GETSET", "k", "b");
        same("GET", "k");
        same("SET", "t", "v", "EX", "100");
        same("GETSET", "t", "w");
        sameTtl("t");
        same("GETSET", "t");
        same("GETDEL", "k");
        same("GETDEL", "k");
        same("GET", "k");
        same("GETDEL", "k", "x");
        hash("h");
        same("GETSET", "h", "v");
        same("GETDEL", "h");
        same("SET", "h", "now a string");
        same("GETDEL", "h");
    }

    @Test
    void getex() {
        same("GETEX", "missing");
        same("GETEX", "missing", "EX", "0");
        same("GETEX", "missing", "PERSIST");
        same("SET", "k", "v");
        same("GETEX", "k");
        sameTtl("k");
        same("GETEX", "k", "EX", "100");
        sameTtl("k");
        same("GETEX", "k", "PX", "200000");
        sameTtl("k");
        same("GETEX", "k", "EXAT", String.valueOf(System.currentTimeMillis() / 1000 + 300));
        sameTtl("k");
        same("GETEX", "k", "PXAT", String.valueOf(System.currentTimeMillis() + 400000));
        sameTtl("k");
        same("GETEX", "k", "PERSIST");
        sameTtl("k");
        same("GETEX", "k", "PERSIST");
        same("GETEX", "k", "EX", "0");
        same("GETEX", "k", "EX", "-1");
        same("GETEX", "k", "PX", "abc");
        same("GETEX", "k", "EX", "9223372036854775807");
        same("GETEX", "k", "EX");
        same("GETEX", "k", "KEEPTTL");
        same("GETEX", "k", "NX");
        same("GETEX", "k", "GET");
        same("GETEX", "k", "PERSIST", "EX", "10");
        same("GETEX", "k", "EX", "10", "PERSIST");
        same("GETEX", "k", "EX", "10", "PX", "10");
        same("GETEX", "k", "FOO");
        same("GETEX", "k", "ex", "10", "ex", "20");
        sameTtl("k");
        same("GETEX", "k", "PXAT", "1");
        same("GETEX", "k");
        same("GET", "k");
        same("SET", "k", "v");
        same("GETEX", "k", "EXAT", "1");
        same("GET", "k");
        same("GETEX");
        hash("h");
        same("GETEX", "h");
        same("GETEX", "h", "EX", "0");
        same("GETEX", "h", "FOO");
    }

    @Test
    void mgetMsetMsetnx() {
        same("MSET", "a", "1", "b", "2", "c", "3");
        same("MGET", "a", "b", "c", "d");
        same("MSET", "a");
        same("MSET", "a", "1", "b");
        same("MSET", "x", "1", "x", "2");
        same("GET", "x");
        hash("h");
        same("MGET", "a", "h", "missing", "b");
        same("MSETNX", "a", "9", "n1", "1");
        same("MGET", "a", "n1");
        same("MSETNX", "n1", "1", "n2", "2");
        same("MSETNX", "n3", "1", "n3", "2");
        same("MGET", "n1", "n2", "n3");
        same("MSETNX", "n4");
        same("MSETNX", "n4", "1", "n5");
        same("MSETNX", "h", "x");
        same("SET", "t", "v", "EX", "100");
        same("MSET", "t", "w");
        sameTtl("t");
        same("MSET", "h", "now string");
        same("GET", "h");
        same("MGET", "a");
        same("MGET");
    }

    // ---------------------------------------------------------------- APPEND STRLEN GETRANGE SETRANGE

    @Test
    void appendAndStrlen() {
        same("APPEND", "k", "hello");
        same("APPEND", "k", " world");
        same("GET", "k");
        same("STRLEN", "k");
        same("STRLEN", "missing");
        same("APPEND", "k", "");
        same("STRLEN", "k");
        same("SET", "t", "v", "PX", "100000");
        same("APPEND", "t", "x");
        sameTtl("t");
        same("SET", "n", "123");
        same("APPEND", "n", "4");
        same("GET", "n");
        same("INCR", "n");
        same("APPEND", "k");
        same("STRLEN");
        hash("h");
        same("APPEND", "h", "x");
        same("STRLEN", "h");
        same(b("APPEND"), b("bin"), b("\u0000\u0001"));
        same(b("APPEND"), b("bin"), b("\u00ff"));
        same(b("GET"), b("bin"));
        same("STRLEN", "bin");
    }

    @Test
    void getrange() {
        same("SET", "k", "Hello World");
        String[][] ranges = {
            {"0", "3"}, {"0", "-1"}, {"-3", "-1"}, {"5", "3"}, {"0", "100"}, {"-100", "-1"},
            {"-1", "-5"}, {"-5", "-1"}, {"10", "10"}, {"11", "20"}, {"-1", "0"}, {"3", "-100"},
            {"-9223372036854775808", "9223372036854775807"}, {"9223372036854775807", "0"},
            {"0", "0"}, {"-100", "-200"}, {"-200", "-100"},
        };
        for (String[] r : ranges) {
            same("GETRANGE", "k", r[0], r[1]);
            same("SUBSTR", "k", r[0], r[1]);
        }
        same("GETRANGE", "missing", "0", "-1");
        same("GETRANGE", "missing", "a", "1");
        same("GETRANGE", "k", "a", "1");
        same("GETRANGE", "k", "1", "b");
        same("GETRANGE", "k", "1");
        same("SET", "num", "-123456");
        same("GETRANGE", "num", "1", "3");
        same("SET", "e", "");
        same("GETRANGE", "e", "0", "-1");
        same("GETRANGE", "e", "0", "0");
        hash("h");
        same("GETRANGE", "h", "0", "1");
        same("GETRANGE", "h", "x", "1");
        resp3();
        same("GETRANGE", "missing", "0", "-1");
        same("GETRANGE", "k", "0", "2");
    }

    @Test
    void setrange() {
        same("SETRANGE", "k", "0", "");
        same("GET", "k");
        same("SETRANGE", "k", "5", "hi");
        same(b("GET"), b("k"));
        same("SETRANGE", "k", "0", "abc");
        same(b("GET"), b("k"));
        same("SETRANGE", "k", "6", "xyz");
        same(b("GET"), b("k"));
        same("SETRANGE", "k", "100", "");
        same("STRLEN", "k");
        same("SETRANGE", "k", "-1", "x");
        same("SETRANGE", "k", "x", "x");
        same("SETRANGE", "k", "536870912", "x");
        same("SETRANGE", "k", "536870911", "xy");
        same("SETRANGE", "missing", "536870912", "x");
        same("SETRANGE", "missing", "536870912", "");
        same("SETRANGE", "k", "9223372036854775807", "x");
        same("SETRANGE", "k", "1");
        same("SET", "t", "hello", "EX", "100");
        same("SETRANGE", "t", "1", "E");
        same("GET", "t");
        sameTtl("t");
        same("SET", "n", "12345");
        same("SETRANGE", "n", "1", "9");
        same("GET", "n");
        sameEncoding("n");
        same("SET", "n2", "12345");
        same("SETRANGE", "n2", "1", "");
        sameEncoding("n2");
        hash("h");
        same("SETRANGE", "h", "0", "x");
        same("SETRANGE", "h", "0", "");
        same("SETRANGE", "h", "-1", "x");
    }

    // ---------------------------------------------------------------- counters

    @Test
    void incrDecr() {
        same("INCR", "c");
        same("INCR", "c");
        same("DECR", "c");
        same("DECR", "d");
        same("INCRBY", "c", "100");
        same("INCRBY", "c", "-1000");
        same("DECRBY", "c", "5");
        same("DECRBY", "c", "-5");
        same("GET", "c");
        same("INCRBY", "c", "abc");
        same("INCRBY", "c", "1.5");
        same("INCRBY", "c", "");
        same("DECRBY", "c", "9223372036854775808");
        same("DECRBY", "c", "-9223372036854775808");
        same("INCRBY", "m", "-9223372036854775808");
        same("DECR", "m");
        same("GET", "m");
        same("SET", "max", "9223372036854775807");
        same("INCR", "max");
        same("INCRBY", "max", "0");
        same("DECRBY", "max", "-1");
        same("INCRBY", "max", "-9223372036854775807");
        same("SET", "s", "abc");
        same("INCR", "s");
        for (String v : new String[] {" 1", "1 ", "01", "+1", "-0", "1.0", "", "99999999999999999999", "-9223372036854775809", "0", "-1"}) {
            same("SET", "v", v);
            same("INCR", "v");
            same("DECRBY", "v", "3");
        }
        same("SET", "t", "10", "EX", "100");
        same("INCR", "t");
        sameTtl("t");
        same("INCRBY", "t", "5");
        sameTtl("t");
        sameEncoding("t");
        same("INCR");
        same("INCRBY", "c");
        hash("h");
        same("INCR", "h");
        same("DECR", "h");
        same("INCRBY", "h", "x");
        same("INCRBY", "h", "1");
        same("DECRBY", "h", "-9223372036854775808");
    }

    @Test
    void incrbyfloat() {
        same("INCRBYFLOAT", "f", "10.5");
        same("INCRBYFLOAT", "f", "0.1");
        same("INCRBYFLOAT", "f", "-5.0e3");
        same("INCRBYFLOAT", "f", "5.0e3");
        same("GET", "f");
        String[] incs = {
            "1", "-1", "0.1", "0.2", "0.3", "1e10", "1.5e-7", ".5", "5.", "-.5e-3", "+1", "1E2", "0x10", "0x1.8p1",
            "0X1P-2", "3.14159265358979323846264338327950288", "123456789012345678901234567890",
            "0.000003814697265625", "1e400", "-1e400", "1e-400", "1e4932", "1e4933", "1e-4950", "1e-5000", "1e5000",
            "inf", "-inf", "infinity", "nan", "NaN", "-nan", "abc", " 1", "1 ", "1e", "1e+", ".", "", "-", "0x",
            "1.7976931348623157e308", "4.9e-324", "00001.5000", "1_0", "1,5", "0", "-0", "1e-17", "5e-18", "9.9999999999999999e-1",
            "3.6e-4951", "1.8e-4951", "1.9e-4951", "1.82e-4951", "1.1897314953572317650e4932", "1.18973149535723176505e4932",
            "1.189731495357231765e4932", "0x1p16383", "0x1p16384", "0x1p-16445", "0x1p-16446", "0x1.8p-16446", "0x.8",
            "0x1.fffffffffffffffep16383", "0x1.ffffffffffffffffp16383", "18446744073709551617", "18446744073709551615",
            "9007199254740993", "0.1e-3", "12345678901234567.89", "1e17", "1e18", "-1e-18",
        };
        for (String inc : incs) {
            same("SET", "x", "1.25");
            same("INCRBYFLOAT", "x", inc);
            same("GET", "x");
            same("INCRBYFLOAT", "fresh" + inc, inc);
        }
        String[] stored = {"abc", "1e400", " 1", "0x1p4", "inf", "10", "-0", "3.0", ""};
        for (String s : stored) {
            same("SET", "y", s);
            same("INCRBYFLOAT", "y", "1.5");
            same("GET", "y");
        }
        same(b("INCRBYFLOAT"), b("z"), b("1\u0000"));
        same(b("INCRBYFLOAT"), b("z"), b("\u0000"));
        same("SETRANGE", "z", "2", "1");
        same("INCRBYFLOAT", "z", "1");
        same("SETBIT", "one", "10", "0");
        same("SETRANGE", "one", "0", "1");
        same("INCRBYFLOAT", "one", "1");
        same("SET", "big", "1e4932");
        same("INCRBYFLOAT", "big", "1e4932");
        same("INCRBYFLOAT", "f", "0.1", "x");
        same("INCRBYFLOAT", "f");
        same("SET", "t", "1", "PX", "100000");
        same("INCRBYFLOAT", "t", "1.5");
        sameTtl("t");
        sameEncoding("t");
        same("INCRBYFLOAT", "t", "1.5");
        sameEncoding("t");
        same("INCRBYFLOAT", "long", "1e50");
        sameEncoding("long");
        hash("h");
        same("INCRBYFLOAT", "h", "1");
        same("INCRBYFLOAT", "h", "abc");
        resp3();
        same("INCRBYFLOAT", "f", "1.1");
        same("INCRBYFLOAT", "f", "abc");
    }

    @Test
    void incrbyfloatRandomized() {
        Random rnd = new Random(7);
        for (int i = 0; i < 150; i++) {
            String inc;
            switch (rnd.nextInt(4)) {
                case 0: inc = String.valueOf(rnd.nextInt(2000) - 1000) + "." + rnd.nextInt(1000); break;
                case 1: inc = (rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(40) - 20) + ""; break;
                case 2: inc = "0." + Long.toString(Math.abs(rnd.nextLong())); break;
                default: inc = (rnd.nextBoolean() ? "-" : "") + rnd.nextInt(100) + "e" + (rnd.nextInt(60) - 30); break;
            }
            same("INCRBYFLOAT", "acc" + (i % 5), inc);
        }
    }

    // ---------------------------------------------------------------- LCS

    @Test
    void lcs() {
        same("MSET", "key1", "ohmytext", "key2", "mynewtext");
        same("LCS", "key1", "key2");
        same("LCS", "key1", "key2", "LEN");
        same("LCS", "key1", "key2", "IDX");
        same("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4");
        same("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN");
        same("LCS", "key1", "key2", "IDX", "WITHMATCHLEN");
        same("LCS", "key1", "key2", "idx", "minmatchlen", "-5", "withmatchlen");
        same("LCS", "key1", "key2", "LEN", "IDX");
        same("LCS", "key1", "key2", "IDX", "LEN");
        same("LCS", "key1", "key2", "LEN", "LEN");
        same("LCS", "key1", "key2", "MINMATCHLEN");
        same("LCS", "key1", "key2", "MINMATCHLEN", "x");
        same("LCS", "key1", "key2", "LEN", "MINMATCHLEN", "3");
        same("LCS", "key1", "key2", "FOO");
        same("LCS", "key1", "missing");
        same("LCS", "missing", "key2", "IDX");
        same("LCS", "missing", "other", "LEN");
        same("LCS", "key1", "key1", "IDX", "WITHMATCHLEN");
        same("LCS", "key1");
        hash("h");
        same("LCS", "key1", "h");
        same("LCS", "h", "key1", "FOO");
        same("MSET", "n1", "1234567", "n2", "2468");
        same("LCS", "n1", "n2", "IDX", "WITHMATCHLEN");
        resp3();
        same("LCS", "key1", "key2", "IDX", "WITHMATCHLEN");
        same("LCS", "key1", "key2");
        same("LCS", "key1", "key2", "LEN");
        same("LCS", "missing", "key2", "IDX");
    }

    @Test
    void lcsRandomized() {
        Random rnd = new Random(11);
        for (int i = 0; i < 40; i++) {
            StringBuilder x = new StringBuilder();
            StringBuilder y = new StringBuilder();
            int alphabet = 2 + rnd.nextInt(4);
            for (int k = rnd.nextInt(30); k > 0; k--) x.append((char) ('a' + rnd.nextInt(alphabet)));
            for (int k = rnd.nextInt(30); k > 0; k--) y.append((char) ('a' + rnd.nextInt(alphabet)));
            same("MSET", "x", x.toString(), "y", y.toString());
            same("LCS", "x", "y");
            same("LCS", "x", "y", "IDX", "WITHMATCHLEN");
            same("LCS", "x", "y", "IDX", "MINMATCHLEN", String.valueOf(rnd.nextInt(4)));
        }
    }

    // ---------------------------------------------------------------- encodings, RESP3

    @Test
    void encodings() {
        String[] values = {
            "0", "1", "-1", "123", "-0", "01", "+1", "9223372036854775807", "-9223372036854775808",
            "9223372036854775808", "12345678901234567890", "1.5", "abc", "",
            "a".repeat(44), "a".repeat(45), "1".repeat(21), " 1",
        };
        int i = 0;
        for (String v : values) {
            String k = "e" + i++;
            same("SET", k, v);
            sameEncoding(k);
            same("GETSET", k, v);
            sameEncoding(k);
            same("APPEND", "a" + k, v);
            if (!v.isEmpty()) sameEncoding("a" + k);
            same("APPEND", "a" + k, "");
            if (!v.isEmpty()) sameEncoding("a" + k);
            same("SETNX", "n" + k, v);
            sameEncoding("n" + k);
        }
        same("MSET", "m1", "42", "m2", "x".repeat(50));
        sameEncoding("m1");
        sameEncoding("m2");
        same("INCR", "i");
        sameEncoding("i");
        same("INCRBY", "i", "100000");
        sameEncoding("i");
        same("INCRBYFLOAT", "fl", "3");
        sameEncoding("fl");
        same("SETRANGE", "r", "0", "12");
        sameEncoding("r");
        same("SET", "ex", "5", "EX", "100");
        sameEncoding("ex");
    }

    @Test
    void databasesAreSeparate() {
        same("SET", "k", "db0");
        same("SELECT", "3");
        same("GET", "k");
        same("SET", "k", "db3");
        same("INCR", "c");
        same("MSET", "m", "1", "k2", "2");
        same("MGET", "k", "m", "k2", "c");
        same("SELECT", "0");
        same("MGET", "k", "m", "k2", "c");
        same("APPEND", "k", "!");
        same("SELECT", "3");
        same("GET", "k");
    }

    @Test
    void resp3Replies() {
        resp3();
        same("GET", "missing");
        same("SET", "k", "v");
        same("GET", "k");
        same("SET", "k", "v", "NX");
        same("SET", "k", "w", "GET");
        same("SET", "n", "w", "GET");
        same("GETEX", "missing");
        same("GETEX", "k", "PERSIST");
        same("GETDEL", "missing");
        same("GETSET", "missing2", "v");
        same("MGET", "k", "missing");
        same("SETNX", "k", "v");
        same("INCR", "c");
        same("STRLEN", "k");
        same("GETRANGE", "k", "5", "1");
    }

    /** A seeded random mix of string and bit commands over a few keys, compared reply by reply. */
    @Test
    void mixedRandomized() {
        for (long seed = 42; seed < 45; seed++) {
            same("FLUSHALL");
            mixed(new Random(seed));
        }
    }

    private void mixed(Random rnd) {
        String[] keys = {"a", "b", "c", "{t}d"};
        String[] values = {"", "0", "1", "-7", "42", "3.5", "abc", "hello world", "9223372036854775807", "x".repeat(50)};
        for (int i = 0; i < 600; i++) {
            String k = keys[rnd.nextInt(keys.length)];
            String k2 = keys[rnd.nextInt(keys.length)];
            String v = values[rnd.nextInt(values.length)];
            String n = String.valueOf(rnd.nextInt(40) - 10);
            String m = String.valueOf(rnd.nextInt(40) - 10);
            String[] cmd;
            switch (rnd.nextInt(24)) {
                case 0: cmd = cmd("SET", k, v); break;
                case 1: cmd = cmd("GET", k); break;
                case 2: cmd = cmd("APPEND", k, v); break;
                case 3: cmd = cmd("INCR", k); break;
                case 4: cmd = cmd("DECRBY", k, n); break;
                case 5: cmd = cmd("INCRBYFLOAT", k, n + "." + rnd.nextInt(100)); break;
                case 6: cmd = cmd("GETRANGE", k, n, m); break;
                case 7: cmd = cmd("SETRANGE", k, String.valueOf(rnd.nextInt(20)), v); break;
                case 8: cmd = cmd("STRLEN", k); break;
                case 9: cmd = cmd("GETDEL", k); break;
                case 10: cmd = cmd("GETSET", k, v); break;
                case 11: cmd = cmd("MSET", k, v, k2, v + "!"); break;
                case 12: cmd = cmd("MSETNX", k, v, k2, v); break;
                case 13: cmd = cmd("MGET", k, k2, "nokey"); break;
                case 14: cmd = cmd("SETBIT", k, String.valueOf(rnd.nextInt(100)), String.valueOf(rnd.nextInt(2))); break;
                case 15: cmd = cmd("GETBIT", k, String.valueOf(rnd.nextInt(100))); break;
                case 16: cmd = cmd("BITCOUNT", k, n, m, rnd.nextBoolean() ? "BIT" : "BYTE"); break;
                case 17: cmd = cmd("BITPOS", k, String.valueOf(rnd.nextInt(2)), n, m); break;
                case 18: cmd = cmd("BITOP", new String[] {"AND", "OR", "XOR"}[rnd.nextInt(3)], k, k2, keys[rnd.nextInt(keys.length)]); break;
                case 19: cmd = cmd("LCS", k, k2, "IDX", "WITHMATCHLEN"); break;
                case 20: cmd = cmd("SETNX", k, v); break;
                case 21: cmd = cmd("SET", k, v, rnd.nextBoolean() ? "NX" : "XX", "GET"); break;
                case 22: cmd = cmd("BITFIELD", k, "INCRBY", "i5", String.valueOf(rnd.nextInt(60)), n, "GET", "u7", m.replace("-", "")); break;
                default: cmd = cmd("GETEX", k, "PERSIST"); break;
            }
            same(cmd);
        }
        for (String k : keys) {
            same("GET", k);
            if (!redis.call("GET", k).isNull()) sameEncoding(k);
        }
    }
}
