package io.basalt.compat.commands;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

class BitCommandsTest extends StringFixturesTest {

    // ---------------------------------------------------------------- SETBIT GETBIT

    @Test
    void setbitGetbit() {
        same("SETBIT", "k", "7", "1");
        same("GET", "k");
        same("SETBIT", "k", "7", "1");
        same("SETBIT", "k", "7", "0");
        same("SETBIT", "k", "100", "1");
        same(b("GET"), b("k"));
        same("STRLEN", "k");
        same("GETBIT", "k", "100");
        same("GETBIT", "k", "99");
        same("GETBIT", "k", "10000");
        same("GETBIT", "missing", "0");
        same("GETBIT", "missing", "-1");
        same("SETBIT", "k", "-1", "1");
        same("SETBIT", "k", "abc", "1");
        same("SETBIT", "k", "1", "2");
        same("SETBIT", "k", "1", "-1");
        same("SETBIT", "k", "1", "x");
        same("SETBIT", "k", "1", "");
        same("SETBIT", "k", "4294967296", "1");
        same("SETBIT", "k", "#1", "1");
        same("GETBIT", "k", "4294967296");
        same("GETBIT", "k", "4294967295");
        same("GETBIT", "k", "#3");
        same("GETBIT", "k", "1.0");
        same("SETBIT", "k", "1");
        same("GETBIT", "k");
        same("SET", "n", "12");
        same("GETBIT", "n", "2");
        same("GETBIT", "n", "3");
        sameEncoding("n");
        same("SETBIT", "n", "7", "0");
        same("GET", "n");
        sameEncoding("n");
        same("SET", "t", "a", "EX", "100");
        same("SETBIT", "t", "20", "1");
        sameTtl("t");
        same("SETBIT", "new", "0", "0");
        same(b("GET"), b("new"));
        sameEncoding("new");
        hash("h");
        same("SETBIT", "h", "0", "1");
        same("GETBIT", "h", "0");
        same("SETBIT", "h", "-1", "1");
        same("GETBIT", "h", "x");
        for (int i = 0; i < 24; i++) same("GETBIT", "k", String.valueOf(i));
    }

    // ---------------------------------------------------------------- BITCOUNT

    @Test
    void bitcount() {
        same(b("SET"), b("k"), b("foobar\u00ff\u0000\u0081"));
        same("BITCOUNT", "k");
        String[][] ranges = {
            {"0", "0"}, {"1", "1"}, {"0", "-1"}, {"-2", "-1"}, {"5", "2"}, {"-1", "-5"}, {"-5", "-1"},
            {"0", "100"}, {"-100", "100"}, {"100", "200"}, {"-100", "-50"},
            {"-9223372036854775808", "9223372036854775807"},
        };
        for (String[] r : ranges) {
            same("BITCOUNT", "k", r[0], r[1]);
            same("BITCOUNT", "k", r[0], r[1], "BYTE");
            same("BITCOUNT", "k", r[0], r[1], "BIT");
        }
        String[][] bitRanges = {
            {"1", "1"}, {"5", "30"}, {"7", "8"}, {"0", "7"}, {"3", "5"}, {"9", "9"}, {"-3", "-1"}, {"-20", "-9"},
            {"8", "15"}, {"13", "70"}, {"63", "63"}, {"60", "80"},
        };
        for (String[] r : bitRanges) same("BITCOUNT", "k", r[0], r[1], "bit");
        same("BITCOUNT", "k", "0");
        same("BITCOUNT", "k", "0", "1", "BITS");
        same("BITCOUNT", "k", "0", "1", "BIT", "x");
        same("BITCOUNT", "k", "a", "1");
        same("BITCOUNT", "k", "0", "b");
        same("BITCOUNT", "k", "a", "1", "FOO");
        same("BITCOUNT", "missing");
        same("BITCOUNT", "missing", "a", "b");
        same("BITCOUNT", "missing", "0");
        same("BITCOUNT");
        same("SET", "n", "-123");
        same("BITCOUNT", "n");
        same("BITCOUNT", "n", "1", "1");
        same("SET", "e", "");
        same("BITCOUNT", "e");
        same("BITCOUNT", "e", "0", "-1");
        same("BITCOUNT", "e", "0", "-1", "BIT");
        hash("h");
        same("BITCOUNT", "h");
        same("BITCOUNT", "h", "x", "y");
        same("SET", "long", "x".repeat(100));
        same("BITCOUNT", "long");
        same("BITCOUNT", "long", "3", "97");
        same("BITCOUNT", "long", "17", "700", "BIT");
    }

