package io.basalt.compat.commands;

import io.basalt.server.client.ClientPause;
import io.basalt.server.command.CommandFlags;
import io.basalt.server.command.CommandTable;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which commands CLIENT PAUSE holds back. The WRITE lists were taken from redis-server 7.0.15
 * by pausing it and seeing which commands waited.
 */
class ClientPauseTest {
    private final CommandTable table = new CommandTable();

    @Test
    void writePauseHoldsWritesAndMayReplicateCommands() {
        ClientPause p = new ClientPause();
        p.pause(System.currentTimeMillis() + 60_000, ClientPause.WRITE);
        for (String held : new String[]{"publish", "spublish", "pfcount", "eval", "evalsha", "fcall",
                "function|flush", "swapdb", "expire", "xreadgroup", "set", "del"}) {
            assertTrue(p.holds(table.metadata(held).is(CommandFlags.PAUSED_BY_WRITE)), held);
        }
        for (String free : new String[]{"eval_ro", "fcall_ro", "script|load", "script|flush", "script|exists",
                "function|list", "ping", "get", "config|get", "config|set", "save", "bgrewriteaof", "multi", "exec",
                "watch", "subscribe", "memory|usage", "object|freq", "touch", "sort_ro", "client|kill",
                "client|unpause", "slowlog|reset", "latency|reset", "config|resetstat"}) {
            assertFalse(p.holds(table.metadata(free).is(CommandFlags.PAUSED_BY_WRITE)), free);
        }
    }

    @Test
    void allPauseHoldsEverythingAndTheMostRestrictiveTypeWins() {
        ClientPause p = new ClientPause();
        p.pause(System.currentTimeMillis() + 60_000, ClientPause.ALL);
        p.pause(System.currentTimeMillis() + 10, ClientPause.WRITE);
        assertEquals(ClientPause.ALL, p.type());
        assertTrue(p.holds(table.metadata("ping").is(CommandFlags.PAUSED_BY_WRITE)));
        assertTrue(p.holds(table.metadata("client|unpause").is(CommandFlags.PAUSED_BY_WRITE)));
        p.unpause();
        assertEquals(ClientPause.NONE, p.type());
        assertFalse(p.holds(table.metadata("set").is(CommandFlags.PAUSED_BY_WRITE)));
    }

    @Test
    void pauseEndsByItself() throws Exception {
        ClientPause p = new ClientPause();
        p.pause(System.currentTimeMillis() + 100, ClientPause.ALL);
        assertTrue(p.holds(table.metadata("get").is(CommandFlags.PAUSED_BY_WRITE)));
        Thread.sleep(150);
        assertFalse(p.holds(table.metadata("get").is(CommandFlags.PAUSED_BY_WRITE)));
        // a pause that has ended does not make a later, less restrictive one stricter
        p.pause(System.currentTimeMillis() + 60_000, ClientPause.WRITE);
        assertEquals(ClientPause.WRITE, p.type());
        // a zero timeout pauses nothing
        ClientPause z = new ClientPause();
        z.pause(0, ClientPause.ALL);
        assertEquals(ClientPause.NONE, z.type());
    }
}
