package io.basalt.compat.server;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.DifferentialTest;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * shutdown-on-sigterm, shutdown-on-sigint (Redis 7.0's multi-argument enum of SHUTDOWN flags)
 * and shutdown-timeout: CONFIG GET/SET replies byte for byte as redis-server's, and the same
 * values given on the command line.
 */
class ShutdownConfigDifferentialTest extends DifferentialTest {
    @AfterEach
    void restore() {
        for (RawClient c : new RawClient[]{redis, basalt}) {
            c.call("CONFIG", "SET", "shutdown-on-sigterm", "default");
            c.call("CONFIG", "SET", "shutdown-on-sigint", "default");
            c.call("CONFIG", "SET", "shutdown-timeout", "10");
        }
    }

    @Test
    void signalFlags() {
        for (String p : new String[]{"shutdown-on-sigterm", "shutdown-on-sigint", "shutdown-timeout"}) same("CONFIG", "GET", p);
        for (String param : new String[]{"shutdown-on-sigterm", "shutdown-on-sigint"}) {
            for (String v : new String[]{"nosave now", "save nosave", "now force", "default", "default now", "NOW",
                    "abc", "save save", "force now nosave", "", "  save   force ", "save,now", "nosave"}) {
                same("CONFIG", "SET", param, v);
                same("CONFIG", "GET", param);
            }
            same("CONFIG", "SET", param, "now", "now");
        }
        same("CONFIG", "SET", "shutdown-on-sigterm", "save", "shutdown-on-sigint", "nosave force");
        same("CONFIG", "GET", "shutdown-on-sigterm");
        same("CONFIG", "GET", "shutdown-on-sigint");
    }

    @Test
    void timeout() {
        for (String v : new String[]{"0", "30", "-1", "abc", "2147483647", "2147483648", "1.5", ""}) {
            same("CONFIG", "SET", "shutdown-timeout", v);
            same("CONFIG", "GET", "shutdown-timeout");
        }
    }

    @Test
    void fromTheCommandLine() {
        String[] args = {"--shutdown-on-sigterm", "nosave", "now", "--shutdown-on-sigint", "force", "--shutdown-timeout", "3"};
        RedisServerProcess r = RedisServerProcess.start(args);
        BasaltInstance b = BasaltInstance.start(args);
        try (RawClient rc = new RawClient(r.port()); RawClient bc = new RawClient(b.port())) {
            // (a glob's order is Redis's dict order: each parameter by name)
            for (String p : new String[]{"shutdown-on-sigterm", "shutdown-on-sigint", "shutdown-timeout"}) {
                assertEquals(rc.call("CONFIG", "GET", p).rawString(), bc.call("CONFIG", "GET", p).rawString(), p);
            }
        } finally {
            r.stop();
            b.stop();
        }
    }
}
