package io.basalt.compat.server;

import io.basalt.compat.harness.DifferentialTest;
import io.basalt.compat.harness.RawClient;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlowlogCommandsTest extends DifferentialTest {

    private void both(String... cmd) {
        redis.call(cmd);
        basalt.call(cmd);
    }

    @Test
    void helpAndErrors() {
        same("SLOWLOG", "HELP");
        same("SLOWLOG", "FOO");
        same("SLOWLOG", "GET", "-2");
        same("SLOWLOG", "GET", "abc");
        same("SLOWLOG", "GET", "1", "2");
        same("SLOWLOG", "LEN", "x");
        same("SLOWLOG", "RESET", "x");
    }

    @Test
    void entriesHaveRedisShapeAndTruncation() {
        try {
            both("CONFIG", "SET", "slowlog-log-slower-than", "0");
            both("SLOWLOG", "RESET");
            String[] many = new String[40];
            many[0] = "CONFIG";
            many[1] = "GET";
            for (int i = 2; i < 40; i++) many[i] = "nosuch" + i;
            same(many);
            same("SET", "long", "y".repeat(200));
            both("CONFIG", "SET", "slowlog-log-slower-than", "10000");
            same("SLOWLOG", "LEN");
            RespValue r = redis.call("SLOWLOG", "GET", "-1");
            RespValue b = basalt.call("SLOWLOG", "GET", "-1");
            assertEquals(r.size(), b.size());
            for (int i = 0; i < r.size(); i++) {
                RespValue re = r.get(i);
                RespValue be = b.get(i);
                assertEquals(6, be.size());
                assertEquals(re.get(3).rawString(), be.get(3).rawString(), "arguments of entry " + i);
                assertEquals(re.get(5).rawString(), be.get(5).rawString());
                assertTrue(be.get(4).string().startsWith("127.0.0.1:"));
            }
            assertEquals(1, basalt.call("SLOWLOG", "GET", "1").size());
        } finally {
            both("CONFIG", "SET", "slowlog-log-slower-than", "10000");
        }
        both("SLOWLOG", "RESET");
        same("SLOWLOG", "LEN");
        same("SLOWLOG", "GET");
    }

    @Test
    void maxLenTrims() {
        try {
            basalt.call("CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "3");
            for (int i = 0; i < 10; i++) basalt.call("PING");
            assertEquals(3, basalt.call("SLOWLOG", "LEN").number());
            RespValue entries = basalt.call("SLOWLOG", "GET");
            assertTrue(entries.get(0).get(0).number() > entries.get(1).get(0).number());
        } finally {
            basalt.call("CONFIG", "SET", "slowlog-log-slower-than", "10000", "slowlog-max-len", "128");
            basalt.call("SLOWLOG", "RESET");
        }
    }
}
