package io.basalt.server.scripting;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The C libraries Redis adds to its Lua: {@code bit} (LuaBitOp) and {@code cjson}, in Java. */
final class LuaLibs {
    private LuaLibs() {}

    private interface Op {
        Varargs run(Varargs a);
    }

    private static VarArgFunction fn(Op op) {
        return new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) { return op.run(a); }
        };
    }

    // ---------------------------------------------------------------- bit (LuaBitOp 1.0)

    /** LuaBitOp's conversion: the number modulo 2^32, as a signed 32-bit integer. */
    static int tobit(Varargs a, int i) {
        double d = a.checkdouble(i);
        if (Double.isNaN(d) || Double.isInfinite(d)) return 0;
        return (int) (long) Math.rint(d % 4294967296.0);
    }

    private static LuaValue n(int v) { return LuaValue.valueOf((double) v); }

    static LuaTable bit() {
        LuaTable t = new LuaTable();
        t.rawset("tobit", fn(a -> n(tobit(a, 1))));
        t.rawset("bnot", fn(a -> n(~tobit(a, 1))));
        t.rawset("band", fn(a -> {
            int r = tobit(a, 1);
            for (int i = 2; i <= a.narg(); i++) r &= tobit(a, i);
            return n(r);
        }));
        t.rawset("bor", fn(a -> {
            int r = tobit(a, 1);
            for (int i = 2; i <= a.narg(); i++) r |= tobit(a, i);
            return n(r);
        }));
        t.rawset("bxor", fn(a -> {
            int r = tobit(a, 1);
            for (int i = 2; i <= a.narg(); i++) r ^= tobit(a, i);
            return n(r);
        }));
        t.rawset("lshift", fn(a -> n(tobit(a, 1) << (tobit(a, 2) & 31))));
        t.rawset("rshift", fn(a -> n(tobit(a, 1) >>> (tobit(a, 2) & 31))));
        t.rawset("arshift", fn(a -> n(tobit(a, 1) >> (tobit(a, 2) & 31))));
        t.rawset("rol", fn(a -> n(Integer.rotateLeft(tobit(a, 1), tobit(a, 2) & 31))));
        t.rawset("ror", fn(a -> n(Integer.rotateRight(tobit(a, 1), tobit(a, 2) & 31))));
        t.rawset("bswap", fn(a -> n(Integer.reverseBytes(tobit(a, 1)))));
        t.rawset("tohex", fn(a -> {
            int b = tobit(a, 1);
            int digits = a.narg() >= 2 && !a.arg(2).isnil() ? tobit(a, 2) : 8;
            boolean upper = digits < 0;
            if (upper) digits = -digits;
            if (digits > 8) digits = 8;
            String hex = String.format("%08x", b);
            hex = hex.substring(8 - digits);
            return LuaValue.valueOf(upper ? hex.toUpperCase(java.util.Locale.ROOT) : hex);
        }));
        return t;
    }

    // ---------------------------------------------------------------- cjson

    /** cjson.null: a light userdata that decodes JSON null and encodes back to it. */
    static final LuaValue NULL = new LuaUserdata(new Object());
    private static final int MAX_DEPTH = 1000;

    static LuaTable cjson() {
        LuaTable t = new LuaTable();
        t.rawset("encode", fn(a -> {
            if (a.narg() != 1) throw new LuaError("bad argument #1 to '?' (expected 1 argument)");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            encode(out, a.arg1(), 0);
            return LuaString.valueUsing(out.toByteArray());
        }));
        t.rawset("decode", fn(a -> {
            LuaString s = a.checkstring(1);
            byte[] b = new byte[s.m_length];
            s.copyInto(0, b, 0, b.length);
            Decoder d = new Decoder(b);
            LuaValue v = d.value(0);
            d.ws();
            if (d.pos != b.length) d.fail("the end");
            return v;
        }));
        t.rawset("null", NULL);
        return t;
    }

    private static void encode(ByteArrayOutputStream out, LuaValue v, int depth) {
        if (depth > MAX_DEPTH) throw new LuaError("Cannot serialise, excessive nesting (" + (MAX_DEPTH + 1) + ")");
        switch (v.type()) {
            case LuaValue.TNIL: ascii(out, "null"); return;
            case LuaValue.TBOOLEAN: ascii(out, v.toboolean() ? "true" : "false"); return;
            case LuaValue.TNUMBER: {
                double d = v.todouble();
                if (Double.isNaN(d) || Double.isInfinite(d)) throw new LuaError("Cannot serialise number: must not be NaN or Inf");
                ascii(out, LuaEngine.number14g(d));
                return;
            }
            case LuaValue.TSTRING: string(out, v.checkstring()); return;
            case LuaValue.TTABLE: table(out, v.checktable(), depth); return;
            case LuaValue.TUSERDATA:
                if (v == NULL) {
                    ascii(out, "null");
                    return;
                }
                // fall through
            default:
                throw new LuaError("Cannot serialise " + v.typename() + ": type not supported");
        }
    }

    private static void table(ByteArrayOutputStream out, LuaTable t, int depth) {
        // an array when every key is a positive integer (cjson's lua_array_length)
        int max = 0;
        int items = 0;
        boolean array = true;
        LuaValue k = LuaValue.NIL;
        while (true) {
            Varargs e = t.next(k);
            if ((k = e.arg1()).isnil()) break;
            if (k.type() == LuaValue.TNUMBER && k.todouble() == Math.floor(k.todouble()) && k.todouble() >= 1) {
                max = Math.max(max, (int) k.todouble());
                items++;
            } else {
                array = false;
                break;
            }
        }
        // cjson's encode_sparse_array defaults: ratio 2, safe 10
        if (array && max > 10 && max > items * 2) throw new LuaError("Cannot serialise table: excessively sparse array");
        if (array && items > 0) {
            out.write('[');
            for (int i = 1; i <= max; i++) {
                if (i > 1) out.write(',');
                encode(out, t.rawget(i), depth + 1);
            }
            out.write(']');
            return;
        }
        if (array) { // empty: an object, as cjson
            ascii(out, "{}");
            return;
        }
        out.write('{');
        boolean first = true;
        k = LuaValue.NIL;
        while (true) {
            Varargs e = t.next(k);
            if ((k = e.arg1()).isnil()) break;
            if (!first) out.write(',');
            first = false;
            if (k.type() == LuaValue.TSTRING) string(out, k.checkstring());
            else if (k.type() == LuaValue.TNUMBER) string(out, LuaString.valueOf(LuaEngine.number14g(k.todouble())));
            else throw new LuaError("Cannot serialise " + k.typename() + ": table key must be a number or string");
            out.write(':');
            encode(out, e.arg(2), depth + 1);
        }
        out.write('}');
    }

    private static void string(ByteArrayOutputStream out, LuaString s) {
        out.write('"');
        for (int i = 0; i < s.m_length; i++) {
            int c = s.m_bytes[s.m_offset + i] & 0xff;
            switch (c) {
                case '"': ascii(out, "\\\""); break;
                case '\\': ascii(out, "\\\\"); break;
                case '/': ascii(out, "\\/"); break;
                case '\b': ascii(out, "\\b"); break;
                case '\f': ascii(out, "\\f"); break;
                case '\n': ascii(out, "\\n"); break;
                case '\r': ascii(out, "\\r"); break;
                case '\t': ascii(out, "\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7f) ascii(out, String.format("\\u%04x", c));
                    else out.write(c);
            }
        }
        out.write('"');
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** A JSON reader with cjson's error texts for the common cases. */
    private static final class Decoder {
        final byte[] b;
        int pos;

        Decoder(byte[] b) { this.b = b; }

        void ws() {
            while (pos < b.length && (b[pos] == ' ' || b[pos] == '\t' || b[pos] == '\n' || b[pos] == '\r')) pos++;
        }

        LuaError fail(String expected) {
            String found = pos >= b.length ? "the end" : describe();
            throw new LuaError("Expected " + expected + " but found " + found + " at character " + (pos + 1));
        }

        private String describe() {
            char c = (char) b[pos];
            if (c == '}') return "end of object";
            if (c == ']') return "end of array";
            if (c == ',') return "comma";
            if (c == ':') return "colon";
            return "invalid token";
        }

        LuaValue value(int depth) {
            if (depth > MAX_DEPTH) throw new LuaError("Found too many nested data structures (" + (MAX_DEPTH + 1) + ") at character " + (pos + 1));
            ws();
            if (pos >= b.length) throw fail("value");
            byte c = b[pos];
            switch (c) {
                case '{': {
                    pos++;
                    LuaTable t = new LuaTable();
                    ws();
                    if (pos < b.length && b[pos] == '}') {
                        pos++;
                        return t;
                    }
                    while (true) {
                        ws();
                        if (pos >= b.length || b[pos] != '"') throw fail("object key string");
                        LuaValue k = str();
                        ws();
                        if (pos >= b.length || b[pos] != ':') throw fail("colon");
                        pos++;
                        t.rawset(k, value(depth + 1));
                        ws();
                        if (pos < b.length && b[pos] == ',') {
                            pos++;
                            continue;
                        }
                        if (pos < b.length && b[pos] == '}') {
                            pos++;
                            return t;
                        }
                        throw fail("comma or object end");
                    }
                }
                case '[': {
                    pos++;
                    LuaTable t = new LuaTable();
                    ws();
                    if (pos < b.length && b[pos] == ']') {
                        pos++;
                        return t;
                    }
                    for (int i = 1; ; i++) {
                        t.rawset(i, value(depth + 1));
                        ws();
                        if (pos < b.length && b[pos] == ',') {
                            pos++;
                            continue;
                        }
                        if (pos < b.length && b[pos] == ']') {
                            pos++;
                            return t;
                        }
                        throw fail("comma or array end");
                    }
                }
                case '"': return str();
                case 't': return word("true", LuaValue.TRUE);
                case 'f': return word("false", LuaValue.FALSE);
                case 'n': return word("null", NULL);
                default: {
                    int start = pos;
                    while (pos < b.length && "+-0123456789.eE".indexOf(b[pos]) >= 0) pos++;
                    if (start == pos) throw fail("value");
                    try {
                        return LuaValue.valueOf(Double.parseDouble(new String(b, start, pos - start, StandardCharsets.US_ASCII)));
                    } catch (NumberFormatException e) {
                        pos = start;
                        throw fail("value");
                    }
                }
            }
        }

        private LuaValue word(String w, LuaValue v) {
            byte[] wb = w.getBytes(StandardCharsets.US_ASCII);
            if (pos + wb.length > b.length || !java.util.Arrays.equals(b, pos, pos + wb.length, wb, 0, wb.length)) throw fail("value");
            pos += wb.length;
            return v;
        }

        private LuaValue str() {
            pos++; // the quote
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                if (pos >= b.length) throw new LuaError("Expected string end but found the end at character " + (pos + 1));
                byte c = b[pos++];
                if (c == '"') break;
                if (c != '\\') {
                    out.write(c);
                    continue;
                }
                if (pos >= b.length) throw fail("escape");
                byte e = b[pos++];
                switch (e) {
                    case '"': case '\\': case '/': out.write(e); break;
                    case 'b': out.write('\b'); break;
                    case 'f': out.write('\f'); break;
                    case 'n': out.write('\n'); break;
                    case 'r': out.write('\r'); break;
                    case 't': out.write('\t'); break;
                    case 'u': {
                        if (pos + 4 > b.length) throw fail("unicode escape");
                        int cp = Integer.parseInt(new String(b, pos, 4, StandardCharsets.US_ASCII), 16);
                        pos += 4;
                        if (cp >= 0xD800 && cp <= 0xDBFF && pos + 6 <= b.length && b[pos] == '\\' && b[pos + 1] == 'u') {
                            int lo = Integer.parseInt(new String(b, pos + 2, 4, StandardCharsets.US_ASCII), 16);
                            pos += 6;
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        }
                        out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                        break;
                    }
                    default: throw fail("escape");
                }
            }
            return LuaString.valueUsing(out.toByteArray());
        }
    }
}
