package io.basalt.server.scripting;

import io.basalt.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

import java.nio.charset.StandardCharsets;

/**
 * The conversions between Redis replies and Lua values, as Redis 7.0's script_lua.c defines them:
 * a command's reply (RESP2 or RESP3, as the script chose with redis.setresp) becomes a Lua value
 * for redis.call, and a script's return value becomes the reply of EVAL.
 */
final class LuaReplies {
    private LuaReplies() {}

    static final LuaString ERR = LuaString.valueOf("err");
    static final LuaString OK = LuaString.valueOf("ok");
    static final LuaString DOUBLE = LuaString.valueOf("double");
    static final LuaString BIG_NUMBER = LuaString.valueOf("big_number");
    static final LuaString MAP = LuaString.valueOf("map");
    static final LuaString SET = LuaString.valueOf("set");
    static final LuaString VERBATIM = LuaString.valueOf("verbatim_string");
    static final LuaString FORMAT = LuaString.valueOf("format");
    static final LuaString STRING = LuaString.valueOf("string");
    static final LuaString IGNORE_STATS = LuaString.valueOf("ignore_error_stats_update");

    // ---------------------------------------------------------------- reply -> Lua

    /** Parses one reply at the reader index of {@code b} (which it advances) into a Lua value. */
    static LuaValue parse(ByteBuf b) {
        byte type = b.readByte();
        switch (type) {
            case ':': return LuaValue.valueOf((double) Long.parseLong(line(b)));
            case '$': {
                int n = Integer.parseInt(line(b));
                if (n < 0) return LuaValue.FALSE;
                return bulk(b, n);
            }
            case '+': {
                LuaTable t = new LuaTable();
                t.rawset(OK, LuaString.valueOf(lineBytes(b)));
                return t;
            }
            case '-': {
                LuaTable t = errorTable("-" + new String(lineBytes(b), StandardCharsets.ISO_8859_1));
                t.rawset(IGNORE_STATS, LuaValue.TRUE);
                return t;
            }
            case '*': {
                int n = Integer.parseInt(line(b));
                if (n < 0) return LuaValue.FALSE;
                LuaTable t = new LuaTable(Math.min(n, 1024), 0);
                for (int i = 1; i <= n; i++) t.rawset(i, parse(b));
                return t;
            }
            case '%': {
                int n = Integer.parseInt(line(b));
                LuaTable m = new LuaTable();
                for (int i = 0; i < n; i++) {
                    LuaValue k = parse(b);
                    LuaValue v = parse(b);
                    if (!k.isnil()) m.rawset(k, v);
                }
                return wrap(MAP, m);
            }
            case '~': {
                int n = Integer.parseInt(line(b));
                LuaTable s = new LuaTable();
                for (int i = 0; i < n; i++) {
                    LuaValue k = parse(b);
                    if (!k.isnil()) s.rawset(k, LuaValue.TRUE);
                }
                return wrap(SET, s);
            }
            case '_': line(b); return LuaValue.NIL;
            case '#': return line(b).equals("t") ? LuaValue.TRUE : LuaValue.FALSE;
            case ',': return wrap(DOUBLE, LuaValue.valueOf(parseDouble(line(b))));
            case '(': return wrap(BIG_NUMBER, LuaString.valueOf(lineBytes(b)));
            case '=': {
                int n = Integer.parseInt(line(b));
                byte[] all = new byte[n];
                b.readBytes(all);
                b.skipBytes(2);
                LuaTable v = new LuaTable();
                v.rawset(STRING, LuaString.valueOf(all, 4, n - 4));
                v.rawset(FORMAT, LuaString.valueOf(all, 0, 3));
                return wrap(VERBATIM, v);
            }
            case '|': { // attributes are not shown to scripts: skipped, then the reply itself
                int n = Integer.parseInt(line(b));
                for (int i = 0; i < 2 * n; i++) parse(b);
                return parse(b);
            }
            case '>': { // a push inside a command's reply (none are expected): as an array
                int n = Integer.parseInt(line(b));
                LuaTable t = new LuaTable();
                for (int i = 1; i <= n; i++) t.rawset(i, parse(b));
                return t;
            }
            default:
                throw new IllegalStateException("unexpected reply type " + (char) type);
        }
    }

    private static double parseDouble(String s) {
        switch (s) {
            case "inf": return Double.POSITIVE_INFINITY;
            case "-inf": return Double.NEGATIVE_INFINITY;
            case "nan": return Double.NaN;
            default: return Double.parseDouble(s);
        }
    }

    private static LuaTable wrap(LuaString field, LuaValue v) {
        LuaTable t = new LuaTable();
        t.rawset(field, v);
        return t;
    }

    private static LuaValue bulk(ByteBuf b, int n) {
        byte[] bytes = new byte[n];
        b.readBytes(bytes);
        b.skipBytes(2);
        return LuaString.valueUsing(bytes);
    }

    private static byte[] lineBytes(ByteBuf b) {
        int end = b.indexOf(b.readerIndex(), b.writerIndex(), (byte) '\r');
        byte[] bytes = new byte[end - b.readerIndex()];
        b.readBytes(bytes);
        b.skipBytes(2);
        return bytes;
    }

    private static String line(ByteBuf b) {
        return new String(lineBytes(b), StandardCharsets.ISO_8859_1);
    }

