package io.basalt.compat.commands;

import io.basalt.compat.harness.DifferentialTest;
import io.basalt.compat.harness.RawClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH against redis-server 7.0: queuing, the errors that
 * doom a transaction and those that do not, blocking commands inside a transaction, and WATCH
 * broken by other clients' writes, flushes, swaps and expiry. A second connection per server
 * plays the other client.
 */
class TransactionCommandsTest extends DifferentialTest {
    @AfterEach
    void activeExpiryBackOn() {
        // the expiry tests turn active expiry off
        redis.call("DEBUG", "SET-ACTIVE-EXPIRE", "1");
        basalt.call("DEBUG", "SET-ACTIVE-EXPIRE", "1");
    }

    private void execSequence() {
        sameAll(cmd("MULTI"),
                cmd("SET", "a", "1"),
                cmd("INCR", "a"),
                cmd("LPUSH", "a", "x"), // a runtime error does not stop the rest
                cmd("INCRBY", "a", "5"),
                cmd("GET", "a"),
                cmd("RPUSH", "l", "x", "y"),
                cmd("LRANGE", "l", "0", "-1"),
                cmd("EXEC"),
                cmd("GET", "a"));
        sameAll(cmd("MULTI"), cmd("EXEC"));
        sameAll(cmd("MULTI"), cmd("HSET", "h", "f", "1.5"), cmd("HINCRBYFLOAT", "h", "f", "1"),
                cmd("ZADD", "z", "1", "m"), cmd("ZSCORE", "z", "m"), cmd("PING"), cmd("ECHO", "e"), cmd("EXEC"));
    }

    @Test
    void execRunsTheQueueResp2() {
        execSequence();
    }

    @Test
    void execRunsTheQueueResp3() {
        resp3();
        execSequence();
    }

    @Test
    void discardDropsTheQueue() {
        sameAll(cmd("MULTI"), cmd("SET", "a", "1"), cmd("DISCARD"), cmd("GET", "a"),
                cmd("DISCARD"), cmd("EXEC"), cmd("DISCARD", "x"), cmd("EXEC", "x"));
    }

    @Test
    void rejectedCommandsAbortTheExec() {
        sameAll(cmd("MULTI"), cmd("SET", "a", "1"), cmd("NOSUCHCOMMAND", "x"), cmd("SET", "b", "2"), cmd("EXEC"),
                cmd("EXISTS", "a", "b"));
        sameAll(cmd("MULTI"), cmd("SET", "a"), cmd("EXEC"));
        sameAll(cmd("MULTI"), cmd("CONFIG", "NOSUCH"), cmd("EXEC"));
        sameAll(cmd("MULTI"), cmd("SHUTDOWN"), cmd("EXEC"));
        sameAll(cmd("MULTI"), cmd("EXEC", "extra"), cmd("SET", "a", "1"), cmd("EXEC"), cmd("EXISTS", "a"));
    }

    @Test
    void nestedMultiAndWatchInsideMultiDoNotAbort() {
        sameAll(cmd("MULTI"), cmd("MULTI"), cmd("SET", "a", "1"), cmd("EXEC"), cmd("GET", "a"));
        sameAll(cmd("MULTI"), cmd("WATCH", "a"), cmd("INCR", "a"), cmd("EXEC"), cmd("GET", "a"));
        sameAll(cmd("MULTI"), cmd("UNWATCH"), cmd("EXEC"));
    }

    @Test
    void blockingCommandsDoNotBlockInsideMulti() {
        sameAll(cmd("MULTI"),
                cmd("BLPOP", "none", "0"),
                cmd("BRPOP", "none", "none2", "1"),
                cmd("BRPOPLPUSH", "none", "dst", "0"),
                cmd("BLMOVE", "none", "dst", "LEFT", "RIGHT", "0"),
                cmd("BLMPOP", "0", "1", "none", "LEFT"),
                cmd("BZPOPMIN", "none", "0"),
                cmd("BZPOPMAX", "none", "0"),
                cmd("BZMPOP", "0", "1", "none", "MIN"),
                cmd("RPUSH", "l", "a", "b", "c"),
                cmd("BLPOP", "l", "0"),
                cmd("BLMOVE", "l", "dst", "LEFT", "RIGHT", "0"),
                cmd("BLPOP", "l", "-1"),
                cmd("EXEC"),
                cmd("LRANGE", "dst", "0", "-1"));
        resp3();
        sameAll(cmd("MULTI"), cmd("BLPOP", "none", "0"), cmd("BLMOVE", "none", "dst", "LEFT", "RIGHT", "0"),
                cmd("BZPOPMIN", "none", "0"), cmd("EXEC"));
    }

    @Test
    void pubSubAndMonitorInsideExec() {
        sameAll(cmd("MULTI"), cmd("SSUBSCRIBE", "s"), cmd("MONITOR"), cmd("EXEC"));
        sameAll(cmd("MULTI"), cmd("PSUBSCRIBE", "p*"), cmd("PING"), cmd("SUBSCRIBE", "c"), cmd("EXEC"), cmd("PING"),
                cmd("PUNSUBSCRIBE"), cmd("UNSUBSCRIBE"));
    }

    @Test
    void aBlockedClientIsServedAfterTheWholeExec() {
        redis2().send("BLPOP", "q", "0");
        basalt2().send("BLPOP", "q", "0");
        waitBlocked();
        sameAll(cmd("MULTI"), cmd("RPUSH", "q", "1", "2"), cmd("LPOP", "q"), cmd("RPUSH", "q", "3"), cmd("EXEC"));
        assertEquals(redis2().read().rawString(), basalt2().read().rawString());
        same("LRANGE", "q", "0", "-1");
    }

