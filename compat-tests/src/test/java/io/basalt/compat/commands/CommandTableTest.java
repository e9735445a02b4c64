package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespValue;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.command.CommandTable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command table: metadata for every handler, no invented commands, Redis's key finding. */
class CommandTableTest {

    @Test
    void everyRegisteredHandlerHasRedisMetadata() {
        CommandTable t = BasaltInstance.shared().server().commands();
        assertFalse(t.allSpecs().isEmpty());
        for (CommandSpec s : t.allSpecs()) {
            assertNotNull(s.info, s.name);
            assertEquals(s.name, s.info.get(0).string());
            assertNotNull(s.docs(), s.name + " has no COMMAND DOCS entry");
            assertTrue(s.arity != 0, s.name);
        }
        for (CommandSpec s : t.commands()) {
            assertTrue(s.handler() != null || s.isContainer(), s.name);
            if (s.isContainer()) {
                assertTrue(s.subcommands().values().stream().anyMatch(x -> x.handler() != null), s.name);
            }
        }
    }

    /**
     * Basalt's own commands, the only handlers allowed under names Redis 7.0 lacks. Adding one
     * means adding it here, to tools/gen-extension-metadata.py, and to the docs.
     */
    private static final Set<String> EXTENSIONS = Set.of("basalt.backup");

    @Test
    void everyRegisteredCommandIsARedisCommandOrADeclaredExtension() {
        CommandTable t = BasaltInstance.shared().server().commands();
        Set<String> extensions = new TreeSet<>();
        try (RawClient redis = new RawClient(RedisServerProcess.shared().port())) {
            for (CommandSpec s : t.commands()) {
                boolean redisHasIt = !redis.call("COMMAND", "INFO", s.name).get(0).isNull();
                assertEquals(!redisHasIt, t.isExtension(s.name), s.name);
                if (redisHasIt) continue;
                extensions.add(s.name);
                // named and described like a module command
                assertTrue(s.name.startsWith("basalt."), s.name);
                assertTrue(s.flags.contains("module"), s.name);
                assertEquals("module", s.docs().field("group").string(), s.name);
                assertEquals("basalt", s.docs().field("module").string(), s.name);
            }
        }
        assertEquals(EXTENSIONS, extensions);
    }

    @Test
    void extensionCommandsAnswerCommandInfoAndDocs() {
        try (RawClient c = new RawClient(BasaltInstance.shared().port())) {
            RespValue info = c.call("COMMAND", "INFO", "BASALT.BACKUP").get(0);
            assertEquals("basalt.backup", info.get(0).string());
            assertEquals(-2, info.get(1).number());
            List<String> flags = new ArrayList<>();
            for (RespValue f : info.get(2).elements()) flags.add(f.string());
            assertEquals(List.of("admin", "noscript", "no_multi", "module"), flags);
            RespValue docs = c.call("COMMAND", "DOCS", "basalt.backup");
            assertEquals("basalt.backup", docs.get(0).string());
            assertTrue(docs.get(1).rawString().contains("STATUS"));
        }
    }

    @Test
    void registerRejectsCommandsRedisDoesNotHave() {
        CommandTable t = new CommandTable();
        assertThrows(IllegalArgumentException.class, () -> t.register("nosuch", (c, a) -> { }));
        assertThrows(IllegalArgumentException.class, () -> t.register("client|setinfo", (c, a) -> { })); // 7.2
        assertThrows(IllegalArgumentException.class, () -> t.register("client|no-touch", (c, a) -> { })); // 7.2
        assertThrows(IllegalArgumentException.class, () -> t.register("nosuch|get", (c, a) -> { }));
        t.register("get", (c, a) -> { });
        assertThrows(IllegalStateException.class, () -> t.register("get", (c, a) -> { }));
        assertEquals(1, t.commands().size());
    }

