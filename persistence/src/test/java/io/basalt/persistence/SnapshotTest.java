package io.basalt.persistence;

import io.basalt.data.Entries;
import io.basalt.data.Keyspace;
import io.basalt.data.ListValue;
import io.basalt.data.Shard;
import io.basalt.data.Snapshot;
import io.basalt.data.StringRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Serialize-before-write in isolation: a snapshot walked in small steps while every kind of
 * write (overwrite, delete, insert into freed slots, in-place list mutation, expiry, SWAPDB,
 * FLUSHDB) hits the keyspace in between must deliver exactly the state of its start instant.
 */
class SnapshotTest {
    static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    static String text(Object e) {
        if (e instanceof byte[] r) return "s:" + new String(StringRecord.value(r), StandardCharsets.UTF_8);
        ListValue l = (ListValue) e;
        StringBuilder sb = new StringBuilder("l:");
        l.forEach(0, l.size() - 1, false, (buf, off, len) -> {
            sb.append(new String(buf, off, len, StandardCharsets.UTF_8)).append(',');
            return true;
        });
        return sb.toString();
    }

    static Map<String, String> state(Keyspace ks) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < ks.shardCount(); i++) {
            for (int db = 0; db < ks.databases(); db++) {
                int d = db;
                ks.shard(i).forEach(db, e -> m.put(d + "/" + new String(Entries.key(e), StandardCharsets.UTF_8), text(e)));
            }
        }
        return m;
    }

    @Test
    void everyWriteKindKeepsThePointInTime() {
        for (int seed = 0; seed < 20; seed++) {
            Random r = new Random(seed);
            Keyspace ks = new Keyspace(4, 4);
            for (int db = 0; db < 3; db++) {
                for (int i = 0; i < 3000; i++) {
                    byte[] k = b("k" + i);
                    Shard s = ks.shardOf(k);
                    if (i % 10 == 0) {
                        ListValue l = new ListValue(k);
                        l.pushTail(b("a" + i), ks.limits());
                        s.put(db, k, l);
                    } else {
                        s.put(db, k, StringRecord.create(k, b("v" + db + "-" + i), i % 7 == 0 ? 1 : -1, StringRecord.ENC_RAW));
                    }
                }
            }
            Map<String, String> want = state(ks);
            Map<String, String> got = new HashMap<>();
            Snapshot snap = ks.beginSnapshot((db, e) -> {
                String prev = got.put(db + "/" + new String(Entries.key(e), StandardCharsets.UTF_8), text(e));
                assertNull(prev, "an entry was written twice");
            });
            assertNotNull(snap);
            assertNull(ks.beginSnapshot((db, e) -> { }), "one snapshot at a time");
            boolean more = true;
            int round = 0;
            while (more) {
                more = snap.step(1 + r.nextInt(300));
                // a burst of writes of every kind
                for (int w = 0; w < 50; w++) {
                    int db = r.nextInt(3);
                    byte[] k = b("k" + r.nextInt(4000));
                    Shard s = ks.shardOf(k);
                    s.lock();
                    try {
                        switch (r.nextInt(5)) {
                            case 0 -> s.put(db, k, StringRecord.create(k, b("new" + w), -1, StringRecord.ENC_RAW));
                            case 1 -> s.remove(db, k);
                            case 2 -> {
                                Object e = s.get(db, k, System.currentTimeMillis()); // lazy expiry too
                                if (e instanceof ListValue l) l.pushHead(b("mut"), ks.limits());
                            }
                            case 3 -> s.get(db, k, System.currentTimeMillis());
                            default -> {
                                Object e = s.get(db, k, 0);
                                if (e != null) s.setExpire(db, e, -1);
                            }
                        }
                    } finally {
                        s.unlock();
                    }
                }
                round++;
                if (round == 5) ks.swap(0, 1);
                if (round == 9) ks.flush(2);
                if (round == 11) ks.activeExpireCycle(1_000_000);
            }
            assertEquals(want, got, "seed " + seed);
            assertNotNull(ks.beginSnapshot((db, e) -> { }), "the finished snapshot released the keyspace");
        }
    }

    /**
     * The work run at the snapshot instant (the AOF rewrite's switch) sees the keyspace as the
     * snapshot does; when it fails no snapshot is left attached: writers serialize nothing and
     * the next snapshot can start.
     */
    @Test
    void workAtTheInstantRunsUnderTheSameLocksOrCancelsTheSnapshot() {
        Keyspace ks = new Keyspace(2, 4);
        for (int i = 0; i < 100; i++) {
            byte[] k = b("k" + i);
            ks.shardOf(k).put(0, k, StringRecord.create(k, b("v"), -1, StringRecord.ENC_RAW));
        }
        int[] sunk = {0};
        assertThrows(IllegalStateException.class, () -> ks.beginSnapshot((db, e) -> sunk[0]++, () -> {
            for (int i = 0; i < ks.shardCount(); i++) assertTrue(ks.shard(i).heldByCurrentThread());
            throw new IllegalStateException("switch failed");
        }));
        byte[] k = b("k1");
        Shard s = ks.shardOf(k);
        s.lock();
        try {
            s.remove(0, k);
        } finally {
            s.unlock();
        }
        assertEquals(0, sunk[0], "a cancelled snapshot made a writer serialize");
        Map<String, String> got = new HashMap<>();
        Snapshot snap = ks.beginSnapshot((db, e) -> got.put(new String(Entries.key(e), StandardCharsets.UTF_8), text(e)), () -> { });
        assertNotNull(snap, "the failed snapshot still holds the keyspace");
        while (snap.step(7)) { }
        assertEquals(99, got.size());
    }
}
