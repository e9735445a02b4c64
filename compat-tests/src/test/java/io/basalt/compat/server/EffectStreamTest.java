package io.basalt.compat.server;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.server.exec.Effect;
import io.basalt.server.exec.EffectSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The write-effect stream exists whether or not the AOF is on: with {@code appendonly no}, a sink
 * subscribed to the server sees every kind of effect, each as one unit, in execution order:
 * a plain write, a handler's deterministic rewrite, a MULTI/EXEC block, a served blocking pop,
 * an active-expiry DEL, a keyless write and eviction DELs. Reads and no-op writes publish nothing.
 */
class EffectStreamTest {
    private BasaltInstance basalt;
    private final Recorder recorder = new Recorder();

    /** Every unit as "seq db:ARG ARG|db:ARG ..." (argv bytes as Latin-1). */
    private static final class Recorder implements EffectSink {
        final List<String> units = new ArrayList<>();
        long lastSeq;

        @Override
        public synchronized void accept(long seq, List<Effect> effects) {
            assertEquals(lastSeq + 1, seq, "units are numbered without gaps");
            lastSeq = seq;
            StringBuilder b = new StringBuilder();
            for (Effect e : effects) {
                if (b.length() > 0) b.append('|');
                b.append(e.db()).append(':');
                for (int i = 0; i < e.argv().length; i++) {
                    if (i > 0) b.append(' ');
                    b.append(new String(e.argv()[i], StandardCharsets.ISO_8859_1));
                }
            }
            units.add(b.toString());
        }

        synchronized List<String> take() {
            List<String> u = new ArrayList<>(units);
            units.clear();
            return u;
        }

        synchronized int size() { return units.size(); }
    }

    @BeforeEach
    void start() {
        basalt = BasaltInstance.start("--appendonly", "no", "--save", "", "--hz", "100");
        basalt.server().effects().subscribe(recorder);
    }

    @AfterEach
    void stop() {
        basalt.server().effects().unsubscribe(recorder);
        basalt.stop();
    }

    private List<String> awaitUnits(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (recorder.size() < n && System.nanoTime() < deadline) Thread.sleep(5);
        return recorder.take();
    }

    @Test
    void everyEffectTypeInExecutionOrderWithAppendonlyNo() throws Exception {
        try (RawClient c = new RawClient(basalt.port()); RawClient blocked = new RawClient(basalt.port())) {
            assertEquals("no", c.call("CONFIG", "GET", "appendonly").get(1).string());
            assertTrue(basalt.server().effects().active());

            // a write as sent; reads and no-op writes publish nothing
            c.call("SET", "a", "1");
            c.call("GET", "a");
            c.call("DEL", "missing");
            // the handler's deterministic form (SET EX -> SET PXAT)
            c.call("SET", "b", "2", "EX", "100");
            // a transaction in another database: one MULTI ... EXEC unit
            c.call("SELECT", "1");
            c.call("MULTI");
            c.call("SET", "c", "3");
            c.call("INCR", "c");
            c.call("EXEC");
            c.call("SELECT", "0");
            List<String> u = awaitUnits(3);
            assertEquals(3, u.size(), u::toString);
            assertEquals("0:SET a 1", u.get(0));
            assertTrue(u.get(1).startsWith("0:SET b 2 PXAT "), u.get(1));
            assertEquals("1:MULTI|1:SET c 3|1:INCR c|-1:EXEC", u.get(2));

            // a blocked pop served by another client's push: the push, then the pop's own unit
            blocked.send("BLPOP", "list", "0");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!c.call("CLIENT", "LIST").string().contains("cmd=blpop") && System.nanoTime() < deadline) Thread.sleep(5);
            c.call("LPUSH", "list", "x");
            assertEquals("x", blocked.read().get(1).string());
            assertEquals(List.of("0:LPUSH list x", "0:LPOP list"), awaitUnits(2));

            // active expiry: a DEL published by the server itself
            c.call("SET", "e", "1", "PX", "1");
            u = awaitUnits(2);
            assertEquals(2, u.size(), u::toString);
            assertTrue(u.get(0).startsWith("0:SET e 1 PXAT "), u.get(0));
            assertEquals("0:DEL e", u.get(1));

            // a keyless write
            c.call("FLUSHDB");
            assertEquals(List.of("0:FLUSHDB"), awaitUnits(1));

            // eviction: DELs of the keys maxmemory removed, before the write that made room
            c.call("SET", "v1", "x");
            c.call("SET", "v2", "y");
            assertEquals(2, awaitUnits(2).size());
            c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random");
            c.call("CONFIG", "SET", "maxmemory", "1");
            u = awaitUnits(2);
            assertTrue(u.contains("0:DEL v1") && u.contains("0:DEL v2"), u::toString);
            c.call("CONFIG", "SET", "maxmemory", "0");
        }
    }

    @Test
    void unsubscribedSinkSeesNothingMore() throws Exception {
        try (RawClient c = new RawClient(basalt.port())) {
            c.call("SET", "a", "1");
            assertEquals(List.of("0:SET a 1"), awaitUnits(1));
            basalt.server().effects().unsubscribe(recorder);
            assertTrue(!basalt.server().effects().active());
            c.call("SET", "a", "2");
            c.call("PING");
            Thread.sleep(50);
            assertEquals(List.of(), recorder.take());
            basalt.server().effects().subscribe(recorder);
        }
    }
}
