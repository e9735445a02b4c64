package io.basalt.compat;

import io.basalt.compat.harness.DifferentialTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random SORT/SORT_RO option combinations over lists, intsets and sorted sets with string
 * and hash-field weights, compared byte for byte with redis-server. Only deterministic cases are
 * drawn: no ALPHA BY (equal weights are unordered in Redis's qsort) and no BY-nosort over a
 * hashtable set without STORE.
 */
class SortRandomizedDifferentialTest extends DifferentialTest {

    @Test
    void randomOptions() {
        Random rnd = new Random(0x5047L);
        for (int round = 0; round < 2; round++) {
            if (round == 1) {
                redis.call("FLUSHALL");
                basalt.call("FLUSHALL");
                resp3();
            }
            for (int i = 0; i < 30; i++) {
                String e = String.valueOf(rnd.nextInt(40) - 10);
                same("RPUSH", "l", e);
                same("SADD", "s", e);
                same("ZADD", "z", String.valueOf(rnd.nextInt(5)), "m" + e);
                same("RPUSH", "lm", "m" + e);
            }
            for (int i = -10; i < 30; i++) {
                if (rnd.nextInt(4) > 0) same("SET", "w_" + i, String.valueOf(rnd.nextInt(10)));
                if (rnd.nextInt(4) > 0) same("SET", "w_m" + i, rnd.nextInt(3) + "." + rnd.nextInt(10));
                if (rnd.nextInt(3) > 0) same("HSET", "h_m" + i, "f", String.valueOf(rnd.nextInt(7)), "g", "v" + i);
                if (rnd.nextInt(3) > 0) same("HSET", "h_" + i, "f", String.valueOf(rnd.nextInt(7)));
            }
            String[] sources = {"l", "s", "z", "lm", "none"};
            for (int n = 0; n < 400; n++) {
                String src = sources[rnd.nextInt(sources.length)];
                boolean ro = rnd.nextInt(4) == 0;
                List<String> cmd = new ArrayList<>();
                cmd.add(ro ? "SORT_RO" : "SORT");
                cmd.add(src);
                boolean alpha = src.equals("z") || src.equals("lm") || rnd.nextBoolean();
                boolean store = !ro && rnd.nextInt(3) == 0;
                int by = rnd.nextInt(4);
                if (by == 1 && !alpha) { cmd.add("BY"); cmd.add("w_*"); }
                if (by == 2 && !alpha) { cmd.add("BY"); cmd.add("h_*->f"); }
                if (by == 3 && (!src.equals("s") || store)) { cmd.add("BY"); cmd.add("nosort"); }
                if (alpha) cmd.add("ALPHA");
                if (rnd.nextBoolean()) cmd.add(rnd.nextBoolean() ? "DESC" : "ASC");
                if (rnd.nextBoolean()) {
                    cmd.add("LIMIT");
                    cmd.add(String.valueOf(rnd.nextInt(40) - 5));
                    cmd.add(String.valueOf(rnd.nextInt(40) - 5));
                }
                int gets = rnd.nextInt(4);
                String[] pats = {"#", "w_*", "h_*->f", "h_*->g", "nokey_*", "nostar"};
                for (int g = 0; g < gets; g++) { cmd.add("GET"); cmd.add(pats[rnd.nextInt(pats.length)]); }
                if (store) { cmd.add("STORE"); cmd.add("dst"); }
                same(cmd.toArray(new String[0]));
                if (store) same("LRANGE", "dst", "0", "-1");
            }
        }
    }
}
