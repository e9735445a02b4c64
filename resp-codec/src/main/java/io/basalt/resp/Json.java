package io.basalt.resp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The project's one small JSON codec: the admin API's replies and request bodies (compact) and
 * the backup manifest (indented). Maps, lists, strings, numbers, booleans and null; kept here, at
 * the bottom of the module graph, rather than adding a JSON library to the server's jar.
 */
public final class Json {
    private Json() {}

    /** Thrown for a body that is not JSON. */
    public static final class ParseException extends Exception {
        ParseException(String msg) { super(msg); }
    }

    // ---------------------------------------------------------------- writing

    /** Writes maps (insertion order), lists, strings, numbers, booleans and null, compactly. */
    public static String write(Object v) {
        StringBuilder sb = new StringBuilder();
        write(sb, v, -1);
        return sb.toString();
    }

    /** The same, indented by two spaces per level and ended by a newline (a file people read). */
    public static String writeIndented(Object v) {
        StringBuilder sb = new StringBuilder();
        write(sb, v, 0);
        return sb.append('\n').toString();
    }

    /** {@code indent} -1: compact; otherwise the current level's indentation. */
    private static void write(StringBuilder sb, Object v, int indent) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) string(sb, d.toString());
            else sb.append(d);
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) sb.append(',');
                first = false;
                newline(sb, indent, 1);
                string(sb, String.valueOf(e.getKey()));
                sb.append(indent < 0 ? ":" : ": ");
                write(sb, e.getValue(), indent < 0 ? -1 : indent + 2);
            }
            if (!first) newline(sb, indent, 0);
            sb.append('}');
        } else if (v instanceof Iterable<?> l) {
            sb.append('[');
            boolean first = true;
            for (Object o : l) {
                if (!first) sb.append(',');
                first = false;
                newline(sb, indent, 1);
                write(sb, o, indent < 0 ? -1 : indent + 2);
            }
            if (!first) newline(sb, indent, 0);
            sb.append(']');
        } else {
            string(sb, v.toString());
        }
    }

    /** Indented output: a new line at this level ({@code deeper} 0) or the next (1). */
    private static void newline(StringBuilder sb, int indent, int deeper) {
        if (indent < 0) return;
        sb.append('\n').append(" ".repeat(indent + 2 * deeper));
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || (c >= 0xd800 && c <= 0xdfff)) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    // ---------------------------------------------------------------- reading

    /** Parses a JSON text into maps (LinkedHashMap), lists, strings, Long/Double, Boolean, null. */
    public static Object parse(String text) throws ParseException {
        Json.Reader r = new Reader(text);
        r.ws();
        Object v = r.value(0);
        r.ws();
        if (r.i != text.length()) throw r.error("unexpected text after the JSON value");
        return v;
    }

    private static final class Reader {
        final String s;
        int i;

        Reader(String s) { this.s = s; }

        ParseException error(String what) { return new ParseException("invalid JSON at offset " + i + ": " + what); }

        void ws() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) i++;
        }

        Object value(int depth) throws ParseException {
            if (depth > 64) throw error("nested too deeply");
            if (i >= s.length()) throw error("unexpected end");
            char c = s.charAt(i);
            switch (c) {
                case '{': {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    ws();
                    if (peek('}')) return m;
                    while (true) {
                        ws();
                        if (i >= s.length() || s.charAt(i) != '"') throw error("expected a string key");
                        String k = str();
                        ws();
                        expect(':');
                        ws();
                        m.put(k, value(depth + 1));
                        ws();
                        if (peek('}')) return m;
                        expect(',');
                    }
                }
                case '[': {
                    i++;
                    List<Object> l = new ArrayList<>();
                    ws();
                    if (peek(']')) return l;
                    while (true) {
                        ws();
                        l.add(value(depth + 1));
                        ws();
                        if (peek(']')) return l;
                        expect(',');
                    }
                }
                case '"':
                    return str();
                case 't':
                    word("true");
                    return Boolean.TRUE;
                case 'f':
                    word("false");
                    return Boolean.FALSE;
                case 'n':
                    word("null");
                    return null;
                default:
                    return number();
            }
        }

        boolean peek(char c) {
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        void expect(char c) throws ParseException {
            if (!peek(c)) throw error("expected '" + c + "'");
        }

        void word(String w) throws ParseException {
            if (!s.startsWith(w, i)) throw error("unexpected character");
            i += w.length();
        }

        Object number() throws ParseException {
            int start = i;
            if (peek('-')) { /* sign */ }
            while (i < s.length() && "0123456789.eE+-".indexOf(s.charAt(i)) >= 0) i++;
            String t = s.substring(start, i);
            if (t.isEmpty() || t.equals("-")) throw error("unexpected character");
            try {
                if (t.matches("-?(0|[1-9][0-9]*)")) return Long.parseLong(t);
                if (!t.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) throw error("bad number");
                return Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw error("bad number");
            }
        }

        String str() throws ParseException {
            i++; // the opening quote
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (i >= s.length()) throw error("unterminated string");
                char c = s.charAt(i++);
                if (c == '"') return sb.toString();
                if (c < 0x20) throw error("control character in a string");
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (i >= s.length()) throw error("unterminated string");
                char e = s.charAt(i++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) throw error("bad \\u escape");
                        try {
                            sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("bad \\u escape");
                        }
                        i += 4;
                    }
                    default -> throw error("bad escape");
                }
            }
        }
    }
}
