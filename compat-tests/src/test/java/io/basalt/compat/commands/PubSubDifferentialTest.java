package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pub/Sub against redis-server: every connection is opened on both servers ({@link Pair}) and
 * every frame each one receives (replies, confirmations, messages, in RESP2 and RESP3) must be
 * byte-identical, in the same order. The one order Redis leaves to chance is that of several
 * patterns matching one publish (its pattern dict is hashed with a random seed): those
 * pmessages are compared as a multiset, after the channel's message which always comes first.
 * Channel names are unique per test, since the servers are shared.
 */
class PubSubDifferentialTest {
    private final List<Pair> open = new ArrayList<>();

    /** One connection to each server, used in lockstep. */
    final class Pair {
        final RawClient redis = new RawClient(RedisServerProcess.shared().port());
        final RawClient basalt = new RawClient(BasaltInstance.shared().port());

        Pair() { open.add(this); }

        /** Sends a command to both and compares the first frame each returns. */
        RespValue same(String... cmd) {
            redis.send(cmd);
            basalt.send(cmd);
            return next(String.join(" ", cmd));
        }

        /** Sends a command to both and compares the next {@code n} frames. */
        void same(int n, String... cmd) {
            redis.send(cmd);
            basalt.send(cmd);
            for (int i = 0; i < n; i++) next(String.join(" ", cmd) + " (frame " + (i + 1) + ")");
        }

        /** Reads the next frame from both and compares it. */
        RespValue next(String what) {
            RespValue expected = redis.read();
            RespValue actual = basalt.read();
            assertEquals(expected.rawString(), actual.rawString(), what);
            return actual;
        }

        /** Reads {@code n} frames from both and compares them as multisets. */
        void nextUnordered(int n, String what) {
            List<String> expected = new ArrayList<>();
            List<String> actual = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                expected.add(redis.read().rawString());
                actual.add(basalt.read().rawString());
            }
            expected.sort(null);
            actual.sort(null);
            assertEquals(expected, actual, what);
        }

