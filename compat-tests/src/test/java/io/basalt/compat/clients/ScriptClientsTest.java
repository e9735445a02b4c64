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

/** Jedis and Lettuce scripting as applications use it: eval, scriptLoad, evalsha, NOSCRIPT, errors. */
class ScriptClientsTest {
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
