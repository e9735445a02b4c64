package io.basalt.compat;

import io.basalt.compat.harness.DifferentialTest;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Seeded random mixes of XADD (with trims), XDEL, XTRIM, XRANGE/XREVRANGE, XREADGROUP, XACK,
 * XCLAIM, XAUTOCLAIM, XPENDING and XINFO over three streams with small nodes, compared with
 * redis-server reply by reply (clock-dependent values masked).
 */
class StreamRandomizedDifferentialTest extends DifferentialTest {

    private static String id(Random r, int top) { return r.nextInt(top + 2) + "-" + r.nextInt(3); }

    private static String[] next(Random r, int step) {
        String k = "s" + r.nextInt(3);
        int top = step * 2 + 2;
        List<String> c = new ArrayList<>();
        double op = r.nextDouble();
        if (op < 0.35) {
            c.add("XADD");
            c.add(k);
            switch (r.nextInt(6)) {
                case 0 -> { c.add("MAXLEN"); c.add("~"); c.add(Integer.toString(r.nextInt(20))); }
                case 1 -> { c.add("MAXLEN"); c.add(Integer.toString(5 + r.nextInt(30))); }
                case 2 -> { c.add("MINID"); c.add(r.nextBoolean() ? "~" : "="); c.add(Integer.toString(Math.max(0, top - r.nextInt(60)))); }
                default -> { }
            }
            c.add(switch (r.nextInt(3)) { case 0 -> top + "-" + r.nextInt(3); case 1 -> top + "-*"; default -> Integer.toString(top); });
            int n = 1 + r.nextInt(3);
            for (int i = 0; i < n; i++) {
                c.add(r.nextInt(5) == 0 ? "x" + r.nextInt(4) : "f" + i);
                c.add(switch (r.nextInt(4)) { case 0 -> Integer.toString(r.nextInt(100000) - 50000); case 1 -> "v".repeat(r.nextInt(70)); default -> "val" + r.nextInt(9); });
            }
        } else if (op < 0.42) {
            c.add("XDEL"); c.add(k);
            for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) c.add(id(r, top));
        } else if (op < 0.46) {
            c.add("XTRIM"); c.add(k);
            if (r.nextBoolean()) { c.add("MAXLEN"); if (r.nextBoolean()) c.add("~"); c.add(Integer.toString(r.nextInt(30))); }
            else { c.add("MINID"); if (r.nextBoolean()) c.add("~"); c.add(Integer.toString(Math.max(0, top - r.nextInt(50)))); }
        } else if (op < 0.52) {
            c.add(r.nextBoolean() ? "XRANGE" : "XREVRANGE"); c.add(k);
            String a = r.nextInt(4) == 0 ? "-" : (r.nextBoolean() ? "(" : "") + id(r, top);
            String b = r.nextInt(4) == 0 ? "+" : (r.nextBoolean() ? "(" : "") + id(r, top);
            if (c.get(0).equals("XREVRANGE")) { c.add(b); c.add(a); } else { c.add(a); c.add(b); }
            if (r.nextBoolean()) { c.add("COUNT"); c.add(Integer.toString(r.nextInt(6))); }
        } else if (op < 0.55) {
            c.addAll(List.of("XGROUP", "CREATE", k, "g" + r.nextInt(2), r.nextBoolean() ? "$" : "0", "MKSTREAM"));
        } else if (op < 0.67) {
            c.addAll(List.of("XREADGROUP", "GROUP", "g" + r.nextInt(2), "c" + r.nextInt(3)));
            if (r.nextBoolean()) { c.add("COUNT"); c.add(Integer.toString(1 + r.nextInt(4))); }
            if (r.nextInt(5) == 0) c.add("NOACK");
            c.add("STREAMS"); c.add(k); c.add(r.nextInt(3) == 0 ? "0" : ">");
        } else if (op < 0.73) {
            c.addAll(List.of("XACK", k, "g" + r.nextInt(2)));
            for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) c.add(id(r, top));
        } else if (op < 0.79) {
            c.addAll(List.of("XCLAIM", k, "g" + r.nextInt(2), "c" + r.nextInt(4), "0"));
            for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) c.add(id(r, top));
            if (r.nextBoolean()) c.add("JUSTID");
            if (r.nextInt(4) == 0) c.add("FORCE");
            if (r.nextInt(4) == 0) { c.add("RETRYCOUNT"); c.add(Integer.toString(r.nextInt(5))); }
        } else if (op < 0.83) {
            c.addAll(List.of("XAUTOCLAIM", k, "g" + r.nextInt(2), "c" + r.nextInt(4), "0", id(r, top), "COUNT", Integer.toString(1 + r.nextInt(4))));
            if (r.nextBoolean()) c.add("JUSTID");
        } else if (op < 0.88) {
            c.addAll(List.of("XPENDING", k, "g" + r.nextInt(2)));
            if (r.nextBoolean()) { c.add("-"); c.add("+"); c.add(Integer.toString(r.nextInt(8))); if (r.nextBoolean()) c.add("c" + r.nextInt(4)); }
        } else if (op < 0.92) {
            c.addAll(List.of("XINFO", "STREAM", k));
            if (r.nextBoolean()) { c.add("FULL"); c.add("COUNT"); c.add(Integer.toString(r.nextInt(4))); }
        } else if (op < 0.95) {
            c.addAll(List.of("XINFO", "GROUPS", k));
        } else if (op < 0.97) {
            c.addAll(List.of("XINFO", "CONSUMERS", k, "g" + r.nextInt(2)));
        } else {
            c.addAll(List.of("XLEN", k));
        }
        return c.toArray(new String[0]);
    }

    @Test
    void randomMixesMatchRedis() {
        for (String[] cfg : new String[][] {{"stream-node-max-entries", "6"}, {"stream-node-max-bytes", "250"}}) {
            redis.call("CONFIG", "SET", cfg[0], cfg[1]);
            basalt.call("CONFIG", "SET", cfg[0], cfg[1]);
        }
        try {
            for (long seed = 1; seed <= 6; seed++) {
                redis.call("FLUSHALL");
                basalt.call("FLUSHALL");
                Random r = new Random(seed);
                for (int step = 0; step < 600; step++) {
                    String[] cmd = next(r, step);
                    RespValue expected = redis.call(cmd);
                    RespValue actual = basalt.call(cmd);
                    long s = seed;
                    assertEquals(io.basalt.compat.commands.StreamTestSupport.masked(expected),
                            io.basalt.compat.commands.StreamTestSupport.masked(actual),
                            () -> "seed " + s + ": " + String.join(" ", cmd));
                }
                for (int k = 0; k < 3; k++) {
                    assertEquals(io.basalt.compat.commands.StreamTestSupport.masked(redis.call("XINFO", "STREAM", "s" + k, "FULL", "COUNT", "0")),
                            io.basalt.compat.commands.StreamTestSupport.masked(basalt.call("XINFO", "STREAM", "s" + k, "FULL", "COUNT", "0")));
                }
            }
        } finally {
            for (String[] cfg : new String[][] {{"stream-node-max-entries", "100"}, {"stream-node-max-bytes", "4096"}}) {
                redis.call("CONFIG", "SET", cfg[0], cfg[1]);
                basalt.call("CONFIG", "SET", cfg[0], cfg[1]);
            }
        }
    }
}
