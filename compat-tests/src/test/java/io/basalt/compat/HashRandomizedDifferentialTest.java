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

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Seeded hash-command sequences over a few keys, sent to redis-server and Basalt in lockstep, with
 * low listpack thresholds so hashes convert to hashtables along the way. Replies must be byte
 * identical, except where Redis leaves the order unspecified (a hashtable's HGETALL/HKEYS/HVALS/
 * HSCAN are compared as sorted contents) or the result random (HRANDFIELD: same shape and size).
 *
 * <p>Replay: {@code -Dtest=HashRandomizedDifferentialTest -Dbasalt.seed=N -Dbasalt.fuzz.ops=M}.
 */
class HashRandomizedDifferentialTest {
    private static final String[] VALUES = {"0", "1", "-1", "42", "9223372036854775807", "-9223372036854775808",
            "1.5", "-0.25", "3e2", "abc", "", "hello world", "007", " 1", "inf", "xxxxxxxxxxxxxxxxxxxxxx"};

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
                c.call("CONFIG", "SET", "hash-max-listpack-entries", "6");
                c.call("CONFIG", "SET", "hash-max-listpack-value", "12");
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
                        for (int k = 0; k < 5; k++) {
                            String key = "h" + k;
                            assertEquals(redis.call("OBJECT", "ENCODING", key).rawString(),
                                    basalt.call("OBJECT", "ENCODING", key).rawString(), "encoding of " + key + ", seed " + seed);
                            assertEquals(pairs(redis.call("HGETALL", key)), pairs(basalt.call("HGETALL", key)),
                                    "contents of " + key + ", seed " + seed);
                        }
                    }
                }
            } finally {
                for (RawClient c : new RawClient[]{redis, basalt}) {
                    c.call("FLUSHDB");
                    c.call("CONFIG", "SET", "hash-max-listpack-entries", "512");
                    c.call("CONFIG", "SET", "hash-max-listpack-value", "64");
                    c.call("SELECT", "0");
                }
            }
        }
    }

    private static boolean equivalent(String[] cmd, RespValue a, RespValue b) {
        if (a.rawString().equals(b.rawString())) return true;
        if (a.isError() || b.isError()) return false;
        switch (cmd[0]) {
            case "HGETALL":
                return pairs(a).equals(pairs(b));
            case "HKEYS":
            case "HVALS":
                return a.type() == b.type() && sorted(a).equals(sorted(b));
            case "HSCAN":
                return a.get(0).string().equals(b.get(0).string()) && pairs(a.get(1)).equals(pairs(b.get(1)));
            case "HRANDFIELD":
                return a.type() == b.type() && a.size() == b.size();
            case "TTL":
                return a.type() == ':' && b.type() == ':' && Math.abs(a.number() - b.number()) <= 1;
            default:
                return false;
        }
    }

    private static List<String> sorted(RespValue v) {
        List<String> out = new ArrayList<>();
        for (RespValue e : v.elements()) out.add(e.string());
        out.sort(null);
        return out;
    }

    private static List<String> pairs(RespValue v) {
        List<String> out = new ArrayList<>();
        if (!v.isAggregate()) return out;
        for (int i = 0; i + 1 < v.size(); i += 2) out.add(v.get(i).string() + "=" + v.get(i + 1).string());
        out.sort(null);
        return out;
    }

    private String key() { return "h" + rnd.nextInt(5); }

    private String field() {
        return rnd.nextInt(12) == 0 ? "a-rather-long-field-name" : "f" + rnd.nextInt(10);
    }

    private String value() {
        if (rnd.nextInt(3) == 0) return Integer.toString(rnd.nextInt(200) - 100);
        return VALUES[rnd.nextInt(VALUES.length)];
    }

    private String[] next() {
        switch (rnd.nextInt(30)) {
            case 0: case 1: case 2: {
                List<String> c = new ArrayList<>(List.of("HSET", key()));
                int n = 1 + rnd.nextInt(3);
                for (int k = 0; k < n; k++) {
                    c.add(field());
                    c.add(value());
                }
                return c.toArray(new String[0]);
            }
            case 3: return new String[]{"HMSET", key(), field(), value(), field(), value()};
            case 4: return new String[]{"HSETNX", key(), field(), value()};
            case 5: return new String[]{"HGET", key(), field()};
            case 6: return new String[]{"HMGET", key(), field(), field(), field()};
            case 7: return new String[]{"HGETALL", key()};
            case 8: case 9: return new String[]{"HDEL", key(), field(), field()};
            case 10: return new String[]{"HLEN", key()};
            case 11: return new String[]{"HSTRLEN", key(), field()};
            case 12: return new String[]{"HEXISTS", key(), field()};
            case 13: return new String[]{"HKEYS", key()};
            case 14: return new String[]{"HVALS", key()};
            case 15: case 16: return new String[]{"HINCRBY", key(), field(), rnd.nextBoolean() ? "1" : value()};
            case 17: case 18: return new String[]{"HINCRBYFLOAT", key(), field(), rnd.nextBoolean() ? "0.1" : value()};
            case 19: {
                int r = rnd.nextInt(4);
                if (r == 0) return new String[]{"HRANDFIELD", key()};
                String count = Integer.toString(rnd.nextInt(21) - 10);
                return r == 1 ? new String[]{"HRANDFIELD", key(), count}
                        : new String[]{"HRANDFIELD", key(), count, "WITHVALUES"};
            }
            case 20: return rnd.nextBoolean() ? new String[]{"HSCAN", key(), "0", "COUNT", "1000"}
                    : new String[]{"HSCAN", key(), "0", "MATCH", "f[1-4]*", "COUNT", "1000"};
            case 21: return new String[]{"OBJECT", "ENCODING", key()};
            case 22: return new String[]{"TYPE", key()};
            case 23: return new String[]{"SET", key(), value()};
            case 24: return new String[]{"DEL", key()};
            case 25: return new String[]{"RENAME", key(), key()};
            case 26: return rnd.nextBoolean() ? new String[]{"COPY", key(), key()}
                    : new String[]{"COPY", key(), key(), "REPLACE"};
            case 27: return new String[]{"EXISTS", key(), key()};
            case 28: return new String[]{"EXPIRE", key(), "1000"};
            default: return new String[]{"TTL", key()};
        }
    }
}
