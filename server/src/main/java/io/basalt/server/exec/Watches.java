package io.basalt.server.exec;

import io.basalt.data.Entries;
import io.basalt.data.Keyspace;
import io.basalt.server.client.Client;
import io.basalt.server.module.KeyChangeListener;
import io.basalt.server.module.ServerModule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * WATCH: which clients watch which keys, and the CAS flag ({@link ExecState#dirtyCas}) of those whose
 * watched keys changed. The rules are Redis 7.0's {@code multi.c}: a key that was already expired
 * when it was watched does not break the transaction by being deleted (that is no logical change),
 * flushing or swapping a database breaks the watches of the keys that existed in it, and EXEC
 * fails if a watched key expired since WATCH.
 *
 * <p>{@link #touch} runs on the writer's thread under the key's shard lock, so a write that
 * completed before an EXEC took its locks has always flagged the EXEC's client. Watching also
 * runs under the key's shard lock (WATCH names its keys), which makes the "already expired"
 * check of a watch and the writes to that key ordered.
 */
public final class Watches implements KeyChangeListener, ServerModule {
    /** One client's watch of one key. {@code expired}: the key was logically expired when watched. */
    public static final class WatchedKey {
        final Client client;
        final int db;
        final byte[] key;
        volatile boolean expired;

        WatchedKey(Client client, int db, byte[] key, boolean expired) {
            this.client = client;
            this.db = db;
            this.key = key;
            this.expired = expired;
        }
    }

    private record Key(int db, byte[] key) {
        @Override public boolean equals(Object o) {
            return o instanceof Key k && k.db == db && Arrays.equals(k.key, key);
        }

        @Override public int hashCode() { return 31 * db + Arrays.hashCode(key); }
    }

    private final Keyspace keyspace;
    private final Map<Key, List<WatchedKey>> byKey = new ConcurrentHashMap<>();
    /** Watches registered: writes skip the lookup while nobody watches anything. */
    private final AtomicInteger count = new AtomicInteger();

    public Watches(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    /** WATCH key (the key's shard is locked): a no-op if {@code c} already watches it. */
    public void watch(Client c, byte[] key) {
        int db = c.db();
        List<WatchedKey> watched = ExecState.of(c).watched;
        for (WatchedKey w : watched) if (w.db == db && Arrays.equals(w.key, key)) return;
        WatchedKey w = new WatchedKey(c, db, key, isExpired(db, key));
        watched.add(w);
        byKey.computeIfAbsent(new Key(db, key), k -> new CopyOnWriteArrayList<>()).add(w);
        count.incrementAndGet();
    }

    /** UNWATCH, EXEC, DISCARD, RESET, disconnect: forgets every key {@code c} watches. */
    public void unwatchAll(Client c) {
        ExecState s = ExecState.peek(c);
        if (s == null || s.watched.isEmpty()) return;
        List<WatchedKey> watched = s.watched;
        for (WatchedKey w : watched) {
            byKey.computeIfPresent(new Key(w.db, w.key), (k, list) -> {
                list.remove(w);
                return list.isEmpty() ? null : list;
            });
            count.decrementAndGet();
        }
        watched.clear();
    }

    /**
     * {@code isWatchedKeyExpired}, called by EXEC with the watched keys' shards locked: whether a
     * key that was live when watched has expired since (it is still in the table, not yet removed).
     */
    boolean anyExpired(Client c) {
        for (WatchedKey w : ExecState.of(c).watched) {
            if (!w.expired && isExpired(w.db, w.key)) return true;
        }
        return false;
    }

    @Override
    public void modified(Client by, int db, byte[] key) { touch(db, key); }

    @Override
    public void flushing(Client by, int db) { flushing(db, -1); }

    @Override
    public void swapping(int a, int b) {
        flushing(a, b);
        flushing(b, a);
    }

    @Override
    public void clientClosed(Client c) { unwatchAll(c); }

    /** {@code touchWatchedKey}: {@code key} of {@code db} changed (its shard is locked). */
    void touch(int db, byte[] key) {
        if (count.get() == 0) return;
        List<WatchedKey> list = byKey.get(new Key(db, key));
        if (list == null) return;
        for (WatchedKey w : list) {
            if (w.expired) {
                // watched while already expired: its removal is no logical change
                if (keyspace.shardOf(key).peek(db, key) == null) {
                    w.expired = false;
                    continue;
                }
            }
            ExecState.peek(w.client).dirtyCas = true;
        }
    }

    /**
     * {@code touchAllWatchedKeysInDb(emptied, replacedWith)}, before FLUSHDB/FLUSHALL ({@code db}
     * -1: every database) or SWAPDB ({@code swapWith} the database taking its place, else -1),
     * with every shard locked: the watches of keys that exist in either are broken.
     */
    void flushing(int db, int swapWith) {
        if (count.get() == 0) return;
        List<Map.Entry<Key, List<WatchedKey>>> entries = new ArrayList<>(byKey.entrySet());
        for (Map.Entry<Key, List<WatchedKey>> e : entries) {
            Key k = e.getKey();
            if (db >= 0 && k.db != db) continue;
            boolean inEmptied = exists(k.db, k.key);
            boolean inReplacement = swapWith >= 0 && exists(swapWith, k.key);
            if (!inEmptied && !inReplacement) continue;
            for (WatchedKey w : e.getValue()) {
                if (w.expired) {
                    if (!inReplacement) {
                        // the expired key is deleted: no logical change
                        w.expired = false;
                        continue;
                    } else if (isExpired(swapWith, k.key)) {
                        continue; // still expired after the swap
                    }
                } else if (!inEmptied && isExpired(swapWith, k.key)) {
                    // a missing key replaced by an expired one
                    w.expired = true;
                    continue;
                }
                ExecState.peek(w.client).dirtyCas = true;
            }
        }
    }

    private boolean exists(int db, byte[] key) {
        return keyspace.shardOf(key).peek(db, key) != null;
    }

    /** Redis's keyIsExpired: the key is in the table but its time has passed (as Shard.get sees it). */
    private boolean isExpired(int db, byte[] key) {
        Object e = keyspace.shardOf(key).peek(db, key);
        if (e == null) return false;
        long at = Entries.expireAt(e);
        return at >= 0 && at <= System.currentTimeMillis();
    }
}
