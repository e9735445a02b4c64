package io.basalt.compat.clients;

import io.basalt.compat.harness.BasaltInstance;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A realistic Lettuce session with default settings: HELLO 3, RESP3 replies. */
class LettuceSessionTest {
    private RedisClient client;
    private StatefulRedisConnection<String, String> conn;
    private RedisCommands<String, String> sync;

    @BeforeEach
    void connect() {
        client = RedisClient.create("redis://127.0.0.1:" + BasaltInstance.shared().port() + "/4");
        conn = client.connect();
        sync = conn.sync();
        sync.flushdb();
    }

    @AfterEach
    void close() {
        conn.close();
        client.shutdown(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void stringsCountersAndTtls() {
        assertEquals("OK", sync.set("k", "v"));
        assertEquals("v", sync.get("k"));
        assertNull(sync.get("missing"));
        assertEquals(3L, sync.incrby("n", 3));
        assertEquals(2.5, sync.incrbyfloat("n", -0.5));
        assertEquals("OK", sync.set("t", "v", SetArgs.Builder.px(90_000)));
        assertTrue(sync.pttl("t") > 80_000);
        assertEquals(true, sync.expire("t", 10));
        assertTrue(sync.ttl("t") <= 10);
        assertEquals("v", sync.getdel("k"));
        assertEquals(0L, sync.exists("k"));
        assertEquals(2L, sync.strlen("t") + 1);
        assertEquals("string", sync.type("t"));
    }

    @Test
    void scanAndPipelinedAsync() throws Exception {
        RedisAsyncCommands<String, String> async = conn.async();
        conn.setAutoFlushCommands(false);
        List<RedisFuture<String>> sets = new ArrayList<>();
        for (int i = 0; i < 300; i++) sets.add(async.set("key:" + i, "value" + i));
        conn.flushCommands();
        for (RedisFuture<String> f : sets) assertEquals("OK", f.get(5, TimeUnit.SECONDS));
        conn.setAutoFlushCommands(true);

        Set<String> seen = new HashSet<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> r = sync.scan(cursor, ScanArgs.Builder.limit(40).match("key:*"));
            seen.addAll(r.getKeys());
            cursor = r;
        } while (!cursor.isFinished());
        assertEquals(300, seen.size());
        assertEquals(300L, sync.dbsize());
        assertEquals("value7", sync.get("key:7"));
    }
}
