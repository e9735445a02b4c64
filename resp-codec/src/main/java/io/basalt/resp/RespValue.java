package io.basalt.resp;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A decoded reply, for the client side: tests, tools and the server's startup tables. Keeps the
 * exact bytes it was decoded from ({@link #raw()}) so that differential tests compare bytes.
 *
 * @param type the RESP type byte ('+', '-', ':', '$', '*', '%', '~', '>', '|', ',', '#', '(', '=', '_')
 * @param bytes payload of string-like types, null for nulls and aggregates
 * @param number value of ':' replies
 * @param elements children of aggregates (a map's keys and values alternate), null otherwise
 * @param raw the whole encoding of this value
 */
public record RespValue(char type, byte[] bytes, long number, List<RespValue> elements, byte[] raw) {

    public boolean isNull() {
        return type == '_' || ((type == '$' || type == '*') && bytes == null && elements == null);
    }

    public boolean isError() { return type == '-' || type == '!'; }

    public boolean isAggregate() { return elements != null; }

    public String string() {
        if (type == ':') return Long.toString(number);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    public RespValue get(int i) { return elements.get(i); }

    public int size() { return elements == null ? 0 : elements.size(); }

    /** In a map (or a flat RESP2 key/value array), the value for {@code key}, or null. */
    public RespValue field(String key) {
        if (elements == null) return null;
        for (int i = 0; i + 1 < elements.size(); i += 2) {
            if (key.equals(elements.get(i).string())) return elements.get(i + 1);
        }
        return null;
    }

    public String rawString() { return new String(raw, StandardCharsets.UTF_8); }

    @Override
    public String toString() {
        return rawString().replace("\r\n", "\\r\\n");
    }
}
