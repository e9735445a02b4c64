package io.basalt.compat.clients;

import io.basalt.compat.harness.BasaltInstance;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.Tuple;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The collection types used the way applications use them, through Jedis and Lettuce defaults. */
class CollectionsSessionTest {

    @Test
    void jedisLeaderboardAndTags() {
        try (Jedis j = new Jedis(new HostAndPort("127.0.0.1", BasaltInstance.shared().port()),
                DefaultJedisClientConfig.builder().build())) {
            j.select(5);
            j.flushDB();
            for (int i = 0; i < 200; i++) j.zadd("board", i * 1.5, "player:" + i);
            assertEquals(200, j.zcard("board"));
            List<Tuple> top = j.zrevrangeWithScores("board", 0, 2);
            assertEquals("player:199", top.get(0).getElement());
            assertEquals(298.5, top.get(0).getScore());
            assertEquals(3, top.size());
            assertEquals(Long.valueOf(0), j.zrevrank("board", "player:199"));
            assertEquals(301.0, j.zincrby("board", 100, "player:134"));
            assertEquals(Long.valueOf(0), j.zrevrank("board", "player:134"));
            assertEquals("skiplist", j.objectEncoding("board"));

            assertEquals(3, j.sadd("tags:post:1", "java", "redis", "cache"));
            assertEquals(2, j.sadd("tags:post:2", "redis", "go"));
            assertEquals(Set.of("redis"), j.sinter("tags:post:1", "tags:post:2"));
            assertEquals(Set.of("java", "redis", "cache", "go"), j.sunion("tags:post:1", "tags:post:2"));
            assertTrue(j.sismember("tags:post:1", "cache"));

            assertEquals(2, j.rpush("recent", "a", "b"));
            assertEquals(3, j.lpush("recent", "c"));
            assertEquals(List.of("c", "a", "b"), j.lrange("recent", 0, -1));
            assertEquals("OK", j.ltrim("recent", 0, 1));
            assertEquals(List.of("c", "a"), j.lrange("recent", 0, -1));
        }
    }

    @Test
    void lettuceSessionsInHashesWithTtls() {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + BasaltInstance.shared().port() + "/6");
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            RedisCommands<String, String> r = conn.sync();
            r.flushdb();
            r.hset("session:abc", Map.of("user", "ada", "cart", "3", "theme", "dark"));
            assertTrue(r.expire("session:abc", 1800));
            assertEquals("ada", r.hget("session:abc", "user"));
            assertEquals(5L, r.hincrby("session:abc", "cart", 2));
            assertEquals(Map.of("user", "ada", "cart", "5", "theme", "dark"), r.hgetall("session:abc"));
            assertTrue(r.ttl("session:abc") > 1700);
            assertEquals(1L, r.hdel("session:abc", "theme"));
            assertNull(r.hget("session:abc", "theme"));
            assertEquals("listpack", r.objectEncoding("session:abc"));

            r.zadd("lb", ScoredValue.just(10, "x"), ScoredValue.just(20, "y"));
            List<ScoredValue<String>> withScores = r.zrevrangeWithScores("lb", 0, -1);
            assertEquals("y", withScores.get(0).getValue());
            assertEquals(20.0, withScores.get(0).getScore());
            assertEquals(2L, r.lpush("q", "job1", "job2"));
            assertEquals("job1", r.rpop("q"));
        } finally {
            client.shutdown(0, 1, TimeUnit.SECONDS);
        }
    }
}
