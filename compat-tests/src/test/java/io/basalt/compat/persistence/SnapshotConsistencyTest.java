package io.basalt.compat.persistence;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.data.Entries;
import io.basalt.data.Keyspace;
import io.basalt.data.ListValue;
import io.basalt.data.Shard;
import io.basalt.data.StringRecord;
import io.basalt.persistence.KeyspaceLoader;
import io.basalt.persistence.RdbLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * BGSAVE is point-in-time while writers keep running: transactions increment pairs of counters
 * on different shards and move elements between lists during the snapshot; the file must hold
 * every pair equal and the total number of list elements unchanged, as if the server had paused.
 */
class SnapshotConsistencyTest {
    @TempDir
    Path tmp;

    static final int PAIRS = 2000;
    static final int LISTS = 50;
    static final int PER_LIST = 20;

    @Test
    void bgsaveUnderConcurrentWritesIsPointInTime() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "snap");
        BasaltInstance b = BasaltInstance.start("--dir", dir.toString(), "--io-threads", "4");
        try (RawClient c = new RawClient(b.port())) {
            // filler so that the snapshot takes a while
            c.call("DEBUG", "POPULATE", "100000", "filler", "32");
            for (int i = 0; i < LISTS; i++) {
                String[] cmd = new String[2 + PER_LIST];
                cmd[0] = "RPUSH";
                cmd[1] = "list:" + i;
                for (int k = 0; k < PER_LIST; k++) cmd[2 + k] = "e" + i + "-" + k;
                c.call(cmd);
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong ops = new AtomicLong();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int seed = w;
                Thread t = new Thread(() -> {
                    Random r = new Random(seed);
                    try (RawClient wc = new RawClient(b.port())) {
                        while (!stop.get()) {
                            int i = r.nextInt(PAIRS);
                            wc.call("MULTI");
                            wc.call("INCR", "x:" + i);
                            wc.call("DEL", "filler:" + r.nextInt(100000));
                            wc.call("INCR", "y:" + i);
                            wc.call("EXEC");
                            // LMOVE between two lists, usually on two shards
                            wc.call("LMOVE", "list:" + r.nextInt(LISTS), "list:" + r.nextInt(LISTS), "LEFT", "RIGHT");
                            ops.incrementAndGet();
                        }
                    }
                });
                t.start();
                writers.add(t);
            }
            Thread.sleep(100);
            long before = ops.get();
            assertEquals("Background saving started", c.call("BGSAVE").string());
            assertEquals("ERR Background save already in progress", c.call("BGSAVE").string());
            // as Redis: SCHEDULE only waits for an AOF rewrite, never for another BGSAVE
            assertEquals("ERR Background save already in progress", c.call("BGSAVE", "SCHEDULE").string());
            waitForBgsave(c);
            long during = ops.get() - before;
            stop.set(true);
            for (Thread t : writers) t.join();
            assertTrue(during > 0, "writers made progress during the snapshot");
            assertTrue(c.call("INFO", "persistence").string().contains("rdb_last_bgsave_status:ok"));

            Keyspace ks = new Keyspace(16, 4);
            try (InputStream in = Files.newInputStream(dir.resolve("dump.rdb"))) {
                RdbLoader.load(new java.io.BufferedInputStream(in), new KeyspaceLoader(ks, false));
            }
            for (int i = 0; i < PAIRS; i++) {
                assertEquals(counter(ks, "x:" + i), counter(ks, "y:" + i), "pair " + i);
            }
            long elements = 0;
            for (int i = 0; i < LISTS; i++) {
                Object e = peek(ks, "list:" + i);
                if (e != null) elements += ((ListValue) e).size();
            }
            assertEquals((long) LISTS * PER_LIST, elements);
        } finally {
            b.stop();
        }
    }

    static void waitForBgsave(RawClient c) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (c.call("INFO", "persistence").string().contains("rdb_bgsave_in_progress:1")) {
            assertTrue(System.currentTimeMillis() < deadline, "BGSAVE did not finish");
            Thread.sleep(10);
        }
    }

    static Object peek(Keyspace ks, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        Shard s = ks.shardOf(k);
        s.lock();
        try {
            return s.peek(0, k);
        } finally {
            s.unlock();
        }
    }

    static long counter(Keyspace ks, String key) {
        Object e = peek(ks, key);
        if (e == null) return 0;
        assertTrue(Entries.isString(e));
        return Long.parseLong(new String(StringRecord.value((byte[]) e), StandardCharsets.US_ASCII));
    }
}
