package io.basalt.compat.server;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EXEC's atomicity under load: many connections (on several event loops, so really in
 * parallel) run transactions over keys spread across shards while others read, and invariants
 * that a partial or interleaved transaction would break are checked on every read: money moved
 * between accounts is never lost or created, a WATCH/MULTI/EXEC increment never loses an
 * update, and keys written together are never seen half-written.
 */
class TransactionConcurrencyTest {
    private static final int ACCOUNTS = 16;
    private static final long START = 1000;

    @BeforeEach
    void flush() {
        try (RawClient c = new RawClient(BasaltInstance.shared().port())) {
            c.call("FLUSHALL");
        }
    }

    private static String account(int i) { return "account:" + i; }

    /** Runs the workers until each is done, then the readers are stopped; failures are rethrown. */
    private static void run(List<Runnable> workers, List<Runnable> readers, AtomicBoolean stop) throws Exception {
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> ws = new ArrayList<>();
        List<Thread> rs = new ArrayList<>();
        for (Runnable w : workers) ws.add(start(w, failures));
        for (Runnable r : readers) rs.add(start(r, failures));
        for (Thread t : ws) t.join(120_000);
        stop.set(true);
        for (Thread t : rs) t.join(120_000);
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(failures.size() + " failure(s), first: " + failures.peek(), failures.peek());
            throw e;
        }
    }

    private static Thread start(Runnable r, ConcurrentLinkedQueue<Throwable> failures) {
        Thread t = new Thread(() -> {
            try {
                r.run();
            } catch (Throwable e) {
                failures.add(e);
            }
        });
        t.start();
        return t;
    }

    @Test
    void transfersBetweenAccountsOnManyShardsPreserveTheSum() throws Exception {
        int port = BasaltInstance.shared().port();
        try (RawClient c = new RawClient(port)) {
            for (int i = 0; i < ACCOUNTS; i++) c.call("SET", account(i), Long.toString(START));
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        List<Runnable> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            long seed = w;
            workers.add(() -> {
                Random rnd = new Random(seed);
                try (RawClient c = new RawClient(port)) {
                    for (int n = 0; n < 1500; n++) {
                        int from = rnd.nextInt(ACCOUNTS);
                        int to = rnd.nextInt(ACCOUNTS);
                        String amount = Integer.toString(1 + rnd.nextInt(50));
                        c.call("MULTI");
                        c.call("DECRBY", account(from), amount);
                        c.call("INCRBY", account(to), amount);
                        RespValue r = c.call("EXEC");
                        assertEquals(2, r.size(), r::rawString);
                    }
                }
            });
        }
        List<Runnable> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            boolean useMulti = r == 0;
            readers.add(() -> {
                try (RawClient c = new RawClient(port)) {
                    while (!stop.get()) {
                        long sum = 0;
                        if (useMulti) {
                            c.call("MULTI");
                            for (int i = 0; i < ACCOUNTS; i++) c.call("GET", account(i));
                            RespValue all = c.call("EXEC");
                            for (int i = 0; i < ACCOUNTS; i++) sum += Long.parseLong(all.get(i).string());
                        } else {
                            String[] mget = new String[ACCOUNTS + 1];
                            mget[0] = "MGET";
                            for (int i = 0; i < ACCOUNTS; i++) mget[i + 1] = account(i);
                            RespValue all = c.call(mget);
                            for (int i = 0; i < ACCOUNTS; i++) sum += Long.parseLong(all.get(i).string());
                        }
                        assertEquals(START * ACCOUNTS, sum, "a read saw part of a transfer");
                        reads.incrementAndGet();
                    }
                }
            });
        }
        run(workers, readers, stop);
        assertTrue(reads.get() > 0);
        try (RawClient c = new RawClient(port)) {
            long sum = 0;
            for (int i = 0; i < ACCOUNTS; i++) sum += Long.parseLong(c.call("GET", account(i)).string());
            assertEquals(START * ACCOUNTS, sum);
        }
    }

    @Test
    void watchMultiExecIncrementsLoseNoUpdate() throws Exception {
        int port = BasaltInstance.shared().port();
        AtomicLong committed = new AtomicLong();
        AtomicLong aborted = new AtomicLong();
        List<Runnable> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            workers.add(() -> {
                try (RawClient c = new RawClient(port)) {
                    int done = 0;
                    while (done < 400) {
                        // optimistic lock: read, compute, write only if nobody wrote in between
                        c.call("WATCH", "counter", "mirror");
                        RespValue v = c.call("GET", "counter");
                        long n = v.isNull() ? 0 : Long.parseLong(v.string());
                        c.call("MULTI");
                        c.call("SET", "counter", Long.toString(n + 1));
                        c.call("SET", "mirror", Long.toString(n + 1));
                        RespValue r = c.call("EXEC");
                        if (r.isNull()) {
                            aborted.incrementAndGet();
                        } else {
                            committed.incrementAndGet();
                            done++;
                        }
                    }
                }
            });
        }
        AtomicBoolean stop = new AtomicBoolean();
        run(workers, List.of(), stop);
        try (RawClient c = new RawClient(port)) {
            assertEquals(Long.toString(committed.get()), c.call("GET", "counter").string(), "lost updates");
            assertEquals(c.call("GET", "counter").string(), c.call("GET", "mirror").string());
        }
        assertEquals(1600, committed.get());
        // with four writers on one key some transactions must have been refused
        assertTrue(aborted.get() > 0, "no EXEC was ever aborted: the WATCHes were not checked");
    }

    @Test
    void keysWrittenTogetherAreNeverSeenHalfWritten() throws Exception {
        int port = BasaltInstance.shared().port();
        String[] keys = {"torn:a", "torn:b", "torn:c", "torn:d", "torn:e", "torn:f"};
        AtomicBoolean stop = new AtomicBoolean();
        List<Runnable> workers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            int id = w;
            workers.add(() -> {
                try (RawClient c = new RawClient(port)) {
                    for (int n = 0; n < 1500; n++) {
                        String v = id + ":" + n;
                        if (n % 2 == 0) {
                            c.call("MULTI");
                            for (String k : keys) c.call("SET", k, v);
                            c.call("EXEC");
                        } else {
                            String[] mset = new String[1 + 2 * keys.length];
                            mset[0] = "MSET";
                            for (int i = 0; i < keys.length; i++) {
                                mset[1 + 2 * i] = keys[i];
                                mset[2 + 2 * i] = v;
                            }
                            c.call(mset);
                        }
                    }
                }
            });
        }
        List<Runnable> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            boolean useMulti = r == 0;
            readers.add(() -> {
                try (RawClient c = new RawClient(port)) {
                    while (!stop.get()) {
                        List<String> seen = new ArrayList<>();
                        if (useMulti) {
                            c.call("MULTI");
                            for (String k : keys) c.call("GET", k);
                            RespValue all = c.call("EXEC");
                            for (int i = 0; i < keys.length; i++) seen.add(all.get(i).string());
                        } else {
                            String[] mget = new String[keys.length + 1];
                            mget[0] = "MGET";
                            System.arraycopy(keys, 0, mget, 1, keys.length);
                            RespValue all = c.call(mget);
                            for (int i = 0; i < keys.length; i++) seen.add(all.get(i).string());
                        }
                        for (String s : seen) assertEquals(seen.get(0), s, () -> "torn read " + seen);
                    }
                }
            });
        }
        run(workers, readers, stop);
    }
}
