package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Publishers on several connections (so several event loops) at once: like Redis, which runs
 * one publish at a time, every subscriber sees the same single order of messages, each
 * publisher's messages in the order it published them, and a publish's channel message and
 * pattern message next to each other.
 */
class PubSubConcurrencyTest {
    private static final int PUBLISHERS = 4;
    private static final int PER_PUBLISHER = 300;

    @Test
    void everySubscriberSeesOneGlobalOrder() throws Exception {
        int port = BasaltInstance.shared().port();
        List<RawClient> subs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RawClient s = new RawClient(port);
            s.call("SUBSCRIBE", "conc:c");
            subs.add(s);
        }
        RawClient both = new RawClient(port);
        both.call("SUBSCRIBE", "conc:c");
        both.call("PSUBSCRIBE", "conc:*");
        ExecutorService pool = Executors.newFixedThreadPool(PUBLISHERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                int publisher = p;
                done.add(pool.submit(() -> {
                    try (RawClient c = new RawClient(port)) {
                        for (int i = 0; i < PER_PUBLISHER; i++) {
                            assertEquals(5, c.call("PUBLISH", "conc:c", publisher + "-" + i).number());
                        }
                    }
                }));
            }
            for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        int total = PUBLISHERS * PER_PUBLISHER;
        List<String> first = null;
        for (RawClient s : subs) {
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                RespValue m = s.read();
                assertEquals("message", m.get(0).string());
                seen.add(m.get(2).string());
            }
            if (first == null) first = seen;
            else assertEquals(first, seen, "two subscribers saw different orders");
            s.close();
        }
        int[] next = new int[PUBLISHERS];
        for (String payload : first) {
            String[] parts = payload.split("-");
            int p = Integer.parseInt(parts[0]);
            assertEquals(next[p]++, Integer.parseInt(parts[1]), "publisher " + p + " out of order");
        }
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            RespValue m = both.read();
            RespValue pm = both.read();
            assertEquals("message", m.get(0).string());
            assertEquals("pmessage", pm.get(0).string());
            assertEquals(m.get(2).string(), pm.get(3).string(), "a publish's two messages were split");
            pairs.add(m.get(2).string());
        }
        assertEquals(first, pairs);
        assertTrue(both.call("PING").rawString().startsWith("*2"));
        both.close();
    }
}
