package io.basalt.compat;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.Lockstep;
import io.basalt.compat.harness.Lockstep;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Seeded random list-command sequences over a few keys (so lists grow, drain, get deleted, moved
 * between keys and collide with strings) sent to redis-server and Basalt in lockstep, in RESP2
 * and RESP3; every reply must be byte-identical.
 *
 * <p>Replay: {@code -Dtest=ListRandomizedDifferentialTest -Dbasalt.seed=N}; longer runs with
 * {@code -Dbasalt.fuzz.ops=200000}.
 */
class ListRandomizedDifferentialTest {
    private static final String[] VALUES = {"a", "b", "c", "", "1", "-1", "hello world",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"};

    private Random rnd;

    @Test
    void lockstepResp2() { run(false, "-2", "0"); }

    @Test
    void lockstepResp3() { run(true, "3", "0"); }

    /** Small nodes with list-compress-depth 1: interior nodes are deflated in Basalt. */
    @Test
    void lockstepCompressed() { run(false, "2", "1"); }

    /** One entry per quicklist node in Basalt: every node split/merge path runs. */
    @Test
    void lockstepSmallNodes() { run(false, "1", "0"); }

    private void run(boolean resp3, String fill, String depth) {
        long seed = Long.getLong("basalt.seed", System.nanoTime());
        int ops = Integer.getInteger("basalt.fuzz.ops", 4000);
        rnd = new Random(seed);
        List<String> history = new ArrayList<>();
        try (RawClient redis = new RawClient(RedisServerProcess.shared().port());
             RawClient basalt = new RawClient(BasaltInstance.shared().port())) {
            for (RawClient c : new RawClient[]{redis, basalt}) {
                if (resp3) c.call("HELLO", "3");
                c.call("CONFIG", "SET", "list-max-listpack-size", fill);
                c.call("CONFIG", "SET", "list-compress-depth", depth);
                c.call("SELECT", "7");
                c.call("FLUSHDB");
            }
            for (int i = 0; i < ops; i++) {
                String[] cmd = next();
                history.add(String.join(" ", cmd));
                RespValue a = redis.call(cmd);
                RespValue b = basalt.call(cmd);
                if (!a.rawString().equals(b.rawString())) {
                    Lockstep.diverged(" (resp3=" + resp3 + ")", seed, ops, i, cmd, a, b, history);
                }
                if (i % 200 == 199) {
                    for (int k = 0; k < 5; k++) {
                        String key = "l" + k;
                        assertEquals(redis.call("LRANGE", key, "0", "-1").rawString(),
                                basalt.call("LRANGE", key, "0", "-1").rawString(),
                                "contents of " + key + " differ, seed " + seed + " after op " + i);
                    }
                }
            }
            for (RawClient c : new RawClient[]{redis, basalt}) {
                c.call("FLUSHDB");
                c.call("CONFIG", "SET", "list-max-listpack-size", "-2");
                c.call("CONFIG", "SET", "list-compress-depth", "0");
            }
        }
    }

    private String key() { return rnd.nextInt(20) == 0 ? "str" : "l" + rnd.nextInt(5); }


    private String value() { return VALUES[rnd.nextInt(VALUES.length)]; }

    private String index() { return Integer.toString(rnd.nextInt(30) - 15); }

    private String side() { return rnd.nextBoolean() ? "LEFT" : "RIGHT"; }

    private String[] values(String... head) {
        List<String> c = new ArrayList<>(List.of(head));
        int n = 1 + rnd.nextInt(4);
        for (int i = 0; i < n; i++) c.add(value());
        return c.toArray(new String[0]);
    }

    private String[] next() {
        switch (rnd.nextInt(26)) {
            case 0: case 1: case 2: return values("LPUSH", key());
            case 3: case 4: case 5: return values("RPUSH", key());
            case 6: return values("LPUSHX", key());
            case 7: return values("RPUSHX", key());
            case 8: return rnd.nextBoolean() ? new String[]{"LPOP", key()}
                    : new String[]{"LPOP", key(), Integer.toString(rnd.nextInt(5) - 1)};
            case 9: return rnd.nextBoolean() ? new String[]{"RPOP", key()}
                    : new String[]{"RPOP", key(), Integer.toString(rnd.nextInt(5) - 1)};
            case 10: return new String[]{"LLEN", key()};
            case 11: return new String[]{"LINDEX", key(), index()};
            case 12: return new String[]{"LSET", key(), index(), value()};
            case 13: case 14: return new String[]{"LRANGE", key(), index(), index()};
            case 15: return new String[]{"LTRIM", key(), index(), index()};
            case 16: return new String[]{"LREM", key(), Integer.toString(rnd.nextInt(7) - 3), value()};
            case 17: return new String[]{"LINSERT", key(), rnd.nextBoolean() ? "BEFORE" : "AFTER", value(), value()};
            case 18: {
                List<String> c = new ArrayList<>(List.of("LPOS", key(), value()));
                if (rnd.nextBoolean()) { c.add("RANK"); c.add(Integer.toString(rnd.nextInt(7) - 3)); }
                if (rnd.nextBoolean()) { c.add("COUNT"); c.add(Integer.toString(rnd.nextInt(4))); }
                if (rnd.nextInt(3) == 0) { c.add("MAXLEN"); c.add(Integer.toString(rnd.nextInt(6))); }
                return c.toArray(new String[0]);
            }
            case 19: return new String[]{"LMOVE", key(), key(), side(), side()};
            case 20: return new String[]{"RPOPLPUSH", key(), key()};
            case 21: {
                int n = 1 + rnd.nextInt(3);
                List<String> c = new ArrayList<>(List.of("LMPOP", Integer.toString(n)));
                for (int i = 0; i < n; i++) c.add(key());
                c.add(side());
                if (rnd.nextBoolean()) { c.add("COUNT"); c.add(Integer.toString(rnd.nextInt(5))); }
                return c.toArray(new String[0]);
            }
            case 22: return new String[]{"EXISTS", key()};
            case 23: return new String[]{"TYPE", key()};
            case 24: return rnd.nextInt(4) == 0 ? new String[]{"SET", "str", value()}
                    : rnd.nextBoolean() ? new String[]{"RENAME", key(), key()} : new String[]{"COPY", key(), key(), "REPLACE"};
            default: return new String[]{"DEL", key()};
        }
    }
}