    /**
     * Key specs applied by Basalt (to lock shards and for COMMAND GETKEYS) find the same keys
     * as Redis's COMMAND GETKEYS, for every kind of spec Redis 7.0 uses: index/range,
     * keyword-begin searches from the front and the back, keynum, limits and steps.
     */
    @Test
    void keySpecsFindTheKeysRedisFinds() {
        CommandTable t = new CommandTable(); // all of Redis 7.0's metadata, implemented or not
        String[][] cases = {
                {"get", "k"},
                {"mset", "a", "1", "b", "2", "c", "3"},
                {"mget", "a", "b", "c"},
                {"del", "a", "b"},
                {"rename", "a", "b"},
                {"lmove", "a", "b", "LEFT", "RIGHT"},
                {"blpop", "a", "b", "c", "0"},
                {"zunionstore", "dst", "2", "a", "b", "WEIGHTS", "1", "2"},
                {"zunion", "2", "a", "b"},
                {"zinterstore", "dst", "3", "a", "b", "c"},
                {"sintercard", "2", "a", "b", "LIMIT", "5"},
                {"lmpop", "2", "a", "b", "LEFT"},
                {"blmpop", "0", "2", "a", "b", "LEFT"},
                {"zmpop", "1", "a", "MIN"},
                {"eval", "return 1", "2", "k1", "k2", "a1"},
                {"evalsha", "abc", "1", "k1"},
                {"fcall", "f", "1", "k1", "arg"},
                {"xread", "COUNT", "5", "STREAMS", "s1", "s2", "0", "0"},
                {"xreadgroup", "GROUP", "g", "c", "STREAMS", "s1", "s2", "s3", ">", ">", ">"},
                {"georadius", "k", "0", "0", "10", "km", "STORE", "dst"},
                {"georadius", "k", "0", "0", "10", "km", "STOREDIST", "dst2"},
                {"object", "encoding", "k"},
                {"memory", "usage", "k"},
                {"xinfo", "stream", "s"},
                {"bitop", "AND", "dst", "a", "b"},
                {"pfcount", "a", "b"},
                {"pfmerge", "d", "a", "b"},
                {"smove", "a", "b", "m"},
                {"copy", "a", "b", "DB", "1"},
                {"sort", "k"},
                {"sort_ro", "k", "BY", "x"},
                {"migrate", "h", "1", "k", "0", "5"},
                {"set", "k", "v", "GET"},
                {"bitfield", "k", "GET", "u8", "0"},
                {"watch", "a", "b"},
        };
        try (RawClient redis = new RawClient(RedisServerProcess.shared().port())) {
            for (String[] cmd : cases) {
                String[] args = new String[cmd.length + 2];
                args[0] = "COMMAND";
                args[1] = "GETKEYS";
                System.arraycopy(cmd, 0, args, 2, cmd.length);
                RespValue expected = redis.call(args);
                RespRequest req = RespRequest.of(args);
                CommandSpec spec = t.metadata(cmd[0]);
                if (spec.isContainer()) spec = t.metadata(cmd[0] + "|" + cmd[1].toLowerCase());
                int[] pos = new int[64];
                int[] specOf = new int[64];
                int n = spec.keysAt(req, 2, pos, specOf);
                List<String> got = new ArrayList<>();
                for (int i = 0; i < n; i++) got.add(cmd[pos[i]]);
                List<String> want = new ArrayList<>();
                if (!expected.isError()) for (RespValue v : expected.elements()) want.add(v.string());
                assertEquals(want, got, String.join(" ", cmd) + " -> " + expected);
            }
        }
    }

    @Test
    void dispatcherLocksTheKeysOfMovableKeyCommandsFromTheirSpecs() {
        CommandTable t = new CommandTable();
        int[] out = new int[16];
        CommandSpec zunionstore = t.metadata("zunionstore");
        int n = zunionstore.keys(RespRequest.of("zunionstore", "d", "2", "a", "b"), out);
        assertEquals(3, n);
        assertEquals(List.of(1, 3, 4), List.of(out[0], out[1], out[2]));
        // malformed numkeys: the keys the other specs find are still locked
        n = zunionstore.keys(RespRequest.of("zunionstore", "d", "x", "a"), out);
        assertEquals(1, n);
        assertEquals(1, out[0]);
    }
}
