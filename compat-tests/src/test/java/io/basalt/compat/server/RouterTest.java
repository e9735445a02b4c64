package io.basalt.compat.server;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.data.Slots;
import io.basalt.server.client.Client;
import io.basalt.server.exec.CommandContext;
import io.basalt.server.exec.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dispatcher's routing point, with a router standing in for cluster mode: it is asked per
 * command (after authentication, before the OOM check), for each command MULTI queues, for the
 * whole queue at EXEC, and with the keys' shards locked; its redirects are replied and counted
 * as Redis's clusterRedirectClient does (a rejected call, errorstats; a redirected command inside
 * MULTI dooms the transaction, a redirected EXEC discards it).
 */
class RouterTest {
    private static BasaltInstance basalt;
    /** Keys in this slot are served "elsewhere". */
    private static volatile int movedSlot = -1;
    /** Missing keys in this slot are "being migrated": ASK. */
    private static volatile int askSlot = -1;

    static final class TestRouter implements Router {
        @Override
        public String route(Client c, CommandContext cmd, List<CommandContext> queued) {
            if (queued != null) {
                for (CommandContext q : queued) {
                    String r = route(c, q, null);
                    if (r != null) return r;
                }
                return null;
            }
            if (cmd.slot() == CommandContext.CROSS_SLOT) return "CROSSSLOT Keys in request don't hash to the same slot";
            if (cmd.slot() >= 0 && cmd.slot() == movedSlot) return "MOVED " + cmd.slot() + " 127.0.0.1:7000";
            return null;
        }

        @Override
        public String confirmLocked(Client c, CommandContext cmd, List<CommandContext> queued) {
            if (queued != null) {
                for (CommandContext q : queued) {
                    String r = confirmLocked(c, q, null);
                    if (r != null) return r;
                }
                return null;
            }
            if (cmd.slot() < 0 || cmd.slot() != askSlot) return null;
            for (int i = 0; i < cmd.keyCount(); i++) {
                byte[] key = cmd.request().bytes(cmd.keyIndex(i));
                if (c.server().keyspace().shardOf(key).get(c.db(), key, System.currentTimeMillis()) == null) {
                    return "ASK " + cmd.slot() + " 127.0.0.1:7001";
                }
            }
            return null;
        }
    }

    private static int slot(String key) { return Slots.slot(key.getBytes(StandardCharsets.UTF_8)); }

    @BeforeAll
    static void start() {
        basalt = BasaltInstance.start("--requirepass", "pw");
        basalt.server().dispatcher().router(new TestRouter());
        movedSlot = slot("{moved}");
        askSlot = slot("{ask}");
    }

    @AfterAll
    static void stop() {
        basalt.stop();
    }

    @Test
    void redirectsAfterAuthenticationPerCommandAndCounted() {
        try (RawClient c = new RawClient(basalt.port())) {
            // authentication is checked first, as in Redis's processCommand
            assertEquals("-NOAUTH Authentication required.\r\n", c.call("GET", "{moved}a").rawString());
            c.call("AUTH", "pw");
            c.call("CONFIG", "RESETSTAT");
            assertEquals("-MOVED " + movedSlot + " 127.0.0.1:7000\r\n", c.call("GET", "{moved}a").rawString());
            assertEquals("-CROSSSLOT Keys in request don't hash to the same slot\r\n",
                    c.call("MSET", "a", "1", "b", "2").rawString());
            assertEquals("+OK\r\n", c.call("MSET", "{t}a", "1", "{t}b", "2").rawString());
            assertEquals("$1\r\n1\r\n", c.call("GET", "{t}a").rawString());
            String stats = c.call("INFO", "errorstats").string();
            assertTrue(stats.contains("errorstat_MOVED:count=1"), stats);
            assertTrue(stats.contains("errorstat_CROSSSLOT:count=1"), stats);
            String get = c.call("INFO", "commandstats").string();
            assertTrue(get.contains("cmdstat_get:calls=1,") && get.contains("rejected_calls=1,failed_calls=0"), get);
        }
    }

    @Test
    void multiQueueingAndExec() {
        try (RawClient c = new RawClient(basalt.port())) {
            c.call("AUTH", "pw");
            // a redirect while queuing dooms the transaction
            c.call("MULTI");
            assertEquals("-MOVED " + movedSlot + " 127.0.0.1:7000\r\n", c.call("SET", "{moved}a", "1").rawString());
            assertEquals("+QUEUED\r\n", c.call("SET", "x", "1").rawString());
            assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", c.call("EXEC").rawString());

            // the slot moves after queuing: EXEC is redirected as a whole, and discards
            int before = movedSlot;
            try {
                c.call("MULTI");
                assertEquals("+QUEUED\r\n", c.call("SET", "{later}a", "1").rawString());
                movedSlot = slot("{later}");
                assertEquals("-MOVED " + movedSlot + " 127.0.0.1:7000\r\n", c.call("EXEC").rawString());
                assertEquals("-ERR EXEC without MULTI\r\n", c.call("EXEC").rawString());
            } finally {
                movedSlot = before;
            }
            assertEquals("$-1\r\n", c.call("GET", "{later}a").rawString());
        }
    }

    @Test
    void lockedCheckSeesWhichKeysExist() {
        try (RawClient c = new RawClient(basalt.port())) {
            c.call("AUTH", "pw");
            assertEquals("-ASK " + askSlot + " 127.0.0.1:7001\r\n", c.call("GET", "{ask}k").rawString());
            // the key exists: served here (the router lets an existing key through)
            int before = askSlot;
            askSlot = -1;
            c.call("SET", "{ask}k", "v");
            askSlot = before;
            assertEquals("$1\r\nv\r\n", c.call("GET", "{ask}k").rawString());
            // inside EXEC the whole queue is checked with the transaction's shards locked
            c.call("MULTI");
            c.call("GET", "{ask}k");
            c.call("GET", "{ask}missing");
            assertEquals("-ASK " + askSlot + " 127.0.0.1:7001\r\n", c.call("EXEC").rawString());
            assertEquals("-ERR EXEC without MULTI\r\n", c.call("EXEC").rawString());
        }
    }
}
