package io.basalt.server.blocking;

import io.basalt.data.Keyspace;
import io.basalt.resp.RespWriter;
import io.basalt.server.client.Client;
import io.basalt.server.exec.PersistenceGate;
import io.basalt.server.exec.Propagation;
import io.basalt.server.module.KeyChangeListener;
import io.basalt.server.module.ServerModule;
import io.basalt.server.stats.ServerStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Clients blocked by BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP: per (db, key) the FIFO of
 * clients waiting for it. After a write command the dispatcher {@link #signal signals} its keys;
 * the waiting clients are then served in arrival order, each by re-running its pop under the
 * lock of the key's shard in the writer's thread (so no other command can take the element
 * between the write and the serve, as in Redis), and the reply is handed to the client's event
 * loop, which resumes reading its next commands.
 */
public final class Blocking implements KeyChangeListener, ServerModule {
    /** The pop of a blocked command, run under the shard locks of {@link Waiter#lockKeys}. */
    @FunctionalInterface
    public interface Serve {
        /** Pops from {@code readyKey} and writes the reply into {@code out}; false if nothing to pop yet. */
        boolean serve(byte[] readyKey, RespWriter out);
    }

    private record QueueKey(int db, ByteKey key) {}

    /** A byte[] key with value equality, for the hash map. */
    private record ByteKey(byte[] bytes) {
        @Override public boolean equals(Object o) { return o instanceof ByteKey b && Arrays.equals(bytes, b.bytes); }
        @Override public int hashCode() { return Arrays.hashCode(bytes); }
    }

    private static final class Waiter {
        final Client client;
        final int db;
        final byte[][] keys;
        /** Keys besides the ready one whose shards the serve touches (BLMOVE's destination). */
        final byte[] extraKey;
        final Serve serve;
        /** XREADGROUP: any change of the key may end it (deleted or overwritten: an error reply). */
        final boolean wakeOnModify;
        /** The type it waits for ("list", "zset", "stream"): Redis's blocking type. */
        final String type;
        boolean done; // guarded by this: served, timed out or disconnected, whichever came first
        ScheduledFuture<?> timer;

        Waiter(Client client, int db, byte[][] keys, byte[] extraKey, Serve serve, boolean wakeOnModify, String type) {
            this.wakeOnModify = wakeOnModify;
            this.type = type;
            this.client = client;
            this.db = db;
            this.keys = keys;
            this.extraKey = extraKey;
            this.serve = serve;
        }

        synchronized boolean finish() {
            if (done) return false;
            done = true;
            return true;
        }
    }

    private static final long MAX_DELAY_MILLIS = 100L * 365 * 24 * 3600 * 1000;

    private final Keyspace keyspace;
    private final Map<QueueKey, ArrayDeque<Waiter>> queues = new HashMap<>(); // guarded by this
    private final Map<Client, Waiter> blocked = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> waitersPerDb = new HashMap<>(); // guarded by this
    /** Blocked clients per type they wait for (Redis's blocked_clients_by_type). */
    private final Map<String, Integer> waitersPerType = new HashMap<>(); // guarded by this
    private volatile int withTimeout;

    public Blocking(Keyspace keyspace, PersistenceGate persistence, Propagation propagation, ServerStats stats) {
        this.keyspace = keyspace;
        this.stats = stats;
        this.persistence = persistence;
        this.propagation = propagation;
    }

    /** An AOF rewrite's base copies a shard before its first write (see PersistenceGate#beforeWrite). */
    private final PersistenceGate persistence;
    /** Where CLIENT UNBLOCK ... ERROR's error reply is counted. */
    private final ServerStats stats;
    /** Where a served pop's effect is published (under its locks, as any write). */
    private final Propagation propagation;

    /** Whether any client is blocked (a cheap check before the dispatcher collects keys). */
    public boolean active() { return !blocked.isEmpty(); }

    /** INFO blocked_clients. */
    public int blockedClients() { return blocked.size(); }

    /** INFO clients_in_timeout_table: blocked clients with a timeout. */
    public int clientsWithTimeout() { return withTimeout; }

    /**
     * Blocks {@code c} on {@code keys} (called by the command's handler, which writes no reply,
     * under the locks of the keys' shards, so a write cannot slip between the handler's check and
     * the registration). {@code timeoutMillis} 0 waits forever; on timeout the client gets the
     * null array Redis replies.
     */
    public void block(Client c, byte[][] keys, byte[] extraKey, long timeoutMillis, String type, Serve serve) {
        block(c, keys, extraKey, timeoutMillis, false, type, serve);
    }

    /**
     * {@link #block} for XREADGROUP ({@code wakeOnModify}): Redis also signals a stream key
     * that is deleted or overwritten, so that its group readers get an error instead of waiting
     * for a stream that cannot come back with their group; see {@link #modified}.
     */
    public void block(Client c, byte[][] keys, byte[] extraKey, long timeoutMillis, boolean wakeOnModify, String type, Serve serve) {
        Waiter w = new Waiter(c, c.db(), keys, extraKey, serve, wakeOnModify, type);
        // the timer first, so a serve right after the registration always finds it to cancel
        // (it cannot fire before: it runs on this client's event loop, busy with this command)
        if (timeoutMillis > 0) {
            synchronized (this) { withTimeout++; }
            // a deadline centuries away is capped so the event loop's nanosecond deadline cannot overflow
            long delay = Math.min(timeoutMillis, MAX_DELAY_MILLIS);
            w.timer = c.channel().eventLoop().schedule(() -> timedOut(w), delay, TimeUnit.MILLISECONDS);
        }
        synchronized (this) {
            waitersPerDb.merge(w.db, 1, Integer::sum);
            waitersPerType.merge(type, 1, Integer::sum);
            for (byte[] k : keys) {
                queues.computeIfAbsent(new QueueKey(w.db, new ByteKey(k)), x -> new ArrayDeque<>()).add(w);
            }
        }
        blocked.put(c, w);
        c.blockRequested();
    }

    private void timedOut(Waiter w) {
        if (!w.finish()) return;
        forget(w);
        RespWriter out = new RespWriter(Unpooled.buffer(8), w.client.resp3());
        out.nullArray();
        deliver(w, out.target());
    }

    /**
     * CLIENT UNBLOCK: ends {@code target}'s block with the timeout reply, or with Redis's
     * UNBLOCKED error; false if it was not blocked (or was just being served).
     */
    public boolean unblock(Client target, boolean error) {
        Waiter w = blocked.get(target);
        if (w == null || !w.finish()) return false;
        forget(w);
        RespWriter out = new RespWriter(Unpooled.buffer(48), target.resp3());
        if (error) {
            String message = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
            stats.error(message);
            out.error(message);
        } else {
            out.nullArray();
        }
        deliver(w, out.target());
        return true;
    }

    /**
     * Ends every block for which {@code redirect} (given the client and its first key) names an
     * error: the client gets that error instead of waiting. Cluster mode's
     * clusterRedirectBlockedClientIfNeeded, for clients blocked on keys whose slot this node no
     * longer serves (MOVED, CLUSTERDOWN ...). Any thread.
     */
    public void redirect(java.util.function.BiFunction<Client, byte[], String> redirect) {
        for (Waiter w : new ArrayList<>(blocked.values())) {
            String error = redirect.apply(w.client, w.keys[0]);
            if (error == null || !w.finish()) continue;
            forget(w);
            stats.error(error);
            RespWriter out = new RespWriter(Unpooled.buffer(64), w.client.resp3());
            out.error(error);
            deliver(w, out.target());
        }
    }

    /** The connection of a blocked client closed: it leaves every queue. */
    void disconnected(Client c) {
        Waiter w = blocked.get(c);
        if (w != null && w.finish()) forget(w);
    }

    private void forget(Waiter w) {
        blocked.remove(w.client, w);
        if (w.timer != null) {
            w.timer.cancel(false);
            synchronized (this) { withTimeout--; }
        }
        synchronized (this) {
            waitersPerDb.computeIfPresent(w.db, (db, n) -> n == 1 ? null : n - 1);
            waitersPerType.computeIfPresent(w.type, (t, n) -> n == 1 ? null : n - 1);
            for (byte[] k : w.keys) {
                QueueKey qk = new QueueKey(w.db, new ByteKey(k));
                ArrayDeque<Waiter> q = queues.get(qk);
                if (q == null) continue;
                q.remove(w);
                if (q.isEmpty()) queues.remove(qk);
            }
        }
    }

    private static void deliver(Waiter w, ByteBuf reply) {
        w.client.channel().eventLoop().execute(() -> w.client.unblocked(reply));
    }

    /** Keys created (Redis's dbAdd) by the command running on this thread, to serve after it. */
    private final ThreadLocal<ArrayList<QueueKey>> readyKeys = ThreadLocal.withInitial(ArrayList::new);

    /**
     * Redis's {@code signalKeyAsReady}, called where a key is created (dbAdd), under its shard
     * lock. Only a created key can wake a blocked client: a client blocks only while its key is
     * missing or of another type, and Redis 7.0 does not wake it when a key of another type is
     * overwritten in place (SET, SORT ... STORE onto it). A client that blocks concurrently
     * registers under the same shard lock, so {@link #active()} cannot miss it.
     */
    @Override
    public void added(int db, byte[] key) { keyAdded(db, key); }

    @Override
    public void clientClosed(Client c) { disconnected(c); }

    /**
     * A key changed (signalModifiedKey): when an XREADGROUP waits on it, it is made ready, and
     * its serve decides (the stream or group gone: an error; new entries: served; else nothing),
     * as Redis's signal of a deleted or overwritten stream key (dbGenericDelete, dbOverwrite).
     */
    @Override
    public void modified(Client by, int db, byte[] key) {
        if (!active()) return;
        QueueKey k = new QueueKey(db, new ByteKey(key));
        synchronized (this) {
            ArrayDeque<Waiter> q = queues.get(k);
            if (q == null) return;
            boolean any = false;
            for (Waiter w : q) any |= w.wakeOnModify;
            if (!any) return;
        }
        readyKeys.get().add(k);
    }

    public void keyAdded(int db, byte[] key) {
        if (!active()) return;
        // Redis's signalKeyAsReady takes the new value's type and returns at once when no
        // client anywhere blocks for that type: a list-blocked client is not woken by a zset
        // created on its key, even if the key is a list again by the time the command ends
        Object e = keyspace.shardOf(key).peek(db, key);
        if (e != null) {
            String type = io.basalt.data.Entries.typeName(e);
            synchronized (this) {
                if (!waitersPerType.containsKey(type)) return;
            }
        }
        readyKeys.get().add(new QueueKey(db, new ByteKey(key)));
    }

    /** SWAPDB (Redis's scanDatabaseForReadyKeys): every blocked key of both databases may be ready. */
    @Override
    public void swapped(int a, int b) {
        if (!active()) return;
        List<QueueKey> all;
        synchronized (this) {
            all = new ArrayList<>(queues.keySet());
        }
        for (QueueKey k : all) if (k.db() == a || k.db() == b) readyKeys.get().add(k);
    }

    /**
     * Redis's {@code handleClientsBlockedOnKeys}: after a command (after the whole EXEC), with no
     * shard lock held, serves the clients blocked on the keys it created, in the order they were
     * created. A served BLMOVE that creates its destination makes that key ready in turn.
     */
    public void serveReady() {
        ArrayList<QueueKey> list = readyKeys.get();
        while (!list.isEmpty()) {
            List<QueueKey> batch = new ArrayList<>(list);
            list.clear();
            for (QueueKey k : batch) serve(k.db(), k.key().bytes());
        }
    }

    /** Serves the clients blocked on one key, oldest first, while it holds something to pop. */
    private void serve(int db, byte[] key) {
        List<Waiter> waiting;
        synchronized (this) {
            ArrayDeque<Waiter> q = queues.get(new QueueKey(db, new ByteKey(key)));
            if (q == null) return;
            waiting = new ArrayList<>(q);
        }
        for (Waiter w : waiting) {
            RespWriter out = new RespWriter(Unpooled.buffer(64), w.client.resp3());
            boolean served;
            int[] shards = shardsOf(key, w.extraKey);
            for (int s : shards) keyspace.shard(s).lock();
            try {
                synchronized (w) {
                    // an AOF rewrite's base takes the shards first; the served pop is published under their locks
                    if (!w.done) for (int s : shards) persistence.beforeWrite(keyspace.shard(s));
                    served = !w.done && w.serve.serve(key, out);
                    if (served) w.done = true;
                }
                if (served) propagation.served(w.client);
            } finally {
                for (int i = shards.length - 1; i >= 0; i--) keyspace.shard(shards[i]).unlock();
            }
            if (!served) {
                out.target().release();
                continue;
            }
            forget(w);
            deliver(w, out.target());
        }
    }

    /** The distinct shard indexes of the keys, ascending (the dispatcher's lock order). */
    private int[] shardsOf(byte[] key, byte[] other) {
        int a = io.basalt.data.Slots.slot(key) & (keyspace.shardCount() - 1);
        if (other == null) return new int[] {a};
        int b = io.basalt.data.Slots.slot(other) & (keyspace.shardCount() - 1);
        if (a == b) return new int[] {a};
        return a < b ? new int[] {a, b} : new int[] {b, a};
    }
}
