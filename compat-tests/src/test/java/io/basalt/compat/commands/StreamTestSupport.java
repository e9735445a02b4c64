package io.basalt.compat.commands;

import io.basalt.resp.RespValue;

/**
 * Stream replies with what depends on the moment each server ran a command masked: absolute
 * millisecond times (delivery and seen times, generated ids) and idle times (XPENDING's third
 * column, XINFO's "idle"), so two servers' replies compare equal when everything else is.
 */
public final class StreamTestSupport {
    private StreamTestSupport() {}

    public static String masked(RespValue v) {
        StringBuilder sb = new StringBuilder();
        mask(v, sb, false);
        return sb.toString();
    }

    private static void mask(RespValue v, StringBuilder sb, boolean time) {
        if (v.isAggregate()) {
            sb.append(v.type()).append(v.size()).append('[');
            boolean pendingRow = v.size() == 4 && !v.get(0).isAggregate() && v.get(0).bytes() != null
                    && new String(v.get(0).bytes()).matches("\\d+-\\d+") && v.get(2).type() == ':';
            for (int i = 0; i < v.size(); i++) {
                RespValue prev = i > 0 ? v.get(i - 1) : null;
                boolean t = pendingRow && i == 2;
                if (prev != null && !prev.isAggregate() && prev.bytes() != null) {
                    String p = new String(prev.bytes());
                    t |= p.equals("idle") || p.equals("seen-time");
                }
                mask(v.get(i), sb, t);
                sb.append(',');
            }
            sb.append(']');
            return;
        }
        if (v.type() == ':' && (time || v.number() > 1_000_000_000_000L)) {
            sb.append(":T");
            return;
        }
        String s = new String(v.raw(), java.nio.charset.StandardCharsets.ISO_8859_1);
        sb.append(s.replaceAll("\\d{13}-\\d+", "T-S"));
    }
}
