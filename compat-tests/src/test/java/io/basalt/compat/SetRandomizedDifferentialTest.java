package io.basalt.compat;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.Lockstep;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Seeded set-command sequences over a few keys (so sets meet, convert encodings, get emptied,
 * stored over and clash with a string), sent to redis-server and Basalt in lockstep. Replies whose
 * order Redis leaves unspecified (hashtable sets) are compared as sorted contents, the rest byte
 * for byte; SRANDMEMBER (random, read-only) by shape; SPOP only where its result is determined.
 *
 * <p>Replay: {@code -Dtest=SetRandomizedDifferentialTest -Dbasalt.seed=N}.
 */
class SetRandomizedDifferentialTest {
    private static final String[] MEMBERS = {"0", "1", "-1", "2", "3", "5", "8", "13", "42", "-7",
            "9223372036854775807", "-9223372036854775808", "01", "a", "b", "c", "", "x y", "1.5", "100"};
    private static final Set<String> UNORDERED = Set.of("SMEMBERS", "SINTER", "SUNION", "SDIFF", "SPOP", "SSCAN");

    private Random rnd;

    @Test
    void lockstepAgainstRedis() {
        long seed = Long.getLong("basalt.seed", System.nanoTime());
        int ops = Integer.getInteger("basalt.fuzz.ops", 4000);
        rnd = new Random(seed);
        List<String> history = new ArrayList<>();
        try (RawClient redis = new RawClient(RedisServerProcess.shared().port());
             RawClient basalt = new RawClient(BasaltInstance.shared().port())) {
            for (RawClient c : new RawClient[]{redis, basalt}) {
                c.call("SELECT", "7");
                c.call("FLUSHDB");
                // a low threshold so integer sets convert to hashtable within the run
                c.call("CONFIG", "SET", "set-max-intset-entries", "6");
            }
            try {
                for (int i = 0; i < ops; i++) {
                    String[] cmd = next();
                    history.add(String.join(" ", cmd));
                    RespValue a = redis.call(cmd);
                    RespValue b = basalt.call(cmd);
                    if (!equivalent(cmd, a, b)) {
                        Lockstep.diverged("", seed, ops, i, cmd, a, b, history);
                    }
                    if (i % 100 == 99) {
                        assertEquals(flatSorted(redis.call("KEYS", "*")), flatSorted(basalt.call("KEYS", "*")),
                                "keyspace differs, seed " + seed + " after op " + i);
                    }
                }
            } finally {
                for (RawClient c : new RawClient[]{redis, basalt}) {
                    c.call("FLUSHDB");
                    c.call("CONFIG", "SET", "set-max-intset-entries", "512");
                }
            }
        }
    }

    private static boolean equivalent(String[] cmd, RespValue a, RespValue b) {
        if (a.rawString().equals(b.rawString())) return true;
        String name = cmd[0].toUpperCase();
        if (name.equals("SRANDMEMBER")) {
            return a.type() == b.type() && a.size() == b.size() && a.isAggregate() == b.isAggregate();
        }
        if (UNORDERED.contains(name) && a.isAggregate() && b.isAggregate() && a.type() == b.type()) {
            return flatSorted(a).equals(flatSorted(b));
        }
        return false;
    }

    /** Every leaf of a reply, sorted (SSCAN's cursor included). */
    private static List<String> flatSorted(RespValue v) {
        List<String> out = new ArrayList<>();
        flatten(v, out);
        out.sort(null);
        return out;
    }

    private static void flatten(RespValue v, List<String> out) {
        if (v.isAggregate()) {
            for (RespValue e : v.elements()) flatten(e, out);
        } else {
            out.add(v.rawString());
        }
    }

    private String key() { return "s" + rnd.nextInt(5); }

    private String member() { return MEMBERS[rnd.nextInt(MEMBERS.length)]; }

    private String[] withKeys(String... prefix) {
        List<String> c = new ArrayList<>(List.of(prefix));
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) c.add(key());
        return c.toArray(new String[0]);
    }

    private String[] next() {
        switch (rnd.nextInt(26)) {
            case 0: case 1: case 2: case 3: {
                List<String> c = new ArrayList<>(List.of("SADD", key()));
                int n = 1 + rnd.nextInt(4);
                for (int i = 0; i < n; i++) c.add(member());
                return c.toArray(new String[0]);
            }
            case 4: case 5: return new String[]{"SREM", key(), member(), member()};
            case 6: return new String[]{"SMEMBERS", key()};
            case 7: return new String[]{"SISMEMBER", key(), member()};
            case 8: return new String[]{"SMISMEMBER", key(), member(), member(), member()};
            case 9: return new String[]{"SCARD", key()};
            case 10: return new String[]{"SPOP", key(), rnd.nextBoolean() ? "100" : "0"};
            case 11: return new String[]{"SRANDMEMBER", key(), Integer.toString(rnd.nextInt(30) - 10)};
            case 12: return new String[]{"SMOVE", key(), key(), member()};
            case 13: return withKeys("SINTER");
            case 14: return withKeys("SUNION");
            case 15: return withKeys("SDIFF");
            case 16: return withKeys("SINTERSTORE", key());
            case 17: return withKeys("SUNIONSTORE", key());
            case 18: return withKeys("SDIFFSTORE", key());
            case 19: {
                int n = 1 + rnd.nextInt(3);
                List<String> c = new ArrayList<>(List.of("SINTERCARD", Integer.toString(n)));
                for (int i = 0; i < n; i++) c.add(key());
                if (rnd.nextBoolean()) {
                    c.add("LIMIT");
                    c.add(Integer.toString(rnd.nextInt(4)));
                }
                return c.toArray(new String[0]);
            }
            case 20: return new String[]{"SSCAN", key(), "0", "COUNT", "100"};
            case 21: return new String[]{"OBJECT", "ENCODING", key()};
            case 22: return new String[]{"TYPE", key()};
            case 23: return new String[]{"SET", key(), member()};
            case 24: return rnd.nextBoolean() ? new String[]{"COPY", key(), key(), "REPLACE"}
                    : new String[]{"RENAME", key(), key()};
            default: return new String[]{"DEL", key()};
        }
    }
}
