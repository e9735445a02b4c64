package io.basalt.compat.clients;

import io.basalt.compat.harness.BasaltInstance;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keyspace notifications as real clients use them. Spring Session's Redis repository enables
 * them itself with {@code CONFIG SET notify-keyspace-events Egx} and listens on
 * {@code __keyevent@*__:expired} and {@code __keyevent@*__:del} to clean up sessions; the same
 * with Lettuce (RESP3 push frames) and Jedis (RESP2).
 */
class KeyspaceEventsClientTest {
    private RedisClient client;
    private StatefulRedisConnection<String, String> conn;
    private RedisCommands<String, String> sync;
    private StatefulRedisPubSubConnection<String, String> pubsub;

    @BeforeEach
    void connect() {
        client = RedisClient.create("redis://127.0.0.1:" + BasaltInstance.shared().port() + "/6");
        conn = client.connect();
        sync = conn.sync();
        sync.flushdb();
    }

    @AfterEach
    void close() {
        sync.configSet("notify-keyspace-events", "");
        if (pubsub != null) pubsub.close();
        conn.close();
        client.shutdown(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void lettuceSpringSessionStyleExpiredAndDeletedEvents() throws Exception {
        // what Spring Session's ConfigureNotifyKeyspaceEventsAction does
        String current = sync.configGet("notify-keyspace-events").get("notify-keyspace-events");
        assertEquals("", current);
        assertEquals("OK", sync.configSet("notify-keyspace-events", "Egx"));
        assertEquals("gxE", sync.configGet("notify-keyspace-events").get("notify-keyspace-events"));

        BlockingQueue<String[]> received = new LinkedBlockingQueue<>();
        pubsub = client.connectPubSub();
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String pattern, String channel, String message) {
                received.add(new String[] {pattern, channel, message});
            }
        });
        pubsub.sync().psubscribe("__keyevent@6__:expired", "__keyevent@6__:del");

        sync.set("spring:session:sessions:expires:1", "", SetArgs.Builder.px(50));
        sync.set("spring:session:sessions:2", "v");
        sync.del("spring:session:sessions:2");
        // a string event: not enabled by Egx
        sync.set("other", "v");

        String[] del = received.poll(5, TimeUnit.SECONDS);
        assertEquals(List.of("__keyevent@6__:del", "__keyevent@6__:del", "spring:session:sessions:2"), List.of(del));
        // nobody reads the key: the active expiry cycle removes it and publishes the event
        String[] expired = received.poll(5, TimeUnit.SECONDS);
        assertEquals(List.of("__keyevent@6__:expired", "__keyevent@6__:expired", "spring:session:sessions:expires:1"),
                List.of(expired));
        assertNull(received.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void jedisKeyspaceChannelsOverResp2() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onPMessage(String pattern, String channel, String message) {
                received.add(channel + " " + message);
            }
        };
        sync.configSet("notify-keyspace-events", "K$hx");
        Thread t = new Thread(() -> {
            try (Jedis j = new Jedis(new HostAndPort("127.0.0.1", BasaltInstance.shared().port()),
                    DefaultJedisClientConfig.builder().build())) {
                j.psubscribe(listener, "__keyspace@6__:*");
            }
        });
        t.start();
        try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", BasaltInstance.shared().port()),
                DefaultJedisClientConfig.builder().database(6).build())) {
            // wait for the subscription to be in place
            for (int i = 0; i < 200 && !listener.isSubscribed(); i++) Thread.sleep(10);
            assertTrue(listener.isSubscribed());
            jedis.set("user", "a");
            jedis.hset("profile", "name", "x");
            jedis.lpush("list", "ignored: no l class");
            jedis.incrBy("counter", 2);
            jedis.psetex("short", 30, "v");
            assertEquals("__keyspace@6__:user set", received.poll(5, TimeUnit.SECONDS));
            assertEquals("__keyspace@6__:profile hset", received.poll(5, TimeUnit.SECONDS));
            assertEquals("__keyspace@6__:counter incrby", received.poll(5, TimeUnit.SECONDS));
            assertEquals("__keyspace@6__:short set", received.poll(5, TimeUnit.SECONDS));
            assertEquals("__keyspace@6__:short expired", received.poll(5, TimeUnit.SECONDS));
        } finally {
            listener.punsubscribe();
            t.join(5000);
        }
    }
}
