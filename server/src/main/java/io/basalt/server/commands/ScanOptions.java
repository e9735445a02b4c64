package io.basalt.server.commands;

import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;

/**
 * The options of SCAN, HSCAN, SSCAN and ZSCAN ({@code MATCH pattern}, {@code COUNT n}, and for
 * SCAN {@code TYPE type}), parsed as Redis's {@code scanGenericCommand} does: any order, last one
 * wins, COUNT below 1 and anything unknown are syntax errors.
 */
final class ScanOptions {
    /** COUNT, 10 unless given. */
    final long count;
    /** MATCH pattern, or null when absent or "*" (matches everything, so no matching is done). */
    final byte[] pattern;
    /** TYPE (SCAN only), or null. */
    final String type;

    private ScanOptions(long count, byte[] pattern, String type) {
        this.count = count;
        this.pattern = pattern;
        this.type = type;
    }

    /**
     * Parses the options from argument {@code from} on; replies the error and returns null on a
     * bad one. {@code allowType} is true for SCAN only.
     */
    static ScanOptions parse(Client c, RespRequest a, int from, boolean allowType) {
        long count = 10;
        byte[] pattern = null;
        String type = null;
        for (int i = from; i < a.argc(); ) {
            int left = a.argc() - i;
            if (a.is(i, "COUNT") && left >= 2) {
                Long n = Generic.longArg(c, a, i + 1);
                if (n == null) return null;
                if (n < 1) {
                    c.error(Generic.SYNTAX);
                    return null;
                }
                count = n;
                i += 2;
            } else if (a.is(i, "MATCH") && left >= 2) {
                byte[] p = a.bytes(i + 1);
                pattern = p.length == 1 && p[0] == '*' ? null : p;
                i += 2;
            } else if (allowType && a.is(i, "TYPE") && left >= 2) {
                type = a.string(i + 1);
                i += 2;
            } else {
                c.error(Generic.SYNTAX);
                return null;
            }
        }
        return new ScanOptions(count, pattern, type);
    }
}