    // ---------------------------------------------------------------- BITPOS

    @Test
    void bitpos() {
        same(b("SET"), b("k"), b("\u00ff\u00f0\u0000"));
        same("BITPOS", "k", "0");
        same("BITPOS", "k", "1");
        same("BITPOS", "k", "0", "0");
        same("BITPOS", "k", "1", "2");
        same("BITPOS", "k", "0", "2", "-1");
        same("BITPOS", "k", "1", "2", "-1");
        same("BITPOS", "k", "0", "0", "0");
        same("BITPOS", "k", "0", "7", "15", "BIT");
        same("BITPOS", "k", "1", "7", "15", "BIT");
        same("BITPOS", "k", "0", "7", "11", "BIT");
        same("BITPOS", "k", "1", "12", "-1", "BIT");
        same("BITPOS", "k", "0", "0", "-1", "bit");
        same("BITPOS", "k", "1", "0", "-1", "byte");
        same("BITPOS", "k", "0", "5", "3");
        same("BITPOS", "k", "0", "-100", "100");
        same("BITPOS", "k", "2");
        same("BITPOS", "k", "-1");
        same("BITPOS", "k", "x");
        same("BITPOS", "k", "1", "x");
        same("BITPOS", "k", "1", "0", "x");
        same("BITPOS", "k", "1", "0", "1", "FOO");
        same("BITPOS", "k", "1", "0", "1", "BIT", "x");
        same("BITPOS", "k", "1", "x", "1", "FOO");
        same("BITPOS", "missing", "0");
        same("BITPOS", "missing", "1");
        same("BITPOS", "missing", "1", "x", "y", "z", "w");
        same("BITPOS", "missing", "2");
        same(b("SET"), b("ones"), b("\u00ff\u00ff\u00ff"));
        same("BITPOS", "ones", "0");
        same("BITPOS", "ones", "0", "1");
        same("BITPOS", "ones", "0", "0", "-1");
        same("BITPOS", "ones", "0", "0", "-1", "BIT");
        same("BITPOS", "ones", "0", "3", "-1", "BIT");
        same("BITPOS", "ones", "0", "3", "BIT");
        same("SET", "e", "");
        same("BITPOS", "e", "0");
        same("BITPOS", "e", "1");
        same("BITPOS", "e", "0", "0", "-1");
        same(b("SET"), b("z"), b("\u0000\u0000\u0000"));
        same("BITPOS", "z", "1");
        same("BITPOS", "z", "0");
        same("BITPOS", "z", "1", "1", "2", "BIT");
        same("SET", "n", "12");
        same("BITPOS", "n", "1");
        hash("h");
        same("BITPOS", "h", "1");
        same("BITPOS", "h", "5");
        same("BITPOS");
    }

    @Test
    void bitcountBitposRandomized() {
        Random rnd = new Random(3);
        for (int i = 0; i < 30; i++) {
            byte[] v = new byte[1 + rnd.nextInt(20)];
            for (int k = 0; k < v.length; k++) {
                int kind = rnd.nextInt(4);
                v[k] = (byte) (kind == 0 ? 0 : kind == 1 ? 0xff : rnd.nextInt(256));
            }
            same(b("SET"), b("r"), v);
            for (int q = 0; q < 10; q++) {
                int bits = v.length * 8;
                String s = String.valueOf(rnd.nextInt(2 * bits + 4) - bits - 2);
                String e = String.valueOf(rnd.nextInt(2 * bits + 4) - bits - 2);
                String unit = rnd.nextBoolean() ? "BIT" : "BYTE";
                same("BITCOUNT", "r", s, e, unit);
                for (String bit : new String[] {"0", "1"}) {
                    same("BITPOS", "r", bit, s, e, unit);
                    same("BITPOS", "r", bit, s, e);
                    same("BITPOS", "r", bit, s);
                }
            }
        }
    }

    // ---------------------------------------------------------------- BITOP

