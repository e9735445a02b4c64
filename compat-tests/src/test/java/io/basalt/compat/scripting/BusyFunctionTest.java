package io.basalt.compat.scripting;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A function running past busy-reply-threshold on Basalt and on redis-server alike: other clients
 * get the FUNCTION KILL flavour of -BUSY, SCRIPT KILL refuses to kill a function and FUNCTION
 * KILL an EVAL, FUNCTION STATS shows the running function (and refuses while an EVAL runs),
 * FUNCTION KILL stops it.
 */
class BusyFunctionTest {
    private static final String LIB = "#!lua name=busy\n"
            + "redis.register_function('spin', function() local i = 0 while true do i = i + 1 end end)";

    private final int[] ports = new int[2];

    @BeforeEach
    void threshold() {
        ports[0] = RedisServerProcess.shared().port();
        ports[1] = BasaltInstance.shared().port();
        BusyScriptTest.onBoth(ports, "CONFIG", "SET", "busy-reply-threshold", "100");
        BusyScriptTest.onBoth(ports, "FUNCTION", "FLUSH");
        assertEquals("busy", BusyScriptTest.onBoth(ports, "FUNCTION", "LOAD", LIB));
    }

    @AfterEach
    void restore() {
        BusyScriptTest.onBoth(ports, "CONFIG", "SET", "busy-reply-threshold", "5000");
        BusyScriptTest.onBoth(ports, "FUNCTION", "FLUSH");
    }

    private static String wire(RespValue v) {
        return BusyScriptTest.wire(v);
    }

    private String[] killFunction(int port) throws Exception {
        return BusyScriptTest.whileBusy(port, new String[] {"FCALL", "spin", "1", "key", "arg"}, (other, result) -> {
            String[] out = new String[7];
            out[0] = wire(other.call("GET", "x"));
            out[1] = wire(other.call("SCRIPT", "KILL"));
            RespValue stats = other.call("FUNCTION", "STATS");
            // duration_ms differs: the rest must not
            RespValue running = stats.get(1);
            assertTrue(running.get(5).number() >= 100, stats.toString());
            out[2] = wire(running.get(1)) + wire(running.get(3)) + wire(stats.get(3));
            out[3] = wire(other.call("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function('x', function() end)"));
            out[4] = wire(other.call("FUNCTION", "KILL"));
            out[5] = wire(result.get(10, TimeUnit.SECONDS));
            out[6] = wire(other.call("FUNCTION", "STATS"));
            return out;
        });
    }

    @Test
    void busyFunctionKilled() throws Exception {
        String[] expected = killFunction(ports[0]);
        String[] actual = killFunction(ports[1]);
        assertTrue(expected[0].contains("FUNCTION KILL"), expected[0]);
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], "step " + i);
    }

    private String[] evalBusy(int port) throws Exception {
        return BusyScriptTest.whileBusy(port, new String[] {"EVAL", "local i = 0 while true do i = i + 1 end", "0"}, (other, result) -> new String[] {
            wire(other.call("FUNCTION", "KILL")),
            wire(other.call("FUNCTION", "STATS")),
            wire(other.call("SCRIPT", "KILL")),
            wire(result.get(10, TimeUnit.SECONDS))});
    }

    @Test
    void functionCommandsWhileAnEvalIsBusy() throws Exception {
        String[] expected = evalBusy(ports[0]);
        String[] actual = evalBusy(ports[1]);
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], "step " + i);
    }
}
