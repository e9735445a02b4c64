package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.DifferentialTest;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** BZPOPMIN, BZPOPMAX and BZMPOP against redis-server 7.0, on one and on several connections. */
class BlockingZSetCommandsTest extends DifferentialTest {

    private void immediate() {
        sameAll(cmd("ZADD", "z", "1", "a", "2", "b", "3", "c", "4.5", "d", "-1e300", "e"),
                cmd("BZPOPMIN", "nx", "z", "0"),
                cmd("BZPOPMAX", "nx", "z", "1"),
                cmd("BZMPOP", "0", "2", "nx", "z", "MIN", "COUNT", "2"),
                cmd("BZMPOP", "0.5", "1", "z", "MAX"),
                cmd("EXISTS", "z"),
                cmd("ZADD", "z2", "1", "x", "2", "y"),
                cmd("BZMPOP", "0", "1", "z2", "MAX", "COUNT", "10"),
                cmd("EXISTS", "z2"));
    }

    @Test
    void readyKeysAreServedAtOnceResp2() {
        immediate();
    }

    @Test
    void readyKeysAreServedAtOnceResp3() {
        resp3();
        immediate();
    }

    @Test
    void wrongTypesTimeoutsAndErrors() {
        sameAll(cmd("SET", "s", "x"), cmd("ZADD", "z", "1", "a"), cmd("RPUSH", "l", "a"),
                cmd("BZPOPMIN", "s", "z", "0"),
                cmd("BZPOPMAX", "l", "0"),
                cmd("BZMPOP", "0", "2", "s", "z", "MIN"),
                cmd("BLPOP", "z", "0"),
                cmd("BZPOPMIN", "nx", "0.01"),
                cmd("BZPOPMAX", "nx", "nx2", "0.01"),
                cmd("BZMPOP", "0.01", "1", "nx", "MIN", "COUNT", "3"),
                cmd("BZPOPMIN", "z", "-1"),
                cmd("BZPOPMIN", "z", "x"),
                cmd("BZPOPMIN", "z"),
                cmd("BZMPOP", "x", "1", "z", "MIN", "COUNT", "0"),
                cmd("BZMPOP", "x", "0", "z", "MIN"),
                cmd("BZMPOP", "x", "1", "z", "UP"),
                cmd("BZMPOP", "x", "1", "z", "MAX"),
                cmd("BZMPOP", "x", "3", "z", "MAX"),
                cmd("BZMPOP", "0", "1", "z", "MAX", "LIMIT", "1"),
                cmd("BZMPOP", "x", "2", "z"));
        resp3();
        sameAll(cmd("BZPOPMIN", "nx", "0.01"), cmd("BZMPOP", "0.01", "1", "nx", "MAX"));
    }

    private static void sameScenario(BiConsumer<BlockingCommandsTest.Conns, List<String>> scenario) {
        List<String> expected = run(RedisServerProcess.shared().port(), scenario);
        List<String> actual = run(BasaltInstance.shared().port(), scenario);
        assertEquals(expected, actual);
    }

    private static List<String> run(int port, BiConsumer<BlockingCommandsTest.Conns, List<String>> scenario) {
        List<String> t = new ArrayList<>();
        try (BlockingCommandsTest.Conns c = new BlockingCommandsTest.Conns(port)) {
            scenario.accept(c, t);
        }
        return t;
    }

    @Test
    void zaddServesBlockedClientsInOrder() {
        sameScenario((c, t) -> {
            c.a.send("BZPOPMIN", "z", "5");
            c.blocked(1);
            c.b.call("HELLO", "3");
            c.b.send("BZMPOP", "5", "2", "other", "z", "MAX", "COUNT", "2");
            c.blocked(2);
            t.add(c.w.call("ZADD", "z", "1", "a", "2.5", "b", "3", "c", "4", "d").rawString());
            t.add(c.a.read().rawString());
            t.add(c.b.read().rawString());
            t.add(c.w.call("ZRANGE", "z", "0", "-1", "WITHSCORES").rawString());
            c.a.send("BZPOPMAX", "z2", "5");
            c.blocked(1);
            t.add(c.w.call("ZUNIONSTORE", "z2", "1", "z").rawString());
            t.add(c.a.read().rawString());
            c.a.send("BZPOPMAX", "z3", "0.1");
            t.add(c.a.read().rawString());
        });
    }
}