    @Test
    void bitop() {
        same(b("SET"), b("a"), b("\u00ff\u000f\u00aa"));
        same(b("SET"), b("b"), b("\u00f0\u00ff"));
        same(b("SET"), b("c"), b("\u0001"));
        for (String op : new String[] {"AND", "OR", "XOR", "and", "Or"}) {
            same("BITOP", op, "dest", "a", "b", "c");
            same(b("GET"), b("dest"));
            same("BITOP", op, "dest", "a", "missing");
            same(b("GET"), b("dest"));
            same("BITOP", op, "dest", "a");
            same(b("GET"), b("dest"));
        }
        same("BITOP", "NOT", "dest", "a");
        same(b("GET"), b("dest"));
        sameEncoding("dest");
        same("BITOP", "NOT", "dest", "a", "b");
        same("BITOP", "NOT", "dest");
        same("BITOP", "NAND", "dest", "a");
        same("BITOP", "AND", "dest");
        same("SET", "dest", "x", "EX", "100");
        same("BITOP", "OR", "dest", "a");
        sameTtl("dest");
        same("BITOP", "AND", "dest", "missing1", "missing2");
        same("GET", "dest");
        same("BITOP", "NOT", "dest", "missing");
        same("GET", "dest");
        same("SET", "e", "");
        same("BITOP", "OR", "dest", "e");
        same("GET", "dest");
        same("SET", "n", "123");
        same("BITOP", "XOR", "dest", "n", "a");
        same(b("GET"), b("dest"));
        hash("h");
        same("BITOP", "AND", "dest", "a", "h");
        same("BITOP", "AND", "h", "a");
        same(b("GET"), b("h"));
        same("BITOP", "OR", "a", "a", "b");
        same(b("GET"), b("a"));
    }

    // ---------------------------------------------------------------- BITFIELD

