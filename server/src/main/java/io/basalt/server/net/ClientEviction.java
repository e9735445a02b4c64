package io.basalt.server.net;

import io.basalt.server.BasaltServer;
import io.basalt.server.client.Client;
import io.basalt.server.client.ClientKind;
import io.basalt.server.config.MemoryUnits;
import io.basalt.server.exec.ExecState;
import io.basalt.server.module.ServerModule;
import io.basalt.server.util.Log;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code maxmemory-clients}, Redis 7.0's client eviction: when the connections of users (normal
 * and Pub/Sub clients, not replicas or the master link) together hold more than the limit in
 * query and output buffers, the largest of those without CLIENT NO-EVICT are closed until they
 * hold less, each logged as "Evicting client: ..." and counted in INFO's evicted_clients.
 *
 * <p>Redis re-measures a client whenever its buffers change and evicts before the next command
 * and before it sleeps; here each client's event loop reports the client's size after it read
 * input and after it produced output ({@link #update}), and the eviction runs at once when the
 * sum crosses the limit. Like Redis, the limit is a size or a percentage of maxmemory, never less
 * than 128 KB (so a bad setting cannot lock everyone out), and off when 0 (or a percentage without
 * maxmemory). Off, {@link #update} costs one volatile read.
 */
public final class ClientEviction implements ServerModule {
    /** {@link Client#evictionMemory} of a client evicted and closing. */
    private static final long EVICTED = -2;
    /** Redis's floor for the limit: 128 KB. */
    static final long MIN_LIMIT = 128 * 1024;
    /** What a connection costs besides its buffers (as INFO's mem_clients_normal counts it). */
    private final long overhead;

    private final BasaltServer server;
    private final LongAdder evicted = new LongAdder();
    private String setting = "0";
    private long maxmemory;
    /** The limit in bytes; 0: eviction off. */
    private volatile long limit;
    /** Whether clients must be measured again (the limit was just switched on or lowered). */
    private volatile boolean remeasure;
    /** The sum of the sizes last counted of the clients that count (under this). */
    private long total;
    /** The counted clients without CLIENT NO-EVICT when last counted: the candidates (under this). */
    private final java.util.Set<Client> evictable = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    /** When "Over client maxmemory ..." was last logged (Redis logs it at every check; once a second here). */
    private long overLogged;

    public ClientEviction(BasaltServer server, long overhead) {
        this.server = server;
        this.overhead = overhead;
    }

    @Override
    public void bind(io.basalt.server.config.Config config) {
        config.bind("maxmemory-clients", v -> {
            synchronized (this) {
                setting = v;
            }
            recompute();
        });
        config.bind("maxmemory", v -> {
            synchronized (this) {
                maxmemory = MemoryUnits.parse(v);
            }
            recompute();
        });
    }

    /** Redis's getClientEvictionLimit. */
    private void recompute() {
        long bytes;
        synchronized (this) {
            if (setting.endsWith("%")) {
                long percent = Long.parseLong(setting.substring(0, setting.length() - 1));
                bytes = maxmemory > 0 && percent > 0 ? (long) ((double) maxmemory * percent / 100) : 0;
            } else {
                bytes = MemoryUnits.parse(setting);
            }
            if (bytes > 0 && bytes < MIN_LIMIT) bytes = MIN_LIMIT;
            if (bytes == 0) {
                // off: forget what was tracked, so switching it on again starts from a fresh count
                total = 0;
                evictable.clear();
                for (Client c : server.clients()) {
                    c.evictionMemory = -1;
                    c.queryBufferAlloc = 0;
                }
            }
            limit = bytes;
        }
        if (bytes > 0) remeasure = true;
    }

    /** INFO stats evicted_clients. */
    public long evictedClients() { return evicted.sum(); }

    /**
     * Whether a client's memory counts: Redis sums its normal and Pub/Sub clients, CLIENT
     * NO-EVICT ones included (they push the others out), never replicas or the master link.
     */
    private static boolean counted(Client c) {
        return c.kind() == ClientKind.NORMAL && !c.replica();
    }

    /** CLIENT LIST's tot-mem (without the running command's arguments): what eviction counts. */
    public long memory(Client c) { return measure(c); }

    /** What a client holds: its query buffer, its pending replies, its queued MULTI. */
    private long measure(Client c) {
        // the allocation is only followed while eviction is on; the bytes held always are
        return overhead + Math.max(c.queryBufferAlloc, c.queryBufferSize()) + c.outputBufferSize() + ExecState.multiMemory(c);
    }

    /**
     * On the client's event loop, after its buffers changed: its size counted again, and the
     * largest clients evicted if all of them together are over the limit now. True when that
     * evicted this client (closed: the caller stops serving it).
     */
    public boolean update(Client c, long queryBufferAlloc) {
        if (limit == 0) return false; // off: no write to the client on the command path
        c.queryBufferAlloc = queryBufferAlloc;
        boolean over;
        synchronized (this) {
            if (limit == 0) return false;
            over = track(c);
        }
        return over && evict().contains(c);
    }

    /** Counts a client's current size (under this); true when the sum is at the limit or past it. */
    private boolean track(Client c) {
        long before = c.evictionMemory;
        if (before == EVICTED) return false; // closing: its last reads count no more
        if (!counted(c) || !c.channel().isActive()) {
            if (before >= 0) total -= before;
            c.evictionMemory = -1;
            evictable.remove(c);
            return false;
        }
        long now = measure(c);
        total += now - Math.max(0, before);
        c.evictionMemory = now;
        if (c.noEvict()) evictable.remove(c);
        else evictable.add(c);
        return total >= limit;
    }

    /** Redis's evictClients: the largest first (by Redis's power-of-two size classes). */
    private List<Client> evict() {
        List<Client> victims = new ArrayList<>();
        synchronized (this) {
            if (limit == 0 || total < limit) return victims;
            List<Client> candidates = new ArrayList<>(evictable.size());
            for (Client c : evictable) {
                // Redis's clientEvictionAllowed (NO-EVICT may have been switched on since)
                if (!c.noEvict()) candidates.add(c);
            }
            // Redis keeps clients in log2 buckets and empties the largest bucket first
            candidates.sort(Comparator.comparingInt((Client c) -> 63 - Long.numberOfLeadingZeros(c.evictionMemory)).reversed());
            for (Client c : candidates) {
                if (total < limit) break;
                total -= c.evictionMemory;
                c.evictionMemory = EVICTED;
                evictable.remove(c);
                victims.add(c);
            }
            long now = System.currentTimeMillis();
            if (total >= limit && now - overLogged >= 1000) {
                overLogged = now;
                Log.warning("Over client maxmemory after evicting all evictable clients");
            }
        }
        for (Client c : victims) {
            StringBuilder info = new StringBuilder();
            ClientCommands.infoLine(info, c, null, null);
            Log.notice("Evicting client: " + info);
            evicted.increment();
            c.closeAfterReply();
            c.kill();
        }
        return victims;
    }

    @Override
    public void clientClosed(Client c) {
        if (c.evictionMemory < 0) return;
        synchronized (this) {
            if (c.evictionMemory >= 0) total -= c.evictionMemory;
            c.evictionMemory = EVICTED;
            evictable.remove(c);
        }
    }

    /**
     * After the limit was switched on or lowered: every client measured again (Redis's
     * applyClientMaxMemoryUsage puts each in its bucket), then evicted as needed.
     */
    @Override
    public void cron() {
        if (!remeasure) return;
        remeasure = false;
        boolean over = false;
        synchronized (this) {
            if (limit == 0) return;
            for (Client c : server.clients()) over |= track(c);
        }
        if (over) evict();
    }
}
