package io.basalt.compat.clients;

import io.basalt.compat.harness.BasaltInstance;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jedis and Lettuce scripting as applications use it: eval, scriptLoad, evalsha, NOSCRIPT, errors;
 * functions: functionLoad, fcall, fcallReadonly, functionList, functionStats, dump and restore.
 */
class ScriptClientsTest {
    private static final String LIB = "#!lua name=clientlib\n"
            + "redis.register_function('add', function(keys, args) return redis.call('incrby', keys[1], args[1]) end)\n"
            + "redis.register_function{function_name='get_ro', callback=function(keys) return redis.call('get', keys[1]) end,"
            + " flags={'no-writes'}, description='reads'}";

    @Test
    void jedisFunctions() {
        try (Jedis j = new Jedis("127.0.0.1", BasaltInstance.shared().port())) {
            j.select(7);
            j.flushDB();
            j.functionFlush();
            assertEquals("clientlib", j.functionLoad(LIB));
            assertEquals(4L, j.fcall("add", List.of("n"), List.of("4")));
            assertEquals("4", j.fcallReadonly("get_ro", List.of("n"), List.of()));
            JedisDataException e = assertThrows(JedisDataException.class, () -> j.fcallReadonly("add", List.of("n"), List.of("1")));
            assertTrue(e.getMessage().startsWith("ERR Can not execute a script with write flag using *_ro command."), e.getMessage());
            redis.clients.jedis.resps.LibraryInfo info = j.functionListWithCode("clientlib").get(0);
            assertEquals("clientlib", info.getLibraryName());
            assertEquals("LUA", info.getEngine());
            assertEquals(LIB, info.getLibraryCode());
            assertEquals(2, info.getFunctions().size());
            assertEquals(1L, j.functionStats().getEngines().get("LUA").get("libraries_count"));
            byte[] dump = j.functionDump();
            assertEquals("OK", j.functionFlush());
            assertEquals("OK", j.functionRestore(dump));
            assertEquals(6L, j.fcall("add", List.of("n"), List.of("2")));
            assertEquals("OK", j.functionDelete("clientlib"));
        }
    }

    @Test
    void lettuceFunctions() {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + BasaltInstance.shared().port() + "/8");
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            RedisCommands<String, String> r = conn.sync();
            r.flushdb();
            r.functionFlush(io.lettuce.core.FlushMode.SYNC);
            assertEquals("clientlib", r.functionLoad(LIB));
            assertEquals("clientlib", r.functionLoad(LIB, true));
            Long n = r.fcall("add", ScriptOutputType.INTEGER, new String[] {"n"}, "3");
            assertEquals(3L, n);
            assertEquals("3", r.fcallReadOnly("get_ro", ScriptOutputType.VALUE, "n"));
            assertEquals("clientlib", r.functionList().get(0).get("library_name"));
            assertEquals("OK", r.functionRestore(r.functionDump(), io.lettuce.core.FunctionRestoreMode.REPLACE));
            assertEquals("OK", r.functionFlush(io.lettuce.core.FlushMode.SYNC));
        } finally {
            client.shutdown();
        }
    }
    @Test
    void jedis() {
        try (Jedis j = new Jedis("127.0.0.1", BasaltInstance.shared().port())) {
            j.select(5);
            j.flushDB();
            assertEquals(2L, j.eval("return redis.call('incrby', KEYS[1], ARGV[1])", List.of("n"), List.of("2")));
            String sha = j.scriptLoad("return {KEYS[1], ARGV[1], 3}");
            assertEquals(List.of("k", "v", 3L), j.evalsha(sha, List.of("k"), List.of("v")));
            assertEquals(List.of(true, false), j.scriptExists(sha, "0000000000000000000000000000000000000000"));
            assertThrows(JedisNoScriptException.class, () -> j.evalsha("0000000000000000000000000000000000000000", 0));
            JedisDataException e = assertThrows(JedisDataException.class, () -> j.eval("return redis.call('nosuch')"));
            assertTrue(e.getMessage().startsWith("ERR Unknown Redis command called from script"), e.getMessage());
            assertEquals("OK", j.scriptFlush());
        }
    }

    @Test
    void lettuce() {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + BasaltInstance.shared().port() + "/6");
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            RedisCommands<String, String> r = conn.sync();
            r.flushdb();
            Long n = r.eval("return redis.call('incrby', KEYS[1], ARGV[1])", ScriptOutputType.INTEGER, new String[] {"n"}, "5");
            assertEquals(5L, n);
            String sha = r.scriptLoad("return redis.call('get', KEYS[1])");
            assertEquals("5", r.evalsha(sha, ScriptOutputType.VALUE, "n"));
            assertEquals(sha, r.digest("return redis.call('get', KEYS[1])"));
            assertEquals(List.of("a", "b"), r.eval("return {'a', 'b'}", ScriptOutputType.MULTI));
            assertEquals("OK", r.eval("return redis.status_reply('OK')", ScriptOutputType.STATUS));
        } finally {
            client.shutdown();
        }
    }
}
