package io.basalt.compat.clients;

import io.basalt.compat.harness.BasaltInstance;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.support.caching.CacheAccessor;
import io.lettuce.core.support.caching.CacheFrontend;
import io.lettuce.core.support.caching.ClientSideCaching;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lettuce's client-side cache ({@code ClientSideCaching} over a map) against Basalt: values
 * are served from the local map after the first read, and a write by another connection evicts
 * them through Basalt's RESP3 invalidation push, default and BCAST modes.
 */
class LettuceClientSideCachingTest {
    private RedisClient client;
    private StatefulRedisConnection<String, String> cacheConnection;
    private StatefulRedisConnection<String, String> writerConnection;
    private RedisCommands<String, String> writer;

    @BeforeEach
    void connect() {
        client = RedisClient.create("redis://127.0.0.1:" + BasaltInstance.shared().port());
        cacheConnection = client.connect();
        writerConnection = client.connect();
        writer = writerConnection.sync();
        writer.flushall();
    }

    @AfterEach
    void close() {
        cacheConnection.close();
        writerConnection.close();
        client.shutdown(0, 1, TimeUnit.SECONDS);
    }

    private static void awaitGone(Map<String, String> map, String key) throws InterruptedException {
        for (int i = 0; i < 200 && map.containsKey(key); i++) Thread.sleep(10);
    }

    @Test
    void aWriteByAnotherClientEvictsTheCachedValue() throws Exception {
        Map<String, String> map = new ConcurrentHashMap<>();
        CacheFrontend<String, String> cache = ClientSideCaching.enable(CacheAccessor.forMap(map), cacheConnection,
                TrackingArgs.Builder.enabled());
        try {
            writer.set("user:1", "alice");
            assertEquals("alice", cache.get("user:1"));
            assertEquals("alice", map.get("user:1"));
            // served from the map while nothing changes
            assertEquals("alice", cache.get("user:1"));
            writer.set("user:1", "bob");
            awaitGone(map, "user:1");
            assertFalse(map.containsKey("user:1"), "the invalidation did not evict the cached value");
            assertEquals("bob", cache.get("user:1"));
            writer.del("user:1");
            awaitGone(map, "user:1");
            assertFalse(map.containsKey("user:1"));
        } finally {
            cache.close();
        }
    }

    @Test
    void broadcastModeEvictsKeysUnderThePrefix() throws Exception {
        Map<String, String> map = new ConcurrentHashMap<>();
        CacheFrontend<String, String> cache = ClientSideCaching.enable(CacheAccessor.forMap(map), cacheConnection,
                TrackingArgs.Builder.enabled().bcast().prefixes("cfg:"));
        try {
            writer.set("cfg:a", "1");
            writer.set("other", "1");
            assertEquals("1", cache.get("cfg:a"));
            assertEquals("1", cache.get("other"));
            writer.set("cfg:a", "2");
            awaitGone(map, "cfg:a");
            assertFalse(map.containsKey("cfg:a"));
            writer.set("other", "2");
            Thread.sleep(100);
            // outside the prefix: nothing is sent, the stale value stays (BCAST tracks prefixes only)
            assertTrue(map.containsKey("other"));
            assertEquals("2", cache.get("cfg:a"));
        } finally {
            cache.close();
        }
    }
}