    private void waitBlocked() {
        for (int i = 0; i < 200; i++) {
            if (redis.call("INFO", "clients").toString().contains("blocked_clients:1")
                    && basalt.call("INFO", "clients").toString().contains("blocked_clients:1")) {
                return;
            }
            sleep(10);
        }
        throw new AssertionError("the second client did not block");
    }

    @Test
    void selectAndSwapdbInsideExec() {
        sameAll(cmd("MULTI"), cmd("SELECT", "1"), cmd("SET", "k", "db1"), cmd("SWAPDB", "0", "1"), cmd("GET", "k"),
                cmd("EXEC"), cmd("GET", "k"), cmd("SELECT", "0"), cmd("GET", "k"), cmd("FLUSHALL"));
    }

    @Test
    void resetLeavesTheTransaction() {
        sameAll(cmd("WATCH", "w"), cmd("MULTI"), cmd("SET", "a", "1"), cmd("RESET"), cmd("EXEC"), cmd("GET", "a"));
    }

    // ---------------------------------------------------------------- WATCH

    @Test
    void unwatchedOrUntouchedKeysLetTheExecRun() {
        sameAll(cmd("SET", "w", "1"), cmd("WATCH", "w", "x"), cmd("GET", "w"), cmd("MULTI"), cmd("INCR", "w"), cmd("EXEC"));
        sameAll(cmd("WATCH", "w"), cmd("UNWATCH"), cmd("MULTI"), cmd("INCR", "w"), cmd("EXEC"));
        // WATCH's own EXEC consumes the watch: a later transaction runs
        sameAll(cmd("WATCH", "w"), cmd("MULTI"), cmd("EXEC"), cmd("MULTI"), cmd("PING"), cmd("EXEC"));
    }

    @Test
    void flushallBreaksWatchesOfExistingKeysOnly() {
        sameAll(cmd("SET", "w", "1"), cmd("WATCH", "w"));
        other("FLUSHALL");
        sameAll(cmd("MULTI"), cmd("PING"), cmd("EXEC"));
        sameAll(cmd("WATCH", "missing"));
        other("FLUSHALL");
        sameAll(cmd("MULTI"), cmd("PING"), cmd("EXEC"));
    }

    @Test
    void flushdbBreaksWatchesInItsDatabaseOnly() {
        sameAll(cmd("SET", "w", "1"), cmd("WATCH", "w"));
        other("SELECT", "1");
        other("FLUSHDB");
        sameAll(cmd("MULTI"), cmd("PING"), cmd("EXEC"));
        sameAll(cmd("WATCH", "w"));
        other("SELECT", "0");
        other("FLUSHDB");
        sameAll(cmd("MULTI"), cmd("PING"), cmd("EXEC"));
    }

    @Test
    void swapdbBreaksWatchesOfKeysInEitherDatabase() {
        sameAll(cmd("WATCH", "w"));
        other("SELECT", "1");
        other("SET", "w", "in1");
        other("SWAPDB", "0", "1");
        sameAll(cmd("MULTI"), cmd("GET", "w"), cmd("EXEC"));
        sameAll(cmd("WATCH", "nowhere"));
        other("SWAPDB", "0", "1");
        sameAll(cmd("MULTI"), cmd("PING"), cmd("EXEC"));
    }

    @Test
    void aWatchedKeyThatExpiresBreaksTheExec() {
        sameAll(cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0"), cmd("SET", "w", "1", "PX", "50"), cmd("WATCH", "w"));
        sleep(120);
        sameAll(cmd("MULTI"), cmd("PING"), cmd("EXEC"));
    }

    @Test
    void aKeyAlreadyExpiredWhenWatchedDoesNotBreakTheExec() {
        sameAll(cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0"), cmd("SET", "w", "1", "PX", "20"));
        sleep(60);
        sameAll(cmd("WATCH", "w"), cmd("MULTI"), cmd("PING"), cmd("EXEC"));
        sameAll(cmd("SET", "w2", "1", "PX", "20"));
        sleep(60);
        // the expired key is deleted by a flush: no logical change
        sameAll(cmd("WATCH", "w2"));
        other("FLUSHALL");
        sameAll(cmd("MULTI"), cmd("PING"), cmd("EXEC"));
    }

    @Test
    void watchAfterTheCasBrokeIsANoOp() {
        sameAll(cmd("SET", "w", "1"), cmd("WATCH", "w"));
        other("FLUSHALL");
        sameAll(cmd("WATCH", "x"), cmd("MULTI"), cmd("PING"), cmd("EXEC"), cmd("MULTI"), cmd("PING"), cmd("EXEC"));
    }

    @Test
    void clientListShowsTheTransaction() {
        assertEquals(transactionFields(redis), transactionFields(basalt));
    }

    /** CLIENT LIST's flags, multi and cmd inside an EXEC, then CLIENT INFO's after it. */
    private static String transactionFields(RawClient c) {
        c.call("MULTI");
        c.call("SET", "a", "1");
        c.call("CLIENT", "LIST");
        String info = c.call("EXEC").toString();
        String after = c.call("CLIENT", "INFO").toString();
        Pattern p = Pattern.compile("flags=(\\S+) .* multi=(\\S+) .* cmd=(\\S+)");
        Matcher in = p.matcher(info);
        Matcher out = p.matcher(after);
        assertTrue(in.find(), info);
        assertTrue(out.find(), after);
        return in.group(1) + " " + in.group(2) + " " + in.group(3) + " / " + out.group(1) + " " + out.group(2) + " " + out.group(3);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
