package io.basalt.compat.clients;

import io.basalt.compat.harness.BasaltInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisProtocol;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Jedis's JedisPubSub against Basalt, in RESP2 and RESP3: the subscriber thread blocks in
 * {@code subscribe}, gets confirmations and messages through the callbacks, adds a pattern
 * while subscribed, and returns once the last subscription is gone.
 */
class JedisPubSubTest {

    private static Jedis connect(RedisProtocol protocol) {
        return new Jedis(new HostAndPort("127.0.0.1", BasaltInstance.shared().port()),
                DefaultJedisClientConfig.builder().protocol(protocol).build());
    }

    /** Records every callback as one line. */
    private static final class Recorder extends JedisPubSub {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override public void onMessage(String channel, String message) { events.add("message " + channel + " " + message); }

        @Override public void onPMessage(String pattern, String channel, String message) {
            events.add("pmessage " + pattern + " " + channel + " " + message);
        }

        @Override public void onSubscribe(String channel, int count) { events.add("subscribe " + channel + " " + count); }

        @Override public void onUnsubscribe(String channel, int count) { events.add("unsubscribe " + channel + " " + count); }

        @Override public void onPSubscribe(String pattern, int count) { events.add("psubscribe " + pattern + " " + count); }

        @Override public void onPUnsubscribe(String pattern, int count) { events.add("punsubscribe " + pattern + " " + count); }

        @Override public void onPong(String pattern) { events.add("pong " + pattern); }

        String next() throws InterruptedException {
            String e = events.poll(5, TimeUnit.SECONDS);
            if (e == null) throw new AssertionError("no Pub/Sub callback within 5 s");
            return e;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"RESP2", "RESP3"})
    void subscribePublishPatternsAndUnsubscribe(String protocolName) throws Exception {
        RedisProtocol protocol = RedisProtocol.valueOf(protocolName);
        String p = "jedis:" + protocolName + ":";
        Recorder rec = new Recorder();
        try (Jedis subscriber = connect(protocol); Jedis publisher = connect(protocol)) {
            CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> subscriber.subscribe(rec, p + "news", p + "sport"));
            assertEquals("subscribe " + p + "news 1", rec.next());
            assertEquals("subscribe " + p + "sport 2", rec.next());
            rec.psubscribe(p + "n*");
            assertEquals("psubscribe " + p + "n* 3", rec.next());

            assertEquals(2L, publisher.publish(p + "news", "headline"));
            assertEquals(1L, publisher.publish(p + "sport", "score"));
            assertEquals(1L, publisher.publish(p + "nature", "tree"));
            assertEquals("message " + p + "news headline", rec.next());
            assertEquals("pmessage " + p + "n* " + p + "news headline", rec.next());
            assertEquals("message " + p + "sport score", rec.next());
            assertEquals("pmessage " + p + "n* " + p + "nature tree", rec.next());

            assertEquals(List.of(p + "news"), publisher.pubsubChannels(p + "ne*"));
            assertEquals(Long.valueOf(1), publisher.pubsubNumSub(p + "sport").get(p + "sport"));

            if (protocol == RedisProtocol.RESP2) {
                // PING in RESP2 subscribed mode: the pong array, which Jedis hands to onPong. (In
                // RESP3 the reply is a plain bulk that Jedis matches with a handler it queues only
                // after flushing the PING: a fast server can answer first, which Jedis 8.0.2
                // reports as "Unexpected message", against redis-server too.)
                rec.ping("hello");
                assertEquals("pong hello", rec.next());
            }

            rec.unsubscribe(p + "sport");
            assertEquals("unsubscribe " + p + "sport 2", rec.next());
            assertEquals(0L, publisher.publish(p + "sport", "nobody"));
            rec.unsubscribe();
            assertEquals("unsubscribe " + p + "news 1", rec.next());
            rec.punsubscribe();
            assertEquals("punsubscribe " + p + "n* 0", rec.next());
            // no subscription left: Jedis's subscribe loop returns
            loop.get(5, TimeUnit.SECONDS);
            assertEquals("PONG", subscriber.ping());
            assertEquals(0L, publisher.publish(p + "news", "after"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"RESP2", "RESP3"})
    void psubscribeLoopWithManyMessages(String protocolName) throws Exception {
        RedisProtocol protocol = RedisProtocol.valueOf(protocolName);
        String p = "jedis-many:" + protocolName + ":";
        Recorder rec = new Recorder();
        try (Jedis subscriber = connect(protocol); Jedis publisher = connect(protocol)) {
            CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> subscriber.psubscribe(rec, p + "*"));
            assertEquals("psubscribe " + p + "* 1", rec.next());
            for (int i = 0; i < 1000; i++) assertEquals(1L, publisher.publish(p + (i % 7), "v" + i));
            for (int i = 0; i < 1000; i++) assertEquals("pmessage " + p + "* " + p + (i % 7) + " v" + i, rec.next());
            rec.punsubscribe();
            assertEquals("punsubscribe " + p + "* 0", rec.next());
            loop.get(5, TimeUnit.SECONDS);
        }
    }
}
