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


/**
 * Seeded random sorted-set command sequences over a few keys, sent to redis-server and Basalt in
 * lockstep with small encoding thresholds (so sets cross from listpack to skiplist often); any
 * difference in reply bytes fails with the seed and the recent history.
 *
 * <p>Replay: {@code -Dtest=ZSetRandomizedDifferentialTest -Dbasalt.seed=N}; longer runs with
 * {@code -Dbasalt.fuzz.ops=N}.
 */
class ZSetRandomizedDifferentialTest {
    private static final String[] SCORES = {"0", "1", "-1", "2", "2.5", "-0.25", "0.1", "10", "1e3", "inf",
            "-inf", "+inf", "3", "7", "-7", "100", "0x10", "nan", "abc", ""};
    private static final String[] BOUNDS = {"-inf", "+inf", "0", "(0", "1", "(1", "2.5", "(3", "10", "(100",
            "-1", "x", "(-inf", "inf"};
    private static final String[] LEX = {"-", "+", "[a", "(a", "[m3", "(m5", "[m", "(z", "x", "[", "("};

    private Random rnd;

    @Test
    void lockstepAgainstRedis() {
        long seed = Long.getLong("basalt.seed", System.nanoTime());
        int ops = Integer.getInteger("basalt.fuzz.ops", 4000);
        rnd = new Random(seed);
        List<String> history = new ArrayList<>();
        try (RawClient redis = new RawClient(RedisServerProcess.shared().port());
             RawClient basalt = new RawClient(BasaltInstance.shared().port())) {
            boolean resp3 = rnd.nextBoolean();
            for (RawClient c : new RawClient[]{redis, basalt}) {
                c.call("SELECT", "7");
                c.call("FLUSHDB");
                c.call("CONFIG", "SET", "zset-max-listpack-entries", "6");
                c.call("CONFIG", "SET", "zset-max-listpack-value", "8");
                if (resp3) c.call("HELLO", "3");
            }
            try {
                for (int i = 0; i < ops; i++) {
                    String[] cmd = next();
                    history.add(String.join(" ", cmd));
                    RespValue a = redis.call(cmd);
                    RespValue b = basalt.call(cmd);
                    if (!a.rawString().equals(b.rawString())) {
                        Lockstep.diverged("", seed, ops, i, cmd, a, b, history);
                    }
                }
            } finally {
                for (RawClient c : new RawClient[]{redis, basalt}) {
                    c.call("FLUSHDB");
                    c.call("CONFIG", "SET", "zset-max-listpack-entries", "128");
                    c.call("CONFIG", "SET", "zset-max-listpack-value", "64");
                }
            }
        }
    }

    private String key() { return "z" + rnd.nextInt(4); }

    /**
     * Keys whose members all have score 0: lex ranges are only defined then (with mixed scores
     * Redis's result depends on its skiplist's random levels).
     */
    private String lexKey() { return "l" + rnd.nextInt(2); }

    private String member() {
        if (rnd.nextInt(20) == 0) return "long-member-" + rnd.nextInt(5);
        return "m" + rnd.nextInt(12);
    }

    private String score() {
        if (rnd.nextInt(3) == 0) return Integer.toString(rnd.nextInt(10) - 3);
        return SCORES[rnd.nextInt(SCORES.length)];
    }

    private String bound() { return BOUNDS[rnd.nextInt(BOUNDS.length)]; }

    private String lex() { return LEX[rnd.nextInt(LEX.length)]; }

    private String idx() { return Integer.toString(rnd.nextInt(16) - 8); }

