package io.basalt.compat.clients;

import io.basalt.compat.harness.BasaltInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A realistic Jedis session with the client's default settings (which negotiate RESP3). */
class JedisSessionTest {
    private Jedis jedis;

    @BeforeEach
    void connect() {
        jedis = new Jedis(new HostAndPort("127.0.0.1", BasaltInstance.shared().port()),
                DefaultJedisClientConfig.builder().clientName("jedis-test").build());
        jedis.select(3);
        jedis.flushDB();
    }

    @AfterEach
    void close() {
        jedis.close();
    }

    @Test
    void stringsCountersAndTtls() {
        assertEquals("PONG", jedis.ping());
        assertEquals("OK", jedis.set("user:1:name", "Ada"));
        assertEquals("Ada", jedis.get("user:1:name"));
        assertNull(jedis.get("user:2:name"));
        assertEquals(6, jedis.append("user:1:name", " L."));
        assertEquals("Ada L.", jedis.getrange("user:1:name", 0, -1));
        assertEquals(1, jedis.incr("counter"));
        assertEquals(11, jedis.incrBy("counter", 10));
        assertEquals(10.5, jedis.incrByFloat("counter", -0.5));
        assertEquals(List.of("Ada L.", "10.5"), jedis.mget("user:1:name", "counter"));
        assertEquals("OK", jedis.set("session", "x", SetParams.setParams().ex(100)));
        long ttl = jedis.ttl("session");
        assertTrue(ttl > 95 && ttl <= 100, "ttl " + ttl);
        assertEquals(1, jedis.persist("session"));
        assertEquals(-1, jedis.ttl("session"));
        assertEquals(-2, jedis.ttl("nokey"));
        assertEquals(1, jedis.expire("session", 50));
        assertTrue(jedis.pttl("session") > 45_000);
        assertEquals("string", jedis.type("session"));
        assertEquals(2, jedis.del("session", "counter", "nokey"));
        assertFalse(jedis.exists("session"));
        assertEquals("jedis-test", jedis.clientGetname());
    }

    @Test
    void scanIteratesEverything() {
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            jedis.set("scan:" + i, "v");
            expected.add("scan:" + i);
        }
        jedis.set("other", "v");
        Set<String> seen = new HashSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> r = jedis.scan(cursor, new ScanParams().match("scan:*").count(50));
            seen.addAll(r.getResult());
            cursor = r.getCursor();
        } while (!cursor.equals("0"));
        assertEquals(expected, seen);
    }

    @Test
    void pipelining() {
        Pipeline p = jedis.pipelined();
        List<Response<Long>> incs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            p.set("p:" + i, Integer.toString(i));
            incs.add(p.incr("p:" + i));
        }
        Response<String> last = p.get("p:999");
        p.sync();
        for (int i = 0; i < 1000; i++) assertEquals(i + 1, incs.get(i).get());
        assertEquals("1000", last.get());
        assertEquals(1000, jedis.dbSize());
    }
}
