package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Blocking XREAD / XREADGROUP on both servers with the same sequence of clients: who is woken by
 * which XADD and with what (FIFO among group readers, all plain readers), timeouts, MULTI, and
 * the errors a deleted stream or destroyed group gives its blocked group readers.
 */
class StreamBlockingTest {

    /** Runs {@code scenario} against a server; returns the replies it collected, in order. */
    private static List<String> run(int port, Function<RawClient[], List<String>> scenario) {
        RawClient[] cs = new RawClient[4];
        try {
            for (int i = 0; i < cs.length; i++) cs[i] = new RawClient(port);
            cs[0].call("FLUSHALL");
            return scenario.apply(cs);
        } finally {
            for (RawClient c : cs) if (c != null) c.close();
        }
    }

    private static void same(Function<RawClient[], List<String>> scenario) {
        List<String> expected = run(RedisServerProcess.shared().port(), scenario);
        List<String> actual = run(BasaltInstance.shared().port(), scenario);
        assertEquals(expected, actual);
    }

    private static void pause() {
        try {
            Thread.sleep(150);
        } catch (InterruptedException e) {
            throw new RuntimeException(e);
        }
    }

    private static String r(RespValue v) { return new String(v.raw(), java.nio.charset.StandardCharsets.ISO_8859_1); }

    @Test
    void plainReadersAreAllServedByOneAdd() {
        same(c -> {
            List<String> out = new ArrayList<>();
            c[0].call("XADD", "s", "1-0", "a", "1");
            c[1].send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
            c[2].send("XREAD", "BLOCK", "0", "COUNT", "5", "STREAMS", "other", "s", "0", "1-0");
            c[3].send("XREAD", "BLOCK", "0", "STREAMS", "new", "$");
            pause();
            out.add(r(c[0].call("XADD", "s", "2-0", "b", "2")));
            out.add(r(c[1].read()));
            out.add(r(c[2].read()));
            pause();
            assertFalse(c[3].hasData());
            out.add(r(c[0].call("XADD", "new", "5-5", "c", "3"))); // a created key wakes its reader too
            out.add(r(c[3].read()));
            return out;
        });
    }

    @Test
    void groupReadersAreServedInArrivalOrder() {
        same(c -> {
            List<String> out = new ArrayList<>();
            c[0].call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
            c[1].send("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "BLOCK", "0", "STREAMS", "s", ">");
            pause();
            c[2].send("XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "s", ">");
            pause();
            c[3].send("XREADGROUP", "GROUP", "g", "carol", "NOACK", "BLOCK", "0", "STREAMS", "s", ">");
            pause();
            out.add(r(c[0].call("XADD", "s", "1-0", "a", "1")));
            out.add(r(c[1].read()));
            pause();
            out.add(String.valueOf(c[2].hasData()) + c[3].hasData());
            out.add(r(c[0].call("XADD", "s", "2-0", "b", "2", "c", "3")));
            out.add(r(c[2].read()));
            out.add(r(c[0].call("XADD", "s", "3-0", "d", "4")));
            out.add(r(c[3].read()));
            out.add(r(c[0].call("XPENDING", "s", "g")));
            out.add(r(c[0].call("XINFO", "GROUPS", "s")));
            return out;
        });
    }

    @Test
    void timeoutsAndTransactions() {
        same(c -> {
            List<String> out = new ArrayList<>();
            c[0].call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
            long t0 = System.nanoTime();
            out.add(r(c[1].call("XREAD", "BLOCK", "200", "STREAMS", "s", "$")));
            out.add(r(c[1].call("XREADGROUP", "GROUP", "g", "a", "BLOCK", "100", "STREAMS", "s", ">")));
            out.add(String.valueOf((System.nanoTime() - t0) / 1_000_000 >= 290));
            c[1].call("MULTI");
            c[1].call("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
            c[1].call("XREADGROUP", "GROUP", "g", "a", "BLOCK", "0", "STREAMS", "s", ">");
            out.add(r(c[1].call("EXEC")));
            c[1].call("HELLO", "3");
            out.add(r(c[1].call("XREAD", "BLOCK", "50", "STREAMS", "s", "$")));
            c[2].call("HELLO", "3");
            c[2].send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
            pause();
            c[0].call("XADD", "s", "7-7", "f", "v");
            out.add(r(c[2].read()));
            return out;
        });
    }

    @Test
    void aGoneStreamOrGroupEndsGroupReaders() {
        same(c -> {
            List<String> out = new ArrayList<>();
            c[0].call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
            c[0].call("XGROUP", "CREATE", "s", "h", "$");
            c[1].send("XREADGROUP", "GROUP", "g", "a", "BLOCK", "0", "STREAMS", "s", ">");
            c[2].send("XREADGROUP", "GROUP", "h", "b", "BLOCK", "0", "STREAMS", "s", ">");
            c[3].send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
            pause();
            out.add(r(c[0].call("XGROUP", "DESTROY", "s", "g")));
            out.add(r(c[1].read()));
            pause();
            out.add(String.valueOf(c[2].hasData()));
            out.add(r(c[0].call("DEL", "s")));
            out.add(r(c[2].read()));
            pause();
            out.add(String.valueOf(c[3].hasData())); // a plain reader keeps waiting
            out.add(r(c[0].call("XADD", "s", "1-0", "x", "y")));
            out.add(r(c[3].read()));
            return out;
        });
    }
}