        /**
         * Nothing else is pending on either connection: a PING's reply is the very next frame
         * (in RESP2 subscribed mode, its pong array).
         */
        void nothingPending() {
            same("PING", "sentinel");
        }
    }

    @AfterEach
    void close() {
        for (Pair p : open) {
            p.redis.close();
            p.basalt.close();
        }
    }

    private Pair resp3() {
        Pair p = new Pair();
        p.redis.call("HELLO", "3");
        p.basalt.call("HELLO", "3");
        return p;
    }

    // ---------------------------------------------------------------- confirmations and counts

    @Test
    void subscribeAndUnsubscribeConfirmations() {
        Pair s = new Pair();
        s.same("UNSUBSCRIBE");
        s.same("PUNSUBSCRIBE");
        s.same("SUNSUBSCRIBE");
        s.same(1, "UNSUBSCRIBE", "conf:never");
        s.same(3, "SUBSCRIBE", "conf:a", "conf:b", "conf:a");
        s.same(2, "PSUBSCRIBE", "conf:p*", "conf:q?");
        s.same(2, "SSUBSCRIBE", "conf:s1", "conf:s2");
        // shard subscriptions count apart from channels and patterns
        s.same(1, "SUBSCRIBE", "conf:c");
        s.same(2, "UNSUBSCRIBE", "conf:b", "conf:nope");
        s.same(2, "PUNSUBSCRIBE", "conf:nope", "conf:q?");
        s.same(1, "SUNSUBSCRIBE", "conf:s2");
        s.same(1, "PUNSUBSCRIBE");
        s.same(1, "SUNSUBSCRIBE");
        // still subscribed to conf:a and conf:c: subscribed mode goes on
        s.same("GET", "k");
        s.same(1, "UNSUBSCRIBE", "conf:a");
        s.same(1, "UNSUBSCRIBE");
        // subscribed to nothing: a normal connection again, and the mass unsubscribes say so
        s.same("UNSUBSCRIBE");
        s.same("PUNSUBSCRIBE");
        s.same("GET", "k");
        s.same("PING");
    }

    @Test
    void unsubscribeWithoutArgumentsWhileOnlyOnPatterns() {
        Pair s = new Pair();
        s.same("PSUBSCRIBE", "onlyp:*");
        s.same("UNSUBSCRIBE"); // no channel: null name, count still 1 (the pattern)
        s.same("SUNSUBSCRIBE"); // shard count 0
        s.same("SSUBSCRIBE", "onlyp:s");
        s.same("PUNSUBSCRIBE"); // count 0 while a shard channel keeps subscribed mode
        s.same("GET", "x");
        s.same("SUNSUBSCRIBE");
        s.same("GET", "x");
    }

    @Test
    void argumentErrors() {
        Pair s = new Pair();
        s.same("SUBSCRIBE");
        s.same("PSUBSCRIBE");
        s.same("SSUBSCRIBE");
        s.same("PUBLISH", "a");
        s.same("PUBLISH", "a", "b", "c");
        s.same("SPUBLISH", "a");
        s.same("PUBSUB");
        s.same("PUBSUB", "nope");
        s.same("PUBSUB", "HELP");
        s.same("PUBSUB", "help", "x");
        s.same("PUBSUB", "CHANNELS", "a", "b");
        s.same("PUBSUB", "SHARDCHANNELS", "a", "b");
        s.same("PUBSUB", "NUMPAT", "x");
        s.same("PUBSUB", "NUMSUB");
        s.same("PUBSUB", "SHARDNUMSUB");
    }

    // ---------------------------------------------------------------- delivery and order

    @Test
    void messagesOnSeveralChannelsAndAPatternArriveInPublishOrder() {
        Pair sub = new Pair();
        Pair pub = new Pair();
        sub.same(2, "SUBSCRIBE", "ord:1", "ord:2");
        sub.same("PSUBSCRIBE", "ord:*");
        String[][] publishes = {
                {"ord:1", "a"}, {"ord:2", "b"}, {"ord:3", "c"}, {"other", "d"}, {"ord:1", ""},
                {"ord:2", "bin\r\n\u0000x"}, {"ord:33", "e"}, {"ord:1", "f"}};
        int frames = 0;
        for (String[] p : publishes) {
            RespValue n = pub.same("PUBLISH", p[0], p[1]);
            frames += (int) n.number();
        }
        // the channel's message first, then the pattern's, per publish, publishes in order
        for (int i = 0; i < frames; i++) sub.next("message " + i);
        sub.nothingPending();
        pub.same("PUBLISH", "ord:nobody-listens-here-but-the-pattern", "z");
        sub.next("pmessage only");
    }

    @Test
    void channelAndSeveralMatchingPatterns() {
        Pair sub = new Pair();
        Pair pub = new Pair();
        sub.same("SUBSCRIBE", "multi:x");
        sub.same(3, "PSUBSCRIBE", "multi:*", "*:x", "m?lti:[xy]");
        pub.same("PUBLISH", "multi:x", "hello"); // 4 receivers
        sub.next("the channel message comes first");
        sub.nextUnordered(3, "one pmessage per matching pattern");
        pub.same("PUBLISH", "multi:y", "two"); // multi:* and m?lti:[xy]
        sub.nextUnordered(2, "pmessages");
        sub.nothingPending();
    }

    @Test
    void severalSubscribersOfOneChannel() {
        Pair a = new Pair();
        Pair b = new Pair();
        Pair pub = new Pair();
        a.same("SUBSCRIBE", "many:c");
        b.same("SUBSCRIBE", "many:c");
        b.same("PSUBSCRIBE", "many:*");
        pub.same("PUBSUB", "NUMSUB", "many:c", "many:none");
        pub.same("PUBLISH", "many:c", "m1");
        a.next("a message");
        b.same(0, "PING");
        b.next("b message");
        b.next("b pmessage");
        b.next("b pong");
        a.same("UNSUBSCRIBE");
        pub.same("PUBLISH", "many:c", "m2");
        pub.same("PUBSUB", "NUMSUB", "many:c");
        b.next("b message 2");
        b.next("b pmessage 2");
    }

    @Test
    void resp3SubscriberGetsItsOwnMessagesBeforeThePublishReply() {
        Pair s = resp3();
        s.same("SUBSCRIBE", "self:x");
        s.same("PSUBSCRIBE", "self:*");
        s.same(3, "PUBLISH", "self:x", "mine"); // message, pmessage, then :2
        s.same(2, "PUBLISH", "self:y", "mine too"); // pmessage, then :1
        s.same("PUBLISH", "elsewhere", "x");
        s.same("SSUBSCRIBE", "self:s");
        s.same(2, "SPUBLISH", "self:s", "shard"); // smessage, then :1
        // RESP3 clients may run anything while subscribed
        s.same("SET", "self:key", "v");
        s.same("GET", "self:key");
        s.same("DEL", "self:key");
        s.same("PING");
        s.same("PING", "x");
        s.same("CLIENT", "GETNAME");
    }

    @Test
    void resp3MessagesFromAnotherPublisher() {
        Pair s = resp3();
        Pair pub = new Pair();
        s.same(2, "SUBSCRIBE", "r3:a", "r3:b");
        s.same("PSUBSCRIBE", "r3:?");
        pub.same("PUBLISH", "r3:a", "1");
        pub.same("PUBLISH", "r3:b", "2");
        pub.same("PUBLISH", "r3:c", "3");
        for (int i = 0; i < 5; i++) s.next("push " + i);
        s.nothingPending();
        s.same(2, "UNSUBSCRIBE", "r3:a", "r3:b");
        s.same("PUNSUBSCRIBE");
        s.same("UNSUBSCRIBE");
    }

    @Test
    void pushesSurviveClientReplyOff() {
        Pair s = resp3();
        Pair pub = new Pair();
        s.redis.send("CLIENT", "REPLY", "OFF");
        s.basalt.send("CLIENT", "REPLY", "OFF");
        s.same("SUBSCRIBE", "off:x"); // the confirmation is a push: sent
        s.same("PUBLISH", "off:x", "self"); // the message is sent, the :1 reply is not
        pub.same("PUBLISH", "off:x", "other");
        s.next("message from another client");
        s.redis.send("CLIENT", "REPLY", "ON");
        s.basalt.send("CLIENT", "REPLY", "ON");
        s.next("+OK");
        s.redis.send("CLIENT", "REPLY", "SKIP");
        s.basalt.send("CLIENT", "REPLY", "SKIP");
        s.same("PUBLISH", "off:x", "skipped reply");
        s.same("PING");
    }

    // ---------------------------------------------------------------- subscribed mode (RESP2)

    @Test
    void resp2SubscribedModeAllowsOnlyPubSubCommands() {
        Pair s = new Pair();
        s.same("SUBSCRIBE", "mode:x");
        s.same("GET", "k");
        s.same("SET", "k", "v");
        s.same("PUBLISH", "mode:x", "m");
        s.same("CLIENT", "LIST");
        s.same("CLIENT", "ID");
        s.same("CONFIG", "GET", "maxmemory");
        s.same("HELLO", "3");
        s.same("HELLO");
        s.same("SELECT", "1");
        s.same("PUBSUB", "NUMPAT");
        // lookup and arity come first
        s.same("NOSUCH", "x");
        s.same("GET");
        s.same("PING");
        s.same("PING", "hello");
        s.same("PING", "a", "b");
        s.same("PSUBSCRIBE", "mode:*");
        s.same("SSUBSCRIBE", "mode:s");
        s.same("RESET");
        s.same("GET", "k");
        s.same("PING");
        s.same("SUBSCRIBE", "mode:y");
        s.same("QUIT");
        assertTrue(s.basalt.isClosedByServer());
        assertTrue(s.redis.isClosedByServer());
    }

    @Test
    void helloSwitchesProtocolWhileSubscribed() {
        Pair s = resp3();
        Pair pub = new Pair();
        s.same("SUBSCRIBE", "hello:x");
        RespValue r = s.basalt.call("HELLO", "2");
        s.redis.call("HELLO", "2");
        assertEquals('*', r.type());
        // now a RESP2 client with a subscription: subscribed mode, RESP2 messages
        s.same("GET", "k");
        s.same("PING");
        pub.same("PUBLISH", "hello:x", "as resp2");
        s.next("RESP2 message");
        s.same("HELLO", "3");
        s.same("UNSUBSCRIBE");
        s.same("GET", "k");
    }

    @Test
    void clientListShowsSubscriptionsAndFlag() {
        Pair s = resp3();
        Pair other = new Pair();
        s.same(2, "SUBSCRIBE", "cl:a", "cl:b");
        s.same("PSUBSCRIBE", "cl:*");
        s.same("SSUBSCRIBE", "cl:s");
        assertEquals(fields(s.redis.call("CLIENT", "INFO")), fields(s.basalt.call("CLIENT", "INFO")));
        String redisId = String.valueOf(s.redis.call("CLIENT", "ID").number());
        String basaltId = String.valueOf(s.basalt.call("CLIENT", "ID").number());
        // seen from another connection, and listed under TYPE pubsub
        assertEquals(fields(other.redis.call("CLIENT", "LIST", "ID", redisId)),
                fields(other.basalt.call("CLIENT", "LIST", "ID", basaltId)));
        assertTrue(other.basalt.call("CLIENT", "LIST", "TYPE", "pubsub").string().contains("id=" + basaltId + " "));
        s.same("RESET");
        assertEquals(fields(s.redis.call("CLIENT", "INFO")), fields(s.basalt.call("CLIENT", "INFO")));
        assertTrue(!other.basalt.call("CLIENT", "LIST", "TYPE", "pubsub").string().contains("id=" + basaltId + " "));
        assertTrue(other.basalt.call("CLIENT", "LIST", "TYPE", "normal").string().contains("id=" + basaltId + " "));
    }

    private static final Pattern FIELDS = Pattern.compile("(flags|sub|psub|ssub|resp)=(\\S*)");

    /** The Pub/Sub-related fields of CLIENT INFO / LIST lines. */
    private static String fields(Object reply) {
        String text = reply instanceof RespValue v ? v.string() : (String) reply;
        StringBuilder sb = new StringBuilder();
        Matcher m = FIELDS.matcher(text);
        while (m.find()) sb.append(m.group()).append(' ');
        return sb.toString();
    }

    // ---------------------------------------------------------------- introspection

    @Test
    void pubsubIntrospection() {
        Pair a = new Pair();
        Pair b = new Pair();
        Pair q = new Pair();
        q.same("PUBSUB", "CHANNELS", "intro:*");
        q.same("PUBSUB", "NUMSUB", "intro:a");
        a.same(2, "SUBSCRIBE", "intro:a", "intro:b");
        b.same("SUBSCRIBE", "intro:a");
        a.same("PSUBSCRIBE", "intro:*");
        b.same("PSUBSCRIBE", "intro:*");
        q.same("PUBSUB", "NUMSUB", "intro:a", "intro:b", "intro:c", "intro:a");
        q.same("PUBSUB", "CHANNELS", "intro:b");
        q.same("PUBSUB", "CHANNELS", "intro:[ab]x");
        assertEquals(sortedStrings(q.redis.call("PUBSUB", "CHANNELS", "intro:*")),
                sortedStrings(q.basalt.call("PUBSUB", "CHANNELS", "intro:*")));
        b.same("SSUBSCRIBE", "intro:s");
        q.same("PUBSUB", "SHARDCHANNELS", "intro:*");
        q.same("PUBSUB", "SHARDNUMSUB", "intro:s", "intro:a");
        q.same("PUBSUB", "NUMSUB", "intro:s");
        a.same("UNSUBSCRIBE", "intro:b");
        q.same("PUBSUB", "CHANNELS", "intro:b");
        q.same("PUBSUB", "NUMSUB", "intro:a", "intro:b");
        // a closed connection leaves every channel it had
        b.redis.close();
        b.basalt.close();
        a.nothingPending(); // both servers have processed a's commands; b's close is asynchronous
        waitFor(() -> q.basalt.call("PUBSUB", "NUMSUB", "intro:a").get(1).number() == 1);
        waitFor(() -> q.redis.call("PUBSUB", "NUMSUB", "intro:a").get(1).number() == 1);
        q.same("PUBSUB", "SHARDCHANNELS", "intro:*");
        q.same("PUBSUB", "NUMSUB", "intro:a");
    }

    @Test
    void numpatCountsDistinctPatterns() {
        Pair a = new Pair();
        Pair b = new Pair();
        Pair q = new Pair();
        // NUMPAT is server-wide: other tests' connections may still be closing, so what is
        // compared is the change this test makes, from a settled start
        long redisBase = settled(q.redis);
        long basaltBase = settled(q.basalt);
        a.same(2, "PSUBSCRIBE", "np:a*", "np:b*");
        b.same("PSUBSCRIBE", "np:a*");
        assertEquals(2, q.redis.call("PUBSUB", "NUMPAT").number() - redisBase);
        assertEquals(2, q.basalt.call("PUBSUB", "NUMPAT").number() - basaltBase);
        a.same("PUNSUBSCRIBE", "np:a*");
        assertEquals(2, q.basalt.call("PUBSUB", "NUMPAT").number() - basaltBase); // b still has np:a*
        b.same("PUNSUBSCRIBE");
        assertEquals(1, q.redis.call("PUBSUB", "NUMPAT").number() - redisBase);
        assertEquals(1, q.basalt.call("PUBSUB", "NUMPAT").number() - basaltBase);
        a.same("PUNSUBSCRIBE");
        assertEquals(0, q.basalt.call("PUBSUB", "NUMPAT").number() - basaltBase);
        assertEquals(0, q.redis.call("PUBSUB", "NUMPAT").number() - redisBase);
    }

    /** PUBSUB NUMPAT once it stopped changing (connections of earlier tests are gone). */
    private static long settled(RawClient c) {
        long last = -1;
        for (int i = 0; i < 100; i++) {
            long n = c.call("PUBSUB", "NUMPAT").number();
            if (n == last) return n;
            last = n;
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return last;
    }

    // ---------------------------------------------------------------- shard channels

    @Test
    void shardChannels() {
        Pair s = new Pair();
        Pair pub = new Pair();
        s.same(3, "SSUBSCRIBE", "{sh}a", "{sh}b", "other-slot");
        s.same("PSUBSCRIBE", "*");
        pub.same("SPUBLISH", "{sh}a", "1"); // shard messages ignore patterns
        s.next("smessage");
        pub.same("PUBLISH", "{sh}a", "2"); // an ordinary publish reaches the pattern only
        s.next("pmessage");
        pub.same("SPUBLISH", "nobody", "3");
        pub.same("SPUBLISH", "other-slot", "4");
        s.next("smessage other slot");
        pub.same("PUBSUB", "SHARDNUMSUB", "{sh}a", "{sh}c");
        s.same(2, "SUNSUBSCRIBE", "{sh}a", "{sh}zz");
        s.same("PUNSUBSCRIBE");
        s.same("GET", "x"); // still subscribed (shard channels)
        s.same("SUNSUBSCRIBE", "other-slot");
        // a mass unsubscribe of several names goes in Redis's hash order: only one is left here
        s.same("SUNSUBSCRIBE");
        s.same("GET", "x");
    }

    // ---------------------------------------------------------------- helpers

    private static List<String> sortedStrings(RespValue v) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) out.add(v.get(i).string());
        out.sort(null);
        return out;
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) {
        long deadline = System.currentTimeMillis() + 5000;
        while (!condition.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < deadline, "condition not met in 5 s");
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
