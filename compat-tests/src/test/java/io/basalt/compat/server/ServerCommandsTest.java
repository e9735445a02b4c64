package io.basalt.compat.server;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.DifferentialTest;
import io.basalt.compat.harness.RawClient;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerCommandsTest extends DifferentialTest {

    @Test
    void timeAndLastsave() {
        same("TIME", "x");
        same("LASTSAVE", "x");
        RespValue t = basalt.call("TIME");
        assertEquals(2, t.size());
        long secs = Long.parseLong(t.get(0).string());
        long micros = Long.parseLong(t.get(1).string());
        assertTrue(Math.abs(secs - System.currentTimeMillis() / 1000) <= 2);
        assertTrue(micros >= 0 && micros < 1_000_000);
        long lastsave = basalt.call("LASTSAVE").number();
        assertTrue(lastsave <= System.currentTimeMillis() / 1000 && lastsave > 1_600_000_000L);
    }

    @Test
    void flushAndDbsize() {
        sameAll(cmd("SET", "a", "1"), cmd("SET", "b", "2"), cmd("DBSIZE"), cmd("FLUSHDB", "ASYNC"), cmd("DBSIZE"),
                cmd("SET", "a", "1"), cmd("FLUSHALL", "SYNC"), cmd("DBSIZE"), cmd("FLUSHALL", "FOO"),
                cmd("FLUSHDB", "SYNC", "ASYNC"), cmd("DBSIZE", "x"));
    }

    @Test
    void shutdownArgumentErrors() {
        same("SHUTDOWN", "FOO");
        same("SHUTDOWN", "NOSAVE", "SAVE");
        same("SHUTDOWN", "ABORT");
        same("SHUTDOWN", "ABORT", "NOW");
    }

    @Test
    void shutdownStopsAPrivateServer() throws Exception {
        BasaltInstance b = BasaltInstance.start();
        try (RawClient c = new RawClient(b.port())) {
            c.send("SHUTDOWN", "NOSAVE");
            long deadline = System.currentTimeMillis() + 5000;
            while (!c.isClosedByServer() && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertTrue(c.isClosedByServer());
        }
        b.server().awaitStop();
        assertTrue(b.server().shuttingDown());
    }

    @Test
    void debugCommands() {
        same("DEBUG");
        same("DEBUG", "HELP");
        same("DEBUG", "NOSUCH");
        same("DEBUG", "SLEEP");
        same("DEBUG", "SLEEP", "0");
        same("DEBUG", "SLEEP", "abc");
        same("DEBUG", "OBJECT", "nokey");
        same("DEBUG", "OBJECT");
        same("DEBUG", "SET-ACTIVE-EXPIRE", "1");
        same("DEBUG", "POPULATE", "-1");
        same("DEBUG", "POPULATE", "3", "pfx", "4");
        same("GET", "pfx:2");
        same("DEBUG", "POPULATE", "3");
        same("GET", "key:1");
        same("DBSIZE");
        same("DEBUG", "ERROR", "FOO bar");
        for (String t : new String[]{"string", "integer", "double", "bignum", "null", "array", "set", "map",
                "attrib", "push", "verbatim", "true", "false", "nosuch"}) {
            same("DEBUG", "PROTOCOL", t);
        }
        resp3();
        for (String t : new String[]{"double", "bignum", "null", "set", "map", "attrib", "push", "verbatim", "true"}) {
            same("DEBUG", "PROTOCOL", t);
        }
    }

    @Test
    void debugObjectFormat() {
        sameAll(cmd("SET", "s", "hello"), cmd("SET", "n", "123"), cmd("SET", "big", "x".repeat(60)));
        for (String k : new String[]{"s", "n"}) {
            String r = redis.call("DEBUG", "OBJECT", k).string();
            String b = basalt.call("DEBUG", "OBJECT", k).string();
            assertEquals(r.replaceAll("at:0x[0-9a-f]+", "").replaceAll("lru:\\d+ lru_seconds_idle:\\d+", ""),
                    b.replaceAll("at:0x[0-9a-f]+", "").replaceAll("lru:\\d+ lru_seconds_idle:\\d+", ""));
        }
        String b = basalt.call("DEBUG", "OBJECT", "big").string();
        assertTrue(b.matches("Value at:0x[0-9a-f]+ refcount:1 encoding:raw serializedlength:\\d+ lru:\\d+ lru_seconds_idle:\\d+"), b);
    }

    @Test
    void debugIsDisabledByDefault() {
        BasaltInstance b = BasaltInstance.start("--enable-debug-command", "no");
        try (RawClient c = new RawClient(b.port())) {
            assertTrue(c.call("DEBUG", "SLEEP", "0").string().startsWith("ERR DEBUG command not allowed."));
        } finally {
            b.stop();
        }
    }

    @Test
    void memoryCommands() {
        same("MEMORY", "HELP");
        same("MEMORY", "NOSUCH");
        same("MEMORY", "USAGE", "nokey");
        same("MEMORY", "USAGE");
        same("SET", "k", "v");
        same("MEMORY", "USAGE", "k", "SAMPLES");
        same("MEMORY", "USAGE", "k", "SAMPLES", "abc");
        same("MEMORY", "USAGE", "k", "FOO", "1");
        // a negative count is a syntax error, found while parsing: before the key is looked up
        same("MEMORY", "USAGE", "k", "SAMPLES", "-1");
        same("MEMORY", "USAGE", "nokey", "SAMPLES", "-1");
        same("MEMORY", "USAGE", "k", "SAMPLES", "1", "SAMPLES", "-5");
        same("MEMORY", "PURGE");
        same("MEMORY", "DOCTOR");
        assertTrue(basalt.call("MEMORY", "USAGE", "k", "SAMPLES", "0").number() > 0);
        RespValue stats = basalt.call("MEMORY", "STATS");
        RespValue rstats = redis.call("MEMORY", "STATS");
        assertEquals(rstats.size(), stats.size());
        for (int i = 0; i < rstats.size(); i += 2) assertEquals(rstats.get(i).string(), stats.get(i).string());
    }
}
