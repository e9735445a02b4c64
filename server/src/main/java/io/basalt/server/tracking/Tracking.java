package io.basalt.server.tracking;

import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.client.Clients;
import io.basalt.server.command.CommandFlags;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.exec.CommandContext;
import io.basalt.server.exec.CommandHooks;
import io.basalt.server.exec.ExecState;
import io.basalt.server.module.KeyChangeListener;
import io.basalt.server.module.ServerModule;
import io.basalt.server.pubsub.KeyspaceEvents;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Client-side caching (CLIENT TRACKING), as Redis's tracking.c: the table of keys clients read
 * (key → ids of the clients that may cache it; keys, not per database, as in Redis), the
 * prefixes of BCAST clients with the keys changed under them since the last broadcast, and the
 * invalidation messages: a RESP3 push {@code invalidate [keys]} to the client, or to the client
 * it redirects to (as a message on {@code __redis__:invalidate} when that one is a RESP2 Pub/Sub
 * connection).
 *
 * <p>Keys are remembered while the read command still holds its shard locks, and invalidated by
 * writers under the same locks ({@link KeyspaceEvents#modified}), so a read cannot slip its key
 * into the table after a write it did not see. Messages to the client running the command wait
 * until its reply is written (after the whole EXEC inside a transaction); BCAST messages are sent
 * once per batch of commands, like Redis's once per event loop iteration.
 */
public final class Tracking implements KeyChangeListener, ServerModule, CommandHooks {
    static final byte[] CHANNEL = "__redis__:invalidate".getBytes(StandardCharsets.US_ASCII);

    /** Where each client keeps its {@link PerClient} (null until it first turns tracking on). */
    private static final Client.Slot<PerClient> SLOT = Client.Slot.of("tracking");

    /**
     * What tracking keeps per client: the options of CLIENT TRACKING (null while off), CLIENT
     * CACHING's flag and the invalidations the client caused for itself, sent after its reply.
     * Made at the first CLIENT TRACKING on and kept until the connection closes.
     */
    static final class PerClient {
        /** Tracking options, null while tracking is off (read by other clients' writes). */
        volatile State options;
        /** CLIENT CACHING yes|no given for the next command (Redis's CLIENT_TRACKING_CACHING). */
        volatile boolean caching;
        /** Invalidations this client caused for itself, sent after the reply (event loop only). */
        final List<byte[]> pending = new ArrayList<>();

        /** Whether CLIENT CACHING yes|no applies to the next command. */
        boolean caching() { return caching; }
    }

    /** {@code c}'s tracking state, or null when it never turned tracking on. */
    static PerClient of(Client c) { return c.get(SLOT); }

    /** {@code c}'s tracking options, or null while tracking is off. */
    public static State options(Client c) {
        PerClient p = c.get(SLOT);
        return p == null ? null : p.options;
    }

    private static PerClient perClient(Client c) {
        PerClient p = c.get(SLOT);
        if (p == null) c.set(SLOT, p = new PerClient());
        return p;
    }

    /** CLIENT CACHING yes|no: for the next command of a tracking client. */
    static void caching(Client c, boolean v) { perClient(c).caching = v; }

    // ---------------------------------------------------------------- around each command (exec.CommandHooks)

    /** Redis's processCommand: keep the tracking table within tracking-table-max-keys. */
    @Override
    public void beforeCommand(Client c) {
        if (clients() > 0) limit();
    }

    /** A tracking client's read: the keys it may now cache (see {@link #remember}). */
    @Override
    public void afterRead(Client c, CommandContext cmd) {
        if (options(c) != null) remember(c, cmd);
    }

    /**
     * Invalidations of keys this client tracks and just changed: after its reply (after the
     * whole EXEC for a transaction), as Redis's trackingHandlePendingKeyInvalidations.
     */
    @Override
    public void afterCall(Client c) {
        PerClient t = c.get(SLOT);
        if (t != null && !t.pending.isEmpty()) sendPending(c);
    }

    /**
     * Redis's resetClient: CLIENT CACHING yes|no applies to the next command only (the
     * commands of a transaction count as one, and another CLIENT command keeps it).
     */
    @Override
    public void afterCommand(Client c) {
        PerClient t = c.get(SLOT);
        if (t != null && t.caching && !ExecState.inMulti(c) && !c.lastSpecIs(CommandFlags.CLIENT)) t.caching = false;
    }

    /** A client's tracking options (CLIENT TRACKING on ...). Read by writers on other threads. */
    public static final class State {
        final long redirect;
        public final boolean bcast;
        final boolean optin;
        final boolean optout;
        final boolean noloop;
        public volatile boolean brokenRedirect;
        /** BCAST prefixes, in Redis's (rax, bytewise) order. */
        final TreeMap<Bytes, Boolean> prefixes = new TreeMap<>();

        State(long redirect, boolean bcast, boolean optin, boolean optout, boolean noloop) {
            this.redirect = redirect;
            this.bcast = bcast;
            this.optin = optin;
            this.optout = optout;
            this.noloop = noloop;
        }
    }

    /** A byte[] with value equality and unsigned bytewise order. */
    record Bytes(byte[] b) implements Comparable<Bytes> {
        @Override public boolean equals(Object o) { return o instanceof Bytes x && Arrays.equals(b, x.b); }
        @Override public int hashCode() { return Arrays.hashCode(b); }
        @Override public int compareTo(Bytes o) { return Arrays.compareUnsigned(b, o.b); }
    }

    /** The clients of one BCAST prefix and the keys changed under it since the last broadcast. */
    private static final class Prefix {
        final Set<Client> clients = ConcurrentHashMap.newKeySet();
        /** Changed key → the client that changed it last (for NOLOOP), in key order as Redis's rax. */
        final TreeMap<Bytes, Object> changed = new TreeMap<>(); // guarded by this
    }

    private static final Object NO_CLIENT = new Object();

    /** The connected clients (redirection targets, FLUSHALL's invalidation of every tracking client). */
    private final Clients connected;
    private final Map<Bytes, Set<Long>> table = new ConcurrentHashMap<>();
    /** In Redis's (rax) order: broadcasts go out prefix by prefix in that order. */
    private final Map<Bytes, Prefix> prefixes = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final AtomicInteger clients = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong items = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean broadcastPending;
    private volatile long maxKeys = 1_000_000;

    public Tracking(Clients connected) {
        this.connected = connected;
    }

    void maxKeys(long max) { this.maxKeys = max; }

    /** INFO tracking_clients. */
    public int clients() { return clients.get(); }

    /** INFO tracking_total_keys. */
    public long totalKeys() { return table.size(); }

    /** INFO tracking_total_items: client ids over all keys. */
    public long totalItems() { return items.get(); }

    /** INFO tracking_total_prefixes. */
    public long totalPrefixes() { return prefixes.size(); }

    // ---------------------------------------------------------------- on / off

    /** enableTracking: {@code prefixList} already checked for collisions. */
    public void enable(Client c, long redirect, boolean bcast, boolean optin, boolean optout, boolean noloop,
                       List<byte[]> prefixList) {
        PerClient pc = perClient(c);
        State old = pc.options;
        State s = new State(redirect, bcast, optin, optout, noloop);
        if (old == null) {
            clients.incrementAndGet();
        } else if (old.bcast) {
            // switching options keeps the prefixes already registered (Redis adds to them)
            for (Bytes p : old.prefixes.keySet()) s.prefixes.put(p, Boolean.TRUE);
        }
        if (bcast) {
            if (prefixList.isEmpty()) s.prefixes.put(new Bytes(new byte[0]), Boolean.TRUE);
            for (byte[] p : prefixList) s.prefixes.put(new Bytes(p), Boolean.TRUE);
            for (Bytes p : s.prefixes.keySet()) prefixes.computeIfAbsent(p, k -> new Prefix()).clients.add(c);
        }
        pc.options = s;
    }

    /** disableTracking (CLIENT TRACKING off, RESET, disconnect). Table entries go lazily. */
    public void disable(Client c) {
        PerClient pc = c.get(SLOT);
        State s = pc == null ? null : pc.options;
        if (s == null) return;
        pc.options = null;
        pc.caching = false;
        clients.decrementAndGet();
        for (Bytes p : s.prefixes.keySet()) {
            prefixes.computeIfPresent(p, (k, px) -> {
                px.clients.remove(c);
                return px.clients.isEmpty() ? null : px;
            });
        }
    }

    /**
     * checkPrefixCollisionsOrReply: null if no prefix overlaps another (one being a prefix of the
     * other) or one the client has, else the error to reply.
     */
    public static String prefixCollision(Client c, List<byte[]> list) {
        State s = options(c);
        for (int i = 0; i < list.size(); i++) {
            byte[] p = list.get(i);
            if (s != null) {
                for (Bytes have : s.prefixes.keySet()) {
                    if (overlap(have.b(), p)) {
                        return "ERR Prefix '" + latin1(p) + "' overlaps with an existing prefix '" + latin1(have.b())
                                + "'. Prefixes for a single client must not overlap.";
                    }
                }
            }
            for (int j = i + 1; j < list.size(); j++) {
                if (overlap(p, list.get(j))) {
                    return "ERR Prefix '" + latin1(p) + "' overlaps with another provided prefix '" + latin1(list.get(j))
                            + "'. Prefixes for a single client must not overlap.";
                }
            }
        }
        return null;
    }

    private static boolean overlap(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        return Arrays.equals(a, 0, n, b, 0, n);
    }

    private static String latin1(byte[] b) {
        // %s stops at a NUL, as the C format does
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    // ---------------------------------------------------------------- reads

    /**
     * trackingRememberKeys, after a read-only command of a tracking (non-BCAST) client, with the
     * command's shard locks still held.
     */
    public void remember(Client c, CommandContext cmd) {
        PerClient pc = c.get(SLOT);
        State s = pc == null ? null : pc.options;
        if (s == null || s.bcast || cmd.spec().is(io.basalt.server.command.CommandFlags.PUBSUB)) return;
        boolean caching = pc.caching;
        if ((s.optin && !caching) || (s.optout && caching)) return;
        RespRequest req = cmd.request();
        int n = cmd.keyCount();
        Long id = c.id();
        for (int i = 0; i < n; i++) {
            Bytes k = new Bytes(req.bytes(cmd.keyIndex(i)));
            table.compute(k, (key, ids) -> {
                Set<Long> set = ids == null ? ConcurrentHashMap.newKeySet() : ids;
                if (set.add(id)) items.incrementAndGet();
                return set;
            });
        }
    }

    // ---------------------------------------------------------------- writes

    /**
     * trackingInvalidateKey: {@code key} changed, by {@code by} (null: expiry, eviction). Sends
     * the clients that may cache it an invalidation and forgets them for the key.
     */
    void invalidate(Client by, byte[] key, boolean bcast) {
        if (clients.get() == 0 && table.isEmpty()) return;
        Bytes k = new Bytes(key);
        if (bcast && !prefixes.isEmpty()) rememberForBroadcast(by, k);
        Set<Long> ids = table.remove(k);
        if (ids == null) return;
        items.addAndGet(-ids.size());
        for (Long id : ids) {
            Client target = connected.client(id);
            if (target == null) continue;
            State s = options(target);
            if (s == null || s.bcast) continue;
            if (s.noloop && target == by) continue;
            if (target == by && by.executing()) {
                // after the reply of the command (or EXEC) that changed it
                perClient(by).pending.add(key);
            } else {
                send(target, keyArray(key));
            }
        }
    }

    private void rememberForBroadcast(Client by, Bytes key) {
        for (Map.Entry<Bytes, Prefix> e : prefixes.entrySet()) {
            byte[] p = e.getKey().b();
            if (p.length > key.b().length || !Arrays.equals(p, 0, p.length, key.b(), 0, p.length)) continue;
            Prefix px = e.getValue();
            synchronized (px) {
                px.changed.put(key, by == null ? NO_CLIENT : by);
            }
            broadcastPending = true;
        }
    }

    /**
     * trackingBroadcastInvalidationMessages: the keys changed under each BCAST prefix since the
     * last call, one message per client (without the keys it changed itself if NOLOOP).
     */
    public void broadcast() {
        if (!broadcastPending) return;
        broadcastPending = false;
        for (Prefix px : prefixes.values()) {
            TreeMap<Bytes, Object> changed;
            synchronized (px) {
                if (px.changed.isEmpty()) continue;
                changed = new TreeMap<>(px.changed);
                px.changed.clear();
            }
            byte[] all = keyArray(changed, null);
            for (Client c : px.clients) {
                State s = options(c);
                byte[] msg = s != null && s.noloop ? keyArray(changed, c) : all;
                if (msg != null) send(c, msg);
            }
        }
    }

    @Override
    public void modified(Client by, int db, byte[] key) { invalidate(by, key, true); }

    @Override
    public void flushing(Client by, int db) { flushed(by); }

    @Override
    public void clientClosed(Client c) { disable(c); }

    @Override
    public void bind(io.basalt.server.config.Config config) {
        config.bind("tracking-table-max-keys", v -> maxKeys(Long.parseLong(v)));
    }

    /** The cron: keys expired by the cycle, the table's size limit, pending BCAST invalidations. */
    @Override
    public void cron() {
        limit();
        broadcast();
    }

    /** trackingInvalidateKeysOnFlush: every tracking client is told "everything" (a null), the table is emptied. */
    void flushed(Client by) {
        if (clients.get() > 0) {
            for (Client c : connected.clients()) {
                if (options(c) == null) continue;
                if (c == by && by.executing()) perClient(by).pending.add(null);
                else send(c, nullFor(c));
            }
        }
        table.clear();
        items.set(0);
    }

    /** Redis's trackingLimitUsedSlots: over tracking-table-max-keys, keys are invalidated until under. */
    public void limit() {
        long max = maxKeys;
        if (max == 0 || table.size() <= max) return;
        Iterator<Bytes> it = table.keySet().iterator();
        while (table.size() > max && it.hasNext()) invalidate(null, it.next().b(), false);
    }

    /** After a command (or EXEC) of {@code c}: the invalidations it caused for itself. */
    public void sendPending(Client c) {
        PerClient pc = perClient(c);
        List<byte[]> keys = new ArrayList<>(pc.pending);
        pc.pending.clear();
        for (byte[] k : keys) send(c, k == null ? nullFor(c) : keyArray(k));
        // right after the reply, before the next pipelined command's (we are on c's event loop)
        c.drainPushes();
    }

    private static byte[] nullFor(Client c) {
        return c.resp3() ? new byte[] {'_', '\r', '\n'} : "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * sendTrackingMessage: {@code value} (the RESP of the key array, or of a null) to the client
     * or its redirection target; a redirection to a client that is gone marks it broken and, in
     * RESP3, tells the client.
     */
    private void send(Client c, byte[] value) {
        State s = options(c);
        Client target = c;
        boolean redirected = false;
        if (s != null && s.redirect != 0) {
            target = connected.client(s.redirect);
            if (target == null) {
                s.brokenRedirect = true;
                if (c.resp3()) {
                    ByteArrayOutputStream m = new ByteArrayOutputStream();
                    ascii(m, ">2\r\n$21\r\ntracking-redir-broken\r\n:" + s.redirect + "\r\n");
                    c.push(m.toByteArray());
                }
                return;
            }
            redirected = true;
        }
        ByteArrayOutputStream m = new ByteArrayOutputStream(32 + value.length);
        if (target.resp3()) {
            ascii(m, ">2\r\n$10\r\ninvalidate\r\n");
        } else if (redirected && target.type().equals("pubsub")) {
            ascii(m, "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n");
        } else {
            return; // RESP2 without a Pub/Sub redirection: nowhere to send it
        }
        m.writeBytes(value);
        target.push(m.toByteArray());
    }

    private static byte[] keyArray(byte[] key) {
        ByteArrayOutputStream m = new ByteArrayOutputStream(key.length + 16);
        ascii(m, "*1\r\n$" + key.length + "\r\n");
        m.writeBytes(key);
        ascii(m, "\r\n");
        return m.toByteArray();
    }

    /** trackingBuildBroadcastReply: the changed keys, without those {@code skip} changed; null if none. */
    private static byte[] keyArray(TreeMap<Bytes, Object> changed, Client skip) {
        List<byte[]> keys = new ArrayList<>(changed.size());
        for (Map.Entry<Bytes, Object> e : changed.entrySet()) if (skip == null || e.getValue() != skip) keys.add(e.getKey().b());
        if (keys.isEmpty()) return null;
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        ascii(m, "*" + keys.size() + "\r\n");
        for (byte[] k : keys) {
            ascii(m, "$" + k.length + "\r\n");
            m.writeBytes(k);
            ascii(m, "\r\n");
        }
        return m.toByteArray();
    }

    private static void ascii(ByteArrayOutputStream m, String s) {
        m.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** CLIENT TRACKINGINFO's prefixes of {@code c}, in order. */
    public static List<byte[]> prefixesOf(Client c) {
        State s = options(c);
        List<byte[]> out = new ArrayList<>();
        if (s != null) for (Bytes b : s.prefixes.keySet()) out.add(b.b());
        return out;
    }
}
