package io.basalt.compat.scripting;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A script running past busy-reply-threshold, on Basalt and on redis-server alike: other clients
 * get -BUSY, SCRIPT KILL stops a script that has not written (its caller gets the kill error),
 * and a script that wrote is UNKILLABLE; afterwards both servers answer again.
 */
class BusyScriptTest {
    private static final String LOOP = "local i = 0 while true do i = i + 1 end";
    /** Writes, then runs for two seconds (it ends on its own: it cannot be killed). */
    private static final String WRITE_THEN_LOOP = "redis.call('set', 'busy:w', 1) local s = tonumber(redis.call('time')[1]) "
            + "while tonumber(redis.call('time')[1]) < s + 2 do end return 'done'";

    private final int[] ports = new int[2];

    @BeforeEach
    void threshold() {
        ports[0] = RedisServerProcess.shared().port();
        ports[1] = BasaltInstance.shared().port();
        onBoth(ports, "CONFIG", "SET", "busy-reply-threshold", "100");
    }

    @AfterEach
    void restore() {
        onBoth(ports, "CONFIG", "SET", "busy-reply-threshold", "5000");
    }

    /** Runs {@code cmd} on each server, requiring the same reply: Basalt's (the last) as a string. */
    static String onBoth(int[] ports, String... cmd) {
        RespValue first = null;
        RespValue last = null;
        for (int port : ports) {
            try (RawClient c = new RawClient(port)) {
                last = c.call(cmd);
            }
            if (first == null) first = last;
            else assertEquals(wire(first), wire(last), String.join(" ", cmd));
        }
        return last.string();
    }

    static String wire(RespValue v) {
        return new String(v.raw(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** What the other client does while the runner's command is busy: the replies it compares. */
    interface Steps {
        String[] play(RawClient other, CompletableFuture<RespValue> runner) throws Exception;
    }

    /**
     * Sends {@code cmd} on a connection of its own, gives it 400 ms to go busy, then plays
     * {@code steps} as another client (which may wait for the runner's reply).
     */
    static String[] whileBusy(int port, String[] cmd, Steps steps) throws Exception {
        RawClient runner = new RawClient(port);
        CompletableFuture<RespValue> result = CompletableFuture.supplyAsync(() -> runner.call(cmd));
        Thread.sleep(400);
        try (RawClient other = new RawClient(port)) {
            return steps.play(other, result);
        } finally {
            runner.close();
        }
    }

    /** Starts the script on one connection, then plays the other clients on fresh ones. */
    private String[] killable(int port) throws Exception {
        return whileBusy(port, new String[] {"EVAL", LOOP, "0"}, (other, result) -> new String[] {
            wire(other.call("GET", "x")),
            wire(other.call("PING")),
            wire(other.call("SCRIPT", "KILL")),
            wire(result.get(10, TimeUnit.SECONDS)),
            wire(other.call("PING"))});
    }

    @Test
    void busyThenKilled() throws Exception {
        String[] expected = killable(ports[0]);
        String[] actual = killable(ports[1]);
        assertTrue(expected[0].startsWith("-BUSY"), expected[0]);
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], "step " + i);
    }

    private String[] unkillable(int port) throws Exception {
        RawClient runner = new RawClient(port);
        runner.call("CONFIG", "SET", "busy-reply-threshold", "100");
        CompletableFuture<RespValue> result = CompletableFuture.supplyAsync(() -> runner.call("EVAL", WRITE_THEN_LOOP, "0"));
        Thread.sleep(400);
        String[] out = new String[4];
        try (RawClient other = new RawClient(port)) {
            out[0] = wire(other.call("SET", "y", "1"));
            out[1] = wire(other.call("SCRIPT", "KILL"));
            out[2] = wire(result.get(10, TimeUnit.SECONDS));
            out[3] = wire(other.call("GET", "busy:w"));
        } finally {
            runner.close();
        }
        return out;
    }

    @Test
    void unkillableAfterAWrite() throws Exception {
        String[] expected = unkillable(ports[0]);
        String[] actual = unkillable(ports[1]);
        assertTrue(expected[1].startsWith("-UNKILLABLE"), expected[1]);
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], "step " + i);
    }

    /** Loops only when its key says so: short until then (Basalt runs it inline once proven short). */
    private static final String LOOP_ON_DEMAND = "if redis.call('get', KEYS[1]) == 'loop' then local i = 0 while true do i = i + 1 end end return 1";

    private String[] turnsLong(int port) throws Exception {
        try (RawClient c = new RawClient(port)) {
            c.call("SET", "busy:k", "x");
            for (int i = 0; i < 12; i++) assertEquals(":1\r\n", wire(c.call("EVAL", LOOP_ON_DEMAND, "1", "busy:k")));
            c.call("SET", "busy:k", "loop");
        }
        return whileBusy(port, new String[] {"EVAL", LOOP_ON_DEMAND, "1", "busy:k"}, (other, result) -> new String[] {
            wire(other.call("SCRIPT", "KILL")),
            wire(result.get(10, TimeUnit.SECONDS)),
            wire(other.call("PING"))});
    }

    /**
     * A script that ran short many times and then loops (Basalt runs proven-short scripts on the
     * caller's event loop): a new connection still gets in and kills it, as on redis-server.
     */
    @Test
    void aShortScriptThatTurnsLongIsKilled() throws Exception {
        String[] expected = turnsLong(ports[0]);
        String[] actual = turnsLong(ports[1]);
        assertEquals("+OK\r\n", expected[0]);
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], "step " + i);
    }

    @Test
    void notBusy() {
        for (int port : ports) {
            try (RawClient c = new RawClient(port)) {
                assertEquals("-NOTBUSY No scripts in execution right now.\r\n", wire(c.call("SCRIPT", "KILL")));
            }
        }
    }
}