    @Test
    void bitfield() {
        same("BITFIELD", "k", "SET", "i8", "0", "100", "GET", "i8", "0", "GET", "u4", "0");
        same("BITFIELD", "k", "INCRBY", "i8", "0", "100", "GET", "u8", "0");
        same("BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "100");
        same("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "1", "INCRBY", "i8", "0", "-1");
        same("BITFIELD", "k", "OVERFLOW", "WRAP", "INCRBY", "i8", "0", "1");
        same("BITFIELD", "k", "SET", "u8", "#1", "255", "GET", "u8", "#1", "GET", "i8", "#1", "GET", "u16", "0");
        same("BITFIELD", "k", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "INCRBY", "u2", "102", "1");
        same("BITFIELD", "k", "GET", "i64", "0", "GET", "u63", "0", "GET", "i1", "3", "GET", "u1", "3");
        same("BITFIELD", "k", "SET", "i64", "0", "-9223372036854775808", "GET", "i64", "0");
        same("BITFIELD", "k", "INCRBY", "i64", "0", "-1");
        same("BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-1", "INCRBY", "i64", "0", "9223372036854775807");
        same("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "i64", "0", "1", "GET", "i64", "0");
        same("BITFIELD", "k", "SET", "u63", "1", "9223372036854775807", "GET", "u63", "1");
        same("BITFIELD", "k", "SET", "u8", "0", "-1", "GET", "u8", "0");
        same("BITFIELD", "k", "OVERFLOW", "SAT", "SET", "u8", "0", "-1", "SET", "u8", "0", "300", "SET", "i8", "0", "-300");
        same("BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "u8", "0", "256", "SET", "i8", "0", "128", "SET", "i8", "0", "-128");
        same("BITFIELD", "k");
        same("BITFIELD", "missing");
        same("BITFIELD", "missing", "GET", "u8", "0");
        same("GET", "missing");
        same("BITFIELD", "new", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "5");
        same(b("GET"), b("new"));
        sameEncoding("new");
        same("BITFIELD", "k", "GET", "u8", "1000000");
        same(b("GET"), b("k"));
        // argument errors
        same("BITFIELD", "k", "GET", "u64", "0");
        same("BITFIELD", "k", "GET", "i65", "0");
        same("BITFIELD", "k", "GET", "i0", "0");
        same("BITFIELD", "k", "GET", "x8", "0");
        same("BITFIELD", "k", "GET", "i", "0");
        same("BITFIELD", "k", "GET", "", "0");
        same("BITFIELD", "k", "GET", "I8", "0");
        same("BITFIELD", "k", "GET", "U8", "0");
        same("BITFIELD", "k", "GET", "i08", "0");
        same(b("BITFIELD"), b("k"), b("GET"), b("i8\u0000x"), b("0"));
        same(b("BITFIELD"), b("k"), b("GET"), b("i\u00008"), b("0"));
        same("BITFIELD", "k", "GET", "i-8", "0");
        same("BITFIELD", "k", "GET", "u8", "-1");
        same("BITFIELD", "k", "GET", "u8", "#-1");
        same("BITFIELD", "k", "GET", "u8", "#");
        same("BITFIELD", "k", "GET", "u8", "x");
        same("BITFIELD", "k", "GET", "u8", "4294967296");
        same("BITFIELD", "k", "GET", "u8", "#536870912");
        same("BITFIELD", "k", "GET", "u8", "#1152921504606846976");
        same("BITFIELD", "k", "SET", "u8", "0", "x");
        same("BITFIELD", "k", "SET", "u8", "0");
        same("BITFIELD", "k", "INCRBY", "u8", "0");
        same("BITFIELD", "k", "GET", "u8");
        same("BITFIELD", "k", "OVERFLOW");
        same("BITFIELD", "k", "OVERFLOW", "FOO", "GET", "u8", "0");
        same("BITFIELD", "k", "FOO");
        same("BITFIELD", "k", "GET", "u8", "0", "SET", "u8", "0", "x");
        same("BITFIELD", "k", "GET", "u8", "0", "BAD");
        same("BITFIELD");
        same("SET", "t", "abc", "PX", "100000");
        same("BITFIELD", "t", "SET", "u8", "0", "65");
        sameTtl("t");
        same("GET", "t");
        same("SET", "n", "7");
        same("BITFIELD", "n", "GET", "u8", "0");
        sameEncoding("n");
        same("BITFIELD", "n", "SET", "u8", "0", "56");
        sameEncoding("n");
        hash("h");
        same("BITFIELD", "h", "GET", "u8", "0");
        same("BITFIELD", "h", "SET", "u8", "0", "1");
        same("BITFIELD", "h");
        same("BITFIELD", "h", "GET", "u99", "0");
        resp3();
        same("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "5", "GET", "u2", "0");
    }

    @Test
    void bitfieldRo() {
        same("SET", "k", "abc");
        same("BITFIELD_RO", "k", "GET", "u8", "0", "GET", "i4", "#3");
        same("BITFIELD_RO", "k", "OVERFLOW", "SAT", "GET", "u8", "0");
        same("BITFIELD_RO", "k", "SET", "u8", "0", "1");
        same("BITFIELD_RO", "k", "INCRBY", "u8", "0", "1");
        same("BITFIELD_RO", "k", "SET", "u8", "0", "x");
        same("BITFIELD_RO", "k", "GET", "u64", "0");
        same("BITFIELD_RO", "k");
        same("BITFIELD_RO", "missing", "GET", "i8", "0");
        same("BITFIELD_RO", "missing", "SET", "i8", "0", "1");
        same("GET", "missing");
        same("BITFIELD_RO", "k", "FOO");
        hash("h");
        same("BITFIELD_RO", "h", "GET", "u8", "0");
        same("BITFIELD_RO", "h", "SET", "u8", "0", "1");
        same("GET", "k");
    }

    @Test
    void bitfieldRandomized() {
        Random rnd = new Random(5);
        String[] ow = {"WRAP", "SAT", "FAIL"};
        for (int i = 0; i < 300; i++) {
            List<String> cmd = new ArrayList<>(List.of("BITFIELD", "bf" + (i % 3)));
            for (int n = 1 + rnd.nextInt(4); n > 0; n--) {
                if (rnd.nextInt(4) == 0) {
                    cmd.add("OVERFLOW");
                    cmd.add(ow[rnd.nextInt(3)]);
                }
                boolean signed = rnd.nextBoolean();
                int bits = 1 + rnd.nextInt(signed ? 64 : 63);
                String type = (signed ? "i" : "u") + bits;
                String offset = rnd.nextInt(5) == 0 ? "#" + rnd.nextInt(6) : String.valueOf(rnd.nextInt(80));
                int op = rnd.nextInt(3);
                long value;
                switch (rnd.nextInt(4)) {
                    case 0: value = rnd.nextLong(); break;
                    case 1: value = rnd.nextInt(20) - 10; break;
                    case 2: value = (1L << Math.min(bits, 62)) - rnd.nextInt(3); break;
                    default: value = -(1L << Math.min(bits - 1, 62)) + rnd.nextInt(3) - 1; break;
                }
                if (op == 0) {
                    cmd.addAll(List.of("GET", type, offset));
                } else {
                    cmd.addAll(List.of(op == 1 ? "SET" : "INCRBY", type, offset, String.valueOf(value)));
                }
            }
            same(cmd.toArray(new String[0]));
            if (i % 10 == 0) same(b("GET"), b("bf" + (i % 3)));
        }
    }
}
