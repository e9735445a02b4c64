package io.basalt.compat.clients;

import io.basalt.compat.harness.BasaltInstance;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.pubsub.api.sync.RedisPubSubCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Lettuce's Pub/Sub connection and listener against Basalt, in RESP3 (Lettuce's default, push
 * frames) and RESP2 (subscribed mode): subscriptions, channel and pattern messages in order,
 * the subscription counts Lettuce reports, and unsubscribing.
 */
class LettucePubSubTest {
    private RedisClient client;
    private StatefulRedisConnection<String, String> publisherConnection;
    private RedisCommands<String, String> publisher;

    @BeforeEach
    void connect() {
        client = RedisClient.create("redis://127.0.0.1:" + BasaltInstance.shared().port());
    }

    @AfterEach
    void close() {
        if (publisherConnection != null) publisherConnection.close();
        client.shutdown(0, 1, TimeUnit.SECONDS);
    }

    /** What the listener saw, one line per event. */
    private static final class Recorder extends RedisPubSubAdapter<String, String> {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override public void message(String channel, String message) { events.add("message " + channel + " " + message); }

        @Override public void message(String pattern, String channel, String message) {
            events.add("pmessage " + pattern + " " + channel + " " + message);
        }

        @Override public void subscribed(String channel, long count) { events.add("subscribed " + channel + " " + count); }

        @Override public void psubscribed(String pattern, long count) { events.add("psubscribed " + pattern + " " + count); }

        @Override public void unsubscribed(String channel, long count) { events.add("unsubscribed " + channel + " " + count); }

        @Override public void punsubscribed(String pattern, long count) { events.add("punsubscribed " + pattern + " " + count); }

        String next() throws InterruptedException {
            String e = events.poll(5, TimeUnit.SECONDS);
            if (e == null) throw new AssertionError("no Pub/Sub event within 5 s");
            return e;
        }
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
    void listenerReceivesChannelAndPatternMessagesInOrder(ProtocolVersion protocol) throws Exception {
        client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
        publisherConnection = client.connect();
        publisher = publisherConnection.sync();
        String p = "lettuce:" + protocol + ":";
        try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub()) {
            Recorder rec = new Recorder();
            sub.addListener(rec);
            RedisPubSubCommands<String, String> cmds = sub.sync();
            cmds.subscribe(p + "a", p + "b");
            assertEquals("subscribed " + p + "a 1", rec.next());
            assertEquals("subscribed " + p + "b 2", rec.next());
            cmds.psubscribe(p + "*");
            assertEquals("psubscribed " + p + "* 3", rec.next());

            Map<String, Long> numsub = publisher.pubsubNumsub(p + "a", p + "c");
            assertEquals(1L, numsub.get(p + "a"));
            assertEquals(0L, numsub.get(p + "c"));
            assertEquals(List.of(p + "b"), publisher.pubsubChannels(p + "b"));

            assertEquals(2L, publisher.publish(p + "a", "one"));
            assertEquals(1L, publisher.publish(p + "c", "two"));
            assertEquals(2L, publisher.publish(p + "b", "three"));
            assertEquals(0L, publisher.publish("lettuce:elsewhere", "nobody"));
            assertEquals("message " + p + "a one", rec.next());
            assertEquals("pmessage " + p + "* " + p + "a one", rec.next());
            assertEquals("pmessage " + p + "* " + p + "c two", rec.next());
            assertEquals("message " + p + "b three", rec.next());
            assertEquals("pmessage " + p + "* " + p + "b three", rec.next());

            // many messages from another thread arrive complete and in publish order
            for (int i = 0; i < 500; i++) publisher.publish(p + "a", "m" + i);
            for (int i = 0; i < 500; i++) {
                assertEquals("message " + p + "a m" + i, rec.next());
                assertEquals("pmessage " + p + "* " + p + "a m" + i, rec.next());
            }

            cmds.unsubscribe(p + "a");
            assertEquals("unsubscribed " + p + "a 2", rec.next());
            cmds.punsubscribe(p + "*");
            assertEquals("punsubscribed " + p + "* 1", rec.next());
            assertEquals(1L, publisher.publish(p + "b", "still"));
            assertEquals("message " + p + "b still", rec.next());
            assertEquals(0L, publisher.publish(p + "a", "gone"));
            cmds.unsubscribe(p + "b");
            assertEquals("unsubscribed " + p + "b 0", rec.next());
            // and the connection is an ordinary one again
            assertEquals("PONG", cmds.ping());
            assertNull(rec.events.poll(100, TimeUnit.MILLISECONDS));
        }
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
    void shardChannels(ProtocolVersion protocol) throws Exception {
        client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
        publisherConnection = client.connect();
        publisher = publisherConnection.sync();
        String ch = "lettuce-shard:" + protocol;
        try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub()) {
            BlockingQueue<String> got = new LinkedBlockingQueue<>();
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override public void ssubscribed(String channel, long count) { got.add("ssubscribed " + channel + " " + count); }

                @Override public void smessage(String channel, String message) { got.add("smessage " + channel + " " + message); }
            });
            sub.sync().ssubscribe(ch);
            assertEquals("ssubscribed " + ch + " 1", got.poll(5, TimeUnit.SECONDS));
            assertEquals(1L, publisher.spublish(ch, "hi"));
            assertEquals("smessage " + ch + " hi", got.poll(5, TimeUnit.SECONDS));
            assertEquals(1L, publisher.pubsubShardNumsub(ch).get(ch));
        }
    }
}