    /**
     * Redis's luaPushErrorBuff: "-CODE message" keeps its code, a text without the leading dash
     * (or without a space) gets "ERR"; trailing CR/LF are trimmed.
     */
    static LuaTable errorTable(String error) {
        String code;
        String msg;
        if (error.startsWith("-")) {
            int sp = error.indexOf(' ');
            if (sp < 0) {
                code = "ERR";
                msg = error.substring(1);
            } else {
                code = error.substring(1, sp);
                msg = error.substring(sp + 1);
            }
        } else {
            code = "ERR";
            msg = error;
        }
        int start = 0;
        int end = msg.length();
        while (start < end && (msg.charAt(start) == '\r' || msg.charAt(start) == '\n')) start++;
        while (end > start && (msg.charAt(end - 1) == '\r' || msg.charAt(end - 1) == '\n')) end--;
        LuaTable t = new LuaTable();
        t.rawset(ERR, LuaString.valueOf((code + " " + msg.substring(start, end)).getBytes(StandardCharsets.ISO_8859_1)));
        return t;
    }

    // ---------------------------------------------------------------- Lua -> reply

    /**
     * Redis's luaReplyToRedisReply: writes {@code v} as the reply; {@code scriptResp} is the
     * protocol the script chose (booleans depend on it), {@code out} writes in the caller's.
     * Returns the error message written, or null (for the error statistics).
     */
    static String write(RespWriter out, LuaValue v, int scriptResp, int depth, ErrorSink errors) {
        switch (v.type()) {
            case LuaValue.TSTRING: {
                LuaString s = v.checkstring();
                out.bulk(s.m_bytes, s.m_offset, s.m_length);
                return null;
            }
            case LuaValue.TBOOLEAN:
                if (scriptResp == 2) {
                    if (v.toboolean()) out.integer(1);
                    else out.nullBulk();
                } else {
                    out.bool(v.toboolean());
                }
                return null;
            case LuaValue.TNUMBER:
                out.integer(toLong(v.todouble()));
                return null;
            case LuaValue.TTABLE:
                return writeTable(out, (LuaTable) v, scriptResp, depth, errors);
            default:
                out.nullBulk();
                return null;
        }
    }

    /** Receives the error replies a script's return value holds (for INFO errorstats). */
    interface ErrorSink {
        void error(String message, boolean counted);
    }

    private static String writeTable(RespWriter out, LuaTable t, int scriptResp, int depth, ErrorSink errors) {
        if (depth > 1000) {
            out.error("ERR reached lua stack limit");
            return null;
        }
        LuaValue err = t.rawget(ERR);
        if (err.type() == LuaValue.TSTRING) {
            String msg = err.tojstring();
            boolean counted = t.rawget(IGNORE_STATS).toboolean();
            String line = noNewlines(msg);
            out.error(line);
            errors.error(line, counted);
            return line;
        }
        LuaValue ok = t.rawget(OK);
        if (ok.type() == LuaValue.TSTRING) {
            out.simple(noNewlines(ok.tojstring()));
            return null;
        }
        LuaValue d = t.rawget(DOUBLE);
        if (d.type() == LuaValue.TNUMBER) {
            out.dbl(d.todouble());
            return null;
        }
        LuaValue big = t.rawget(BIG_NUMBER);
        if (big.type() == LuaValue.TSTRING) {
            out.bigNumber(noNewlines(big.tojstring()));
            return null;
        }
        LuaValue verbatim = t.rawget(VERBATIM);
        if (verbatim.type() == LuaValue.TTABLE) {
            LuaValue format = verbatim.rawget(FORMAT);
            LuaValue string = verbatim.rawget(STRING);
            if (format.type() == LuaValue.TSTRING && string.type() == LuaValue.TSTRING) {
                LuaString s = string.checkstring();
                byte[] bytes = new byte[s.m_length];
                s.copyInto(0, bytes, 0, bytes.length);
                String f = format.tojstring();
                out.verbatim(f.length() > 3 ? f.substring(0, 3) : f, bytes);
                return null;
            }
        }
        LuaValue map = t.rawget(MAP);
        if (map.type() == LuaValue.TTABLE) {
            int n = count(map.checktable());
            out.map(n);
            LuaValue k = LuaValue.NIL;
            while (true) {
                Varargs e = map.checktable().next(k);
                if ((k = e.arg1()).isnil()) break;
                write(out, k, scriptResp, depth + 1, errors);
                write(out, e.arg(2), scriptResp, depth + 1, errors);
            }
            return null;
        }
        LuaValue set = t.rawget(SET);
        if (set.type() == LuaValue.TTABLE) {
            int n = count(set.checktable());
            out.set(n);
            LuaValue k = LuaValue.NIL;
            while (true) {
                Varargs e = set.checktable().next(k);
                if ((k = e.arg1()).isnil()) break;
                write(out, k, scriptResp, depth + 1, errors);
            }
            return null;
        }
        // an array: up to the first nil
        int n = 0;
        while (!t.rawget(n + 1).isnil()) n++;
        out.array(n);
        for (int i = 1; i <= n; i++) write(out, t.rawget(i), scriptResp, depth + 1, errors);
        return null;
    }

    private static int count(LuaTable t) {
        int n = 0;
        LuaValue k = LuaValue.NIL;
        while (true) {
            Varargs e = t.next(k);
            if ((k = e.arg1()).isnil()) return n;
            n++;
        }
    }

    private static String noNewlines(String s) {
        return s.indexOf('\r') < 0 && s.indexOf('\n') < 0 ? s : s.replace('\r', ' ').replace('\n', ' ');
    }

    /** C's (long long) cast of a double, as Redis converts Lua numbers (saturating like x86 does not matter: NaN -> min). */
    static long toLong(double d) {
        if (Double.isNaN(d) || d >= 9.223372036854775807E18 || d < -9.223372036854775808E18) return Long.MIN_VALUE;
        return (long) d;
    }
}
