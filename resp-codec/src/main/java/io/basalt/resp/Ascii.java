package io.basalt.resp;

/** ASCII helpers that work on bytes, because keys and arguments are never Strings. */
public final class Ascii {
    private Ascii() {}

    public static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    public static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }
}
