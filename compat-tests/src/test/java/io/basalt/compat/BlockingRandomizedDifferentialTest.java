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
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Blocking pops across connections, generated from a seed and run on redis-server and Basalt in
 * lockstep. Each round one or two "waiter" connections send a random blocking command (BLPOP,
 * BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP) over a small key space shared
 * with lists, sorted sets and keys of other types; once each waiter has either replied or is
 * blocked (on both servers), a "driver" connection runs random writes (pushes, moves, type
 * changes, transactions, deletes) and then CLIENT UNBLOCKs whoever still waits. Every reply of
 * every connection, in order, and the keyspace after the round must be the same on both servers.
 * Some rounds use a short timeout and no writes, so the timeout reply is compared too.
 *
 * <p>Replay: {@code -Dtest=BlockingRandomizedDifferentialTest -Dbasalt.seed=N}; longer runs with
 * {@code -Dbasalt.fuzz.ops=ROUNDS}.
 */
class BlockingRandomizedDifferentialTest {
    private static final String[] KEYS = {"q1", "q2", "q3", "z1", "z2"};

    private Random rnd;
    private final List<String> history = new ArrayList<>();
    private long seed;
    private int rounds;
    private int round;

    /** One logical connection: the same role on both servers. */
    private record Pair(RawClient redis, RawClient basalt, String redisId, String basaltId) {
        static Pair open() {
            RawClient r = new RawClient(RedisServerProcess.shared().port());
            RawClient b = new RawClient(BasaltInstance.shared().port());
            return new Pair(r, b, Long.toString(r.call("CLIENT", "ID").number()), Long.toString(b.call("CLIENT", "ID").number()));
        }

        void close() {
            redis.close();
            basalt.close();
        }
    }

    @Test
    void blockingPopsAcrossConnections() {
        seed = Long.getLong("basalt.seed", System.nanoTime());
        rounds = Integer.getInteger("basalt.fuzz.ops", 4000) / 20;
        rnd = new Random(seed);
        Pair driver = Pair.open();
        Pair w1 = Pair.open();
        Pair w2 = Pair.open();
        try {
            for (RawClient c : new RawClient[] {driver.redis, driver.basalt}) c.call("FLUSHALL");
            for (round = 0; round < rounds; round++) {
                boolean resp3 = rnd.nextInt(4) == 0;
                for (Pair w : new Pair[] {w1, w2}) {
                    w.redis.call("HELLO", resp3 ? "3" : "2");
                    w.basalt.call("HELLO", resp3 ? "3" : "2");
                }
                if (rnd.nextInt(6) == 0) {
                    timeoutRound(driver, w1);
                } else {
                    servedRound(driver, rnd.nextInt(3) == 0 ? new Pair[] {w1, w2} : new Pair[] {w1});
                }
                if (round % 10 == 9) compareKeyspace(driver);
            }
            compareKeyspace(driver);
        } finally {
            driver.close();
            w1.close();
            w2.close();
        }
    }

    /** Waiters block (or are served at once), the driver writes, whoever still waits is unblocked. */
    private void servedRound(Pair driver, Pair[] waiters) {
        for (Pair w : waiters) {
            String[] cmd = blockingCommand("0");
            send(w, cmd);
            settle(driver, w);
        }
        int writes = rnd.nextInt(4);
        for (int i = 0; i < writes; i++) {
            if (rnd.nextInt(5) == 0) {
                // a transaction: blocked clients are served after the whole EXEC
                call(driver, "MULTI");
                call(driver, write());
                call(driver, write());
                call(driver, "EXEC");
            } else {
                call(driver, write());
            }
        }
        for (Pair w : waiters) unblock(driver, w);
        for (Pair w : waiters) readBoth(w);
    }

    /** A short timeout and no writes: the timeout reply (or an immediate one) on both servers. */
    private void timeoutRound(Pair driver, Pair w) {
        String[] cmd = blockingCommand(rnd.nextBoolean() ? "0.01" : "0.02");
        send(w, cmd);
        readBoth(w);
    }

    private void send(Pair w, String[] cmd) {
        history.add("[waiter] " + String.join(" ", cmd));
        w.redis.send(cmd);
        w.basalt.send(cmd);
    }

    private void readBoth(Pair w) {
        RespValue a = w.redis.read();
        RespValue b = w.basalt.read();
        if (!a.rawString().equals(b.rawString())) {
            Lockstep.diverged(" (waiter reply)", seed, rounds * 20, round, new String[] {"<waiter reply>"}, a, b, history);
        }
    }

    /**
     * Waits until the waiter's command was processed on each server: it either replied (bytes are
     * waiting) or is blocked (flag b in CLIENT LIST). Both servers must agree which.
     */
    private void settle(Pair driver, Pair w) {
        boolean redisBlocked = settled(driver.redis, w.redis, w.redisId);
        boolean basaltBlocked = settled(driver.basalt, w.basalt, w.basaltId);
        if (redisBlocked != basaltBlocked) {
            fail("seed " + seed + " round " + round + ": redis " + (redisBlocked ? "blocked" : "replied")
                    + ", basalt " + (basaltBlocked ? "blocked" : "replied") + "\n  " + String.join("\n  ", tail()));
        }
    }

