package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.DifferentialTest;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client-side caching (CLIENT TRACKING) against redis-server 7.0: the tracking connection
 * ({@code redis}/{@code basalt}) reads keys, a writer connection changes them, and every byte the
 * tracking connection receives (replies and invalidation pushes, in order) must be the same.
 * Default mode, NOLOOP, OPTIN/OPTOUT with CLIENT CACHING, BCAST with prefixes, RESP2 redirection
 * to a Pub/Sub connection, flushes, transactions, expiry, broken redirections, and the option
 * errors and introspection replies.
 */
class TrackingTest extends DifferentialTest {
    @AfterEach
    void restoreConfig() {
        for (RawClient c : new RawClient[] {redis, basalt}) {
            c.call("CONFIG", "SET", "tracking-table-max-keys", "1000000");
            c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1");
        }
    }

    /** The writer (the other client) runs a command on both servers (replies compared). */
    private void write(String... cmd) {
        other(cmd);
    }

    /** Everything that arrives on the tracking connections until they are quiet, compared. */
    private void samePushes() {
        assertEquals(pending(redis), pending(basalt), "pushes to the tracking client");
    }

    private static String pending(RawClient c) {
        StringBuilder sb = new StringBuilder();
        long quietUntil = System.currentTimeMillis() + 150;
        while (System.currentTimeMillis() < quietUntil) {
            if (c.hasData()) {
                sb.append(c.read().rawString()).append(" | ");
                quietUntil = System.currentTimeMillis() + 150;
            } else {
                sleep(5);
            }
        }
        return sb.toString();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void readKeysAreInvalidatedOnceWhenAnotherClientWritesThem() {
        resp3();
        sameAll(cmd("CLIENT", "TRACKING", "on"), cmd("GET", "k"), cmd("MGET", "a", "b"), cmd("HGET", "h", "f"));
        write("SET", "k", "1");
        samePushes();
        write("MSET", "a", "1", "b", "2");
        samePushes();
        write("HSET", "h", "f", "v");
        samePushes();
        // not read again: no second invalidation
        write("SET", "k", "2");
        samePushes();
        same("PING");
        sameAll(cmd("GET", "k"), cmd("TYPE", "k"));
        write("DEL", "k");
        samePushes();
    }

    @Test
    void ownWritesAreInvalidatedAfterTheReplyUnlessNoloop() {
        resp3();
        sameAll(cmd("CLIENT", "TRACKING", "on"), cmd("GET", "k"));
        redis.send("SET", "k", "v");
        basalt.send("SET", "k", "v");
        samePushes();
        sameAll(cmd("CLIENT", "TRACKING", "on", "NOLOOP"), cmd("GET", "k"), cmd("SET", "k", "w"));
        samePushes();
        write("SET", "k", "x");
        samePushes();
    }

    @Test
    void insideMultiTheInvalidationsFollowTheExecReply() {
        resp3();
        sameAll(cmd("CLIENT", "TRACKING", "on"), cmd("GET", "k"), cmd("GET", "j"), cmd("MULTI"), cmd("SET", "k", "1"),
                cmd("SET", "j", "2"), cmd("GET", "k"));
        redis.send("EXEC");
        basalt.send("EXEC");
        samePushes();
    }

    @Test
    void optinTracksOnlyAfterCachingYes() {
        resp3();
        sameAll(cmd("CLIENT", "TRACKING", "on", "OPTIN"), cmd("GET", "k"));
        write("SET", "k", "1");
        samePushes();
        sameAll(cmd("CLIENT", "CACHING", "yes"), cmd("CLIENT", "TRACKINGINFO"), cmd("GET", "k"), cmd("GET", "j"));
        write("SET", "k", "2");
        write("SET", "j", "2");
        samePushes();
        sameAll(cmd("CLIENT", "CACHING", "yes"), cmd("MULTI"), cmd("GET", "k"), cmd("GET", "j"), cmd("EXEC"));
        write("MSET", "k", "3", "j", "3");
        samePushes();
    }

    @Test
    void optoutSkipsOnlyAfterCachingNo() {
        resp3();
        sameAll(cmd("CLIENT", "TRACKING", "on", "OPTOUT"), cmd("CLIENT", "CACHING", "no"), cmd("CLIENT", "TRACKINGINFO"),
                cmd("GET", "k"), cmd("GET", "j"));
        write("SET", "k", "1");
        write("SET", "j", "1");
        samePushes();
    }

    @Test
    void bcastSendsTheChangedKeysUnderEachPrefix() {
        resp3();
        sameAll(cmd("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:", "PREFIX", "cart:"), cmd("CLIENT", "TRACKINGINFO"));
        write("SET", "user:1", "a");
        samePushes();
        write("MSET", "user:2", "b", "cart:9", "c", "other", "d");
        samePushes();
        sameAll(cmd("SET", "user:3", "mine"));
        samePushes();
        sameAll(cmd("CLIENT", "TRACKING", "on", "BCAST", "NOLOOP", "PREFIX", "x:"), cmd("CLIENT", "TRACKINGINFO"),
                cmd("SET", "user:4", "mine"));
        samePushes();
        sameAll(cmd("CLIENT", "TRACKING", "off"), cmd("CLIENT", "TRACKING", "on", "BCAST"), cmd("CLIENT", "TRACKINGINFO"));
        write("SET", "anything", "1");
        samePushes();
    }

    @Test
    void resp2RedirectsToAPubSubConnection() {
        // the tracking connection redirects to the writer connection, subscribed to __redis__:invalidate
        long rid = redis2().call("CLIENT", "ID").number();
        long bid = basalt2().call("CLIENT", "ID").number();
        write("SUBSCRIBE", "__redis__:invalidate");
        assertEquals(redis.call("CLIENT", "TRACKING", "on", "REDIRECT", Long.toString(rid)).rawString(),
                basalt.call("CLIENT", "TRACKING", "on", "REDIRECT", Long.toString(bid)).rawString());
        assertEquals(redis.call("CLIENT", "GETREDIR").number(), rid);
        assertEquals(basalt.call("CLIENT", "GETREDIR").number(), bid);
        sameAll(cmd("GET", "k"), cmd("SET", "k", "v"));
        assertEquals(pending(redis2()), pending(basalt2()));
        sameAll(cmd("GET", "k"), cmd("FLUSHALL"));
        assertEquals(pending(redis2()), pending(basalt2()));
    }

    @Test
    void flushInvalidatesEverything() {
        resp3();
        sameAll(cmd("CLIENT", "TRACKING", "on"), cmd("GET", "k"));
        write("FLUSHDB");
        samePushes();
        redis.send("FLUSHALL");
        basalt.send("FLUSHALL");
        samePushes();
        // the table was emptied: no invalidation for a key read before the flush
        sameAll(cmd("SELECT", "0"));
        write("SET", "k", "after");
        samePushes();
    }

    @Test
    void expiredKeysAreInvalidated() {
        resp3();
        write("DEBUG", "SET-ACTIVE-EXPIRE", "0");
        write("SET", "k", "v", "PX", "30");
        sameAll(cmd("CLIENT", "TRACKING", "on"), cmd("GET", "k"));
        sleep(80);
        write("GET", "k"); // lazy expiry by another client
        samePushes();
        write("DEBUG", "SET-ACTIVE-EXPIRE", "1");
        write("SET", "j", "v", "PX", "30");
        same("GET", "j");
        sleep(400); // the active cycle removes it
        samePushes();
    }

    @Test
    void aRedirectionToAClientThatLeftIsReportedInResp3() {
        RawClient r = new RawClient(RedisServerProcess.shared().port());
        RawClient b = new RawClient(BasaltInstance.shared().port());
        long rid = r.call("CLIENT", "ID").number();
        long bid = b.call("CLIENT", "ID").number();
        resp3();
        redis.call("CLIENT", "TRACKING", "on", "REDIRECT", Long.toString(rid));
        basalt.call("CLIENT", "TRACKING", "on", "REDIRECT", Long.toString(bid));
        same("GET", "k");
        r.close();
        b.close();
        sleep(100);
        write("SET", "k", "1");
        String redisPushes = pending(redis).replace(":" + rid + "\r\n", ":ID\r\n");
        String basaltPushes = pending(basalt).replace(":" + bid + "\r\n", ":ID\r\n");
        assertEquals(redisPushes, basaltPushes);
        String info = basalt.call("CLIENT", "TRACKINGINFO").rawString();
        assertEquals(redis.call("CLIENT", "TRACKINGINFO").rawString().replace(":" + rid + "\r\n", ":ID\r\n"),
                info.replace(":" + bid + "\r\n", ":ID\r\n"));
        assertTrue(basalt.call("CLIENT", "INFO").string().contains("flags=tR"));
    }

    @Test
    void optionErrorsAndIntrospection() {
        sameAll(cmd("CLIENT", "GETREDIR"), cmd("CLIENT", "TRACKINGINFO"),
                cmd("CLIENT", "CACHING", "yes"),
                cmd("CLIENT", "TRACKING", "maybe"),
                cmd("CLIENT", "TRACKING", "on", "NOSUCH"),
                cmd("CLIENT", "TRACKING", "on", "REDIRECT"),
                cmd("CLIENT", "TRACKING", "on", "REDIRECT", "abc"),
                cmd("CLIENT", "TRACKING", "on", "REDIRECT", "987654"),
                cmd("CLIENT", "TRACKING", "on", "PREFIX", "a"),
                cmd("CLIENT", "TRACKING", "on", "BCAST", "OPTIN"),
                cmd("CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"),
                cmd("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab", "PREFIX", "a"),
                cmd("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "b"),
                cmd("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "abc"),
                cmd("CLIENT", "TRACKINGINFO"),
                cmd("CLIENT", "TRACKING", "on"),
                cmd("CLIENT", "TRACKING", "off"),
                cmd("CLIENT", "TRACKING", "on", "OPTIN"),
                cmd("CLIENT", "TRACKING", "on", "OPTOUT"),
                cmd("CLIENT", "CACHING", "no"),
                cmd("CLIENT", "CACHING", "maybe"),
                cmd("CLIENT", "CACHING", "yes"),
                cmd("CLIENT", "TRACKINGINFO"),
                cmd("CLIENT", "GETREDIR"),
                cmd("CLIENT", "TRACKING", "off"),
                cmd("CLIENT", "TRACKINGINFO"));
        resp3();
        sameAll(cmd("CLIENT", "TRACKING", "on", "OPTOUT", "NOLOOP"), cmd("CLIENT", "CACHING", "no"),
                cmd("CLIENT", "TRACKINGINFO"), cmd("CLIENT", "TRACKING", "off"));
    }

    @Test
    void theTableStaysWithinTrackingTableMaxKeys() {
        resp3();
        basalt.call("CONFIG", "SET", "tracking-table-max-keys", "2");
        basalt.call("CLIENT", "TRACKING", "on");
        // sent without reading: the invalidations of evicted keys come between the replies
        for (int i = 0; i < 10; i++) basalt.send("GET", "key:" + i);
        basalt.send("PING");
        List<String> pushes = new ArrayList<>();
        for (String p : pending(basalt).split(" \\| ")) if (p.startsWith(">2")) pushes.add(p);
        assertTrue(pushes.size() >= 7, pushes::toString);
        String info = basalt.call("INFO", "stats").string();
        assertTrue(info.contains("tracking_total_keys:2") || info.contains("tracking_total_keys:1")
                || info.contains("tracking_total_keys:0"), info);
    }
}