    private String[] next() {
        List<String> c = new ArrayList<>();
        switch (rnd.nextInt(30)) {
            case 0: case 1: case 2: case 3: {
                c.add("ZADD");
                c.add(key());
                String[] opts = {"NX", "XX", "GT", "LT", "CH", "INCR"};
                for (String o : opts) if (rnd.nextInt(8) == 0) c.add(o);
                int pairs = 1 + rnd.nextInt(4);
                for (int k = 0; k < pairs; k++) {
                    c.add(score());
                    c.add(member());
                }
                break;
            }
            case 4: return new String[]{"ZINCRBY", key(), score(), member()};
            case 5: return new String[]{"ZREM", key(), member(), member()};
            case 6: return new String[]{"ZCARD", key()};
            case 7: return new String[]{"ZSCORE", key(), member()};
            case 8: return new String[]{"ZMSCORE", key(), member(), member()};
            case 9: return new String[]{rnd.nextBoolean() ? "ZRANK" : "ZREVRANK", key(), member()};
            case 10: return new String[]{"ZCOUNT", key(), bound(), bound()};
            case 11: return new String[]{"ZLEXCOUNT", lexKey(), lex(), lex()};
            case 12: case 13: {
                c.add("ZRANGE");
                c.add(key());
                int type = rnd.nextInt(3);
                if (type == 0) { c.add(idx()); c.add(idx()); }
                else if (type == 1) { c.add(bound()); c.add(bound()); c.add("BYSCORE"); }
                else { c.set(1, lexKey()); c.add(lex()); c.add(lex()); c.add("BYLEX"); }
                if (rnd.nextBoolean()) c.add("REV");
                if (rnd.nextInt(3) == 0) { c.add("LIMIT"); c.add(idx()); c.add(idx()); }
                if (rnd.nextBoolean()) c.add("WITHSCORES");
                break;
            }
            case 14: return new String[]{"ZRANGEBYSCORE", key(), bound(), bound(), "WITHSCORES"};
            case 15: return new String[]{"ZREVRANGEBYSCORE", key(), bound(), bound(), "LIMIT", idx(), idx()};
            case 16: return new String[]{rnd.nextBoolean() ? "ZRANGEBYLEX" : "ZREVRANGEBYLEX", lexKey(), lex(), lex(), "LIMIT", idx(), idx()};
            case 17: return new String[]{"ZREVRANGE", key(), idx(), idx(), "WITHSCORES"};
            case 18: return new String[]{"ZRANGESTORE", key(), key(), idx(), idx()};
            case 19: return new String[]{"ZREMRANGEBYRANK", key(), idx(), idx()};
            case 20: return new String[]{"ZREMRANGEBYSCORE", key(), bound(), bound()};
            case 21: return new String[]{"ZREMRANGEBYLEX", lexKey(), lex(), lex()};
            case 22: return rnd.nextBoolean() ? new String[]{"ZPOPMIN", key()}
                    : new String[]{"ZPOPMAX", key(), Integer.toString(rnd.nextInt(4))};
            case 23: return new String[]{"ZMPOP", "2", key(), key(), rnd.nextBoolean() ? "MIN" : "MAX", "COUNT", "2"};
            case 24: {
                String[] ops = {"ZUNION", "ZINTER", "ZDIFF"};
                String op = ops[rnd.nextInt(3)];
                c.add(op);
                c.add("2");
                c.add(key());
                c.add(key());
                if (!op.equals("ZDIFF") && rnd.nextBoolean()) { c.add("WEIGHTS"); c.add(score()); c.add(score()); }
                if (!op.equals("ZDIFF") && rnd.nextBoolean()) { c.add("AGGREGATE"); c.add(rnd.nextBoolean() ? "MIN" : "MAX"); }
                if (rnd.nextBoolean()) c.add("WITHSCORES");
                break;
            }
            case 25: {
                String[] ops = {"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"};
                return new String[]{ops[rnd.nextInt(3)], key(), "2", key(), key()};
            }
            case 26: return new String[]{"ZINTERCARD", "2", key(), key(), "LIMIT", Integer.toString(rnd.nextInt(3))};
            case 27: return rnd.nextBoolean() ? new String[]{"OBJECT", "ENCODING", key()}
                    : new String[]{"ZADD", lexKey(), "0", member(), "0", member(), "0", member()};
            case 28: return rnd.nextBoolean() ? new String[]{"SET", key(), "str"} : new String[]{"DEL", key()};
            default: return new String[]{"ZRANDMEMBER", key(), "100", "WITHSCORES"};
        }
        return c.toArray(new String[0]);
    }
}