    private static boolean settled(RawClient driver, RawClient waiter, String id) {
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            if (waiter.hasData()) return false;
            String info = driver.call("CLIENT", "LIST", "ID", id).string();
            if (info.contains(" flags=b ") || info.contains(" flags=b")) {
                if (!waiter.hasData()) return true;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        throw new AssertionError("waiter neither replied nor blocked");
    }

    /** CLIENT UNBLOCK of a waiter: 1 if it still waited, 0 if a write served it. */
    private void unblock(Pair driver, Pair w) {
        String how = rnd.nextBoolean() ? "TIMEOUT" : "ERROR";
        history.add("CLIENT UNBLOCK <waiter> " + how);
        RespValue a = driver.redis.call("CLIENT", "UNBLOCK", w.redisId, how);
        RespValue b = driver.basalt.call("CLIENT", "UNBLOCK", w.basaltId, how);
        if (!a.rawString().equals(b.rawString())) {
            Lockstep.diverged(" (unblock)", seed, rounds * 20, round, new String[] {"CLIENT", "UNBLOCK", how}, a, b, history);
        }
    }

    /** Runs a driver command on both servers and compares the replies. */
    private void call(Pair driver, String... cmd) {
        history.add(String.join(" ", cmd));
        RespValue a = driver.redis.call(cmd);
        RespValue b = driver.basalt.call(cmd);
        if (!a.rawString().equals(b.rawString())) {
            Lockstep.diverged("", seed, rounds * 20, round, cmd, a, b, history);
        }
    }

    private List<String> tail() {
        return history.subList(Math.max(0, history.size() - 25), history.size());
    }

    private void compareKeyspace(Pair driver) {
        for (String k : KEYS) {
            String[][] reads = {{"TYPE", k}, {"LRANGE", k, "0", "-1"}, {"ZRANGE", k, "0", "-1", "WITHSCORES"}, {"GET", k}};
            for (String[] r : reads) {
                RespValue a = driver.redis.call(r);
                RespValue b = driver.basalt.call(r);
                assertEquals(a.rawString(), b.rawString(), () -> "keyspace differs (seed " + seed + ", round " + round + ") at "
                        + String.join(" ", r) + "\n  " + String.join("\n  ", tail()));
            }
        }
    }

    // ---------------------------------------------------------------- generators

    private String key() { return KEYS[rnd.nextInt(KEYS.length)]; }

    private String side() { return rnd.nextBoolean() ? "LEFT" : "RIGHT"; }

    private String value() { return Integer.toString(rnd.nextInt(30)); }

    private String[] blockingCommand(String timeout) {
        List<String> c = new ArrayList<>();
        switch (rnd.nextInt(8)) {
            case 0 -> { c.add("BLPOP"); keys(c); c.add(timeout); }
            case 1 -> { c.add("BRPOP"); keys(c); c.add(timeout); }
            case 2 -> c.addAll(List.of("BLMOVE", key(), key(), side(), side(), timeout));
            case 3 -> c.addAll(List.of("BRPOPLPUSH", key(), key(), timeout));
            case 4 -> {
                c.add("BLMPOP");
                c.add(timeout);
                countedKeys(c);
                c.add(side());
                if (rnd.nextBoolean()) c.addAll(List.of("COUNT", Integer.toString(1 + rnd.nextInt(3))));
            }
            case 5 -> { c.add("BZPOPMIN"); keys(c); c.add(timeout); }
            case 6 -> { c.add("BZPOPMAX"); keys(c); c.add(timeout); }
            default -> {
                c.add("BZMPOP");
                c.add(timeout);
                countedKeys(c);
                c.add(rnd.nextBoolean() ? "MIN" : "MAX");
                if (rnd.nextBoolean()) c.addAll(List.of("COUNT", Integer.toString(1 + rnd.nextInt(3))));
            }
        }
        return c.toArray(new String[0]);
    }

    private void keys(List<String> c) {
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) c.add(key());
    }

    private void countedKeys(List<String> c) {
        int n = 1 + rnd.nextInt(3);
        c.add(Integer.toString(n));
        for (int i = 0; i < n; i++) c.add(key());
    }

    private String[] write() {
        String k = key();
        switch (rnd.nextInt(16)) {
            case 0: case 1: return new String[] {"RPUSH", k, value(), value()};
            case 2: return new String[] {"LPUSH", k, value()};
            case 3: return new String[] {"LPUSHX", k, value()};
            case 4: case 5: return new String[] {"ZADD", k, value(), "m" + value(), value(), "m" + value()};
            case 6: return new String[] {"LMOVE", k, key(), side(), side()};
            case 7: return new String[] {"RPOPLPUSH", k, key()};
            case 8: return new String[] {"DEL", k};
            case 9: return new String[] {"SET", k, "string"};
            case 10: return new String[] {"SADD", k, value()};
            case 11: return new String[] {"LPOP", k};
            case 12: return new String[] {"ZPOPMIN", k};
            case 13: return new String[] {"RENAME", k, key()};
            case 14: return new String[] {"SORT", k, "ALPHA", "STORE", key()};
            default: return new String[] {"ZINCRBY", k, "1", "m" + value()};
        }
    }
}
